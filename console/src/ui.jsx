// Small shared pieces. Text only ever goes into the DOM as text (Preact sets textContent and properties): no
// string is parsed as HTML anywhere, which the page's Trusted Types policy enforces.
import { formatTime, localName, nameOf, t } from './i18n.js';

export function PlaceName({ node, withLocal = true }) {
  if (!node) return <span>—</span>;
  const second = withLocal ? localName(node.names) : '';
  return (
    <span class="place">
      {nameOf(node.names)}
      {second && <> · <bdi class="local-name" lang={node.names.mn === second ? 'mn' : 'ug'}>{second}</bdi></>}
    </span>
  );
}

export function Time({ iso }) {
  return iso ? <time dateTime={iso}>{formatTime(iso)}</time> : <span>—</span>;
}

export function Loading() {
  return <p class="loading" role="status">{t('common.loading')}</p>;
}

export function Problem({ error, onRetry }) {
  if (!error) return null;
  const text = error.status === 404 ? t('common.not_found') : (error.message || t('common.error'));
  return (
    <div class="problem" role="alert">
      <p>{text}</p>
      <Detail error={error} />
      {onRetry && <button type="button" onClick={onRetry}>{t('common.retry')}</button>}
    </div>
  );
}

// the API's own words under a refusal worded in the reader's language (English, so marked as such)
export function Detail({ error }) {
  return error?.detail ? <p class="note server-detail" lang="en" dir="ltr">{error.detail}</p> : null;
}

export function Section({ title, children, id }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
