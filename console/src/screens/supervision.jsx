// Supervision for stations and centers: what in the caller's subtree needs a push. Overdue cases (a stage's
// deadline breached), cases whose stage falls due soon (the window kept in the URL), extension requests waiting for
// a center, and cases the lead department returned, with its reason. Each list is one filtered GET /cases; all
// refresh every 60 s while the tab is visible.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLatest } from '../latest.js';
import { nameOf, t } from '../i18n.js';
import { parentOf } from '../reference.js';
import { href, navigate } from '../router.js';
import { Loading, Problem, Section, Time } from '../ui.jsx';
import { Countdown } from './cases.jsx';

const REFRESH_MS = 60000;
const WINDOWS = [2, 8, 24, 72];   // hours
const PAGE = 50;

function usePolled(load, deps) {
  const [state, setState] = useState({ items: null, error: null });
  const latest = useLatest();
  const run = () => {
    const only = latest();
    return load().then(only(({ items, more }) => setState({ items, more, error: null })),
      only((error) => setState({ items: null, error })));
  };
  useEffect(() => { setState({ items: null, error: null }); run(); }, deps);
  useEffect(() => {
    const timer = setInterval(() => { if (document.visibilityState === 'visible') run(); }, REFRESH_MS);
    return () => clearInterval(timer);
  }, deps);
  return [state, run];
}

function Rows({ session, items, now, extra }) {
  const { ref } = session;
  return (
    <div class="table-wrap">
      <table class="cases">
        <thead><tr>
          <th scope="col">{t('field.number')}</th><th scope="col">{t('field.title')}</th>
          <th scope="col">{t('field.place')}</th><th scope="col">{t('field.status')}</th>
          <th scope="col">{t('field.lead')}</th><th scope="col">{t('field.deadline')}</th>
          {extra && <th scope="col">{extra.title}</th>}
        </tr></thead>
        <tbody>
          {items.map((c) => (
            <tr data-case={c.id}>
              <th scope="row"><a class="case-link" href={href(`/cases/${c.id}`, { back: '/supervision' })}>{c.number}</a></th>
              <td class="case-title">{c.title}</td>
              <td>{nameOf(parentOf(ref, c.grid)?.names)} · {nameOf(ref.nodes.get(c.grid)?.names) || c.grid}</td>
              <td>{t(`status.${c.status}`)}</td>
              <td>{c.lead_department ? nameOf(ref.departments.get(c.lead_department)?.names) : '—'}</td>
              <td><Countdown deadlines={c.deadlines} warnings={c.warnings} now={now} /></td>
              {extra && <td>{extra.cell(c)}</td>}
            </tr>))}
        </tbody>
      </table>
    </div>
  );
}

// a list's count, "50+" when the page was full and more follow
function counted(title, state) {
  return state.items ? `${title} (${state.items.length}${state.more ? '+' : ''})` : title;
}

function Block({ session, id, title, state, now, extra, empty, attention }) {
  return (
    <Section title={counted(title, state)} id={id}>
      {state.error && <Problem error={state.error} />}
      {state.more && <p class="note"><a href={href('/cases', { attention })}>{t('supervision.more', { n: state.items.length })}</a></p>}
      {!state.items && !state.error && <Loading />}
      {state.items && (state.items.length
        ? <Rows session={session} items={state.items} now={now} extra={extra} />
        : <p class="empty">{empty}</p>)}
    </Section>
  );
}

export function Supervision({ session, route }) {
  const within = WINDOWS.includes(Number(route.params.within)) ? Number(route.params.within) : 24;
  const [now, setNow] = useState(Date.now());
  const list = (query) => api(`cases?${query}&limit=${PAGE}`).then((page) => {
    setNow(Date.now());
    return { items: page.items, more: Boolean(page.cursor) };
  });
  const [overdue] = usePolled(() => list('attention=overdue'), []);
  const [soon] = usePolled(() => {
    const until = new Date(Date.now() + within * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return list(`due_before=${encodeURIComponent(until)}`)
      .then(({ items, more }) => ({
        more,
        items: items.filter((c) => c.status !== 'resolved')   // the evaluation is the grid member's, not supervised
          .sort((a, b) => Object.values(a.deadlines).sort()[0].localeCompare(Object.values(b.deadlines).sort()[0])),
      }));
  }, [within]);
  const [extensions] = usePolled(() => list('attention=extension'), []);
  const [returned] = usePolled(() => list('attention=returned'), []);
  const { ref } = session;
  return (
    <>
      <h1>{t('nav.supervision')}</h1>
      <p class="note">{t('supervision.intro')}</p>
      <Block session={session} id="sup-overdue" attention="overdue" title={t('supervision.overdue')} state={overdue} now={now}
        empty={t('supervision.none_overdue')} />
      <Section title={counted(t('supervision.due_soon_title'), soon)} id="sup-soon-heading">
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>{t('supervision.window')}
            <select value={String(within)} onChange={(e) => navigate('/supervision', { within: e.currentTarget.value }, { replace: true })}>
              {WINDOWS.map((h) => <option value={String(h)}>{t('supervision.within_hours', { n: h })}</option>)}
            </select>
          </label>
        </form>
        {soon.error && <Problem error={soon.error} />}
        {soon.more && <p class="note">{t('supervision.more_soon', { n: PAGE })}</p>}
        {!soon.items && !soon.error && <Loading />}
        {soon.items && (soon.items.length ? <Rows session={session} items={soon.items} now={now} />
          : <p class="empty">{t('supervision.none_soon')}</p>)}
      </Section>
      <Block session={session} id="sup-extensions" attention="extension" title={t('supervision.extensions')} state={extensions} now={now}
        empty={t('supervision.none_extensions')} extra={{
          title: t('supervision.request'),
          cell: (c) => c.extension && (
            <>
              <span>{t('supervision.requested_due')} <Time iso={c.extension.requested_due} /></span>
              <p class="timeline-note">{c.extension.reason}</p>
            </>),
        }} />
      <Block session={session} id="sup-returned" attention="returned" title={t('supervision.returned')} state={returned} now={now}
        empty={t('supervision.none_returned')} extra={{
          title: t('supervision.return_reason'),
          cell: (c) => c.returned && (
            <>
              <span>{nameOf(ref.departments.get(c.returned.department)?.names)} · <Time iso={c.returned.returned_at} /></span>
              <p class="timeline-note">{c.returned.reason}</p>
            </>),
        }} />
    </>
  );
}
