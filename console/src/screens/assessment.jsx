// Assessment: a department's scorecard for a year, its bad reviews it may still appeal (once each, with a reason)
// and its appeals waiting; for the county center, the appeals waiting for its decision (uphold or void). The
// lists are GET /inbox and GET /cases with attention=bad_review or appeal; each case is then read for its reviews.
import { useEffect, useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { formatNumber, nameOf, t } from '../i18n.js';
import { href, navigate } from '../router.js';
import { Loading, Problem, Section, Time } from '../ui.jsx';
import { vocabulary } from '../vocabulary.js';


function percent(rate) {
  return rate === null || rate === undefined ? '—' : formatNumber(rate, { style: 'percent', maximumFractionDigits: 1 });
}

// the cases a list names, each read in full (its reviews and appeals are on the case)
function useCases(source, version) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    api(`${source}&limit=50`)
      .then((page) => Promise.all(page.items.map((c) => api(`cases/${c.id}`))))
      .then((items) => live && setState({ items, error: null }), (error) => live && setState({ items: null, error }));
    return () => { live = false; };
  }, [source, version]);
  return state;
}

function Review({ item, index, evaluation }) {
  return (
    <div class="review">
      <p>
        <a class="case-link" href={href(`/cases/${item.id}`, { back: location.hash.slice(1).split('?')[0] })}>{item.number}</a>
        {' '}<span class="case-title">{item.title}</span>
      </p>
      <p>
        <strong>{t(`value.verdict.${evaluation.verdict}`)}</strong> · <Time iso={evaluation.at} /> · {
          vocabulary().scores.map((s) => `${t(`field.${s}`)} ${evaluation.scores?.[s] ?? '—'}`).join(' · ')}
      </p>
      {evaluation.appeal && (
        <p class="timeline-note">{t('appeal.reason')}: {evaluation.appeal.reason}
          {' '}({t(`appeal.status.${evaluation.appeal.status}`)})</p>)}
      <span class="visually-hidden">#{index}</span>
    </div>
  );
}

// one small form: a reason (or a decision and a note), the same Idempotency-Key until it succeeds
function ReviewForm({ item, index, deciding, onDone }) {
  const [text, setText] = useState('');
  const [decision, setDecision] = useState('uphold');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const id = `rv-${item.id}-${index}`;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const path = `cases/${item.id}/evaluations/${index}/${deciding ? 'appeal-decision' : 'appeal'}`;
      await api(path, { method: 'POST', idempotencyKey: key, body: deciding ? { decision, note: text } : { reason: text } });
      onDone();
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  const field = deciding ? 'note' : 'reason';
  const named = error?.fields?.find((f) => f.field === field);
  return (
    <form class="action-form" onSubmit={submit} noValidate aria-label={t(deciding ? 'appeal.decide' : 'appeal.submit')}>
      {deciding && (
        <div class="field">
          <label for={`${id}-decision`}>{t('field.decision')}</label>
          <select id={`${id}-decision`} value={decision} onChange={(e) => setDecision(e.currentTarget.value)}>
            {vocabulary().decisions.map((d) => <option value={d}>{t(`value.decision.${d}`)}</option>)}
          </select>
        </div>)}
      <div class="field">
        <label for={`${id}-${field}`}>{t(`field.${field}`)}{!deciding && <span aria-hidden="true"> *</span>}</label>
        <textarea id={`${id}-${field}`} rows={2} maxLength={2000} value={text} aria-invalid={named ? 'true' : undefined}
          aria-describedby={named ? `${id}-error` : undefined} onInput={(e) => setText(e.currentTarget.value)} />
        {named && <p class="field-error" id={`${id}-error`}>{named.message}</p>}
      </div>
      {error && !named && <p class="field-error" role="alert">{error.message}</p>}
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={busy}>{t(deciding ? 'appeal.decide' : 'appeal.submit')}</button>
      </div>
    </form>
  );
}

function Reviews({ state, pick, deciding, empty, onDone }) {
  if (state.error) return <Problem error={state.error} />;
  if (!state.items) return <Loading />;
  const rows = state.items.flatMap((item) => item.evaluations.map((e, i) => [item, i, e]).filter(([, , e]) => pick(e)));
  if (!rows.length) return <p class="empty">{empty}</p>;
  return (
    <ul class="reviews">
      {rows.map(([item, index, evaluation]) => (
        <li data-case={item.id}>
          <Review item={item} index={index} evaluation={evaluation} />
          {onDone && <ReviewForm item={item} index={index} deciding={deciding} onDone={onDone} />}
        </li>))}
    </ul>
  );
}

export function Scorecard({ session, route }) {
  const { me } = session;
  const department = me.department?.id;
  const thisYear = new Date().getFullYear();
  const year = Number(route.params.year) || thisYear;
  const [card, setCard] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState(null);
  useEffect(() => {
    api(`scorecards/${department}?year=${year}`).then(setCard, setError);
  }, [year, version]);
  const open = useCases('inbox?attention=bad_review', version);
  const waiting = useCases('inbox?attention=appeal', version);
  const mine = (e) => e.department === department;
  return (
    <>
      <h1>{t('nav.scorecard')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('scorecard.year')}
          <select value={String(year)} onChange={(e) => navigate('/scorecard', { year: e.currentTarget.value }, { replace: true })}>
            {[thisYear, thisYear - 1, thisYear - 2].map((y) => <option value={String(y)}>{y}</option>)}
          </select>
        </label>
      </form>
      {error && <Problem error={error} />}
      {card && (
        <Section title={t('scorecard.title', { name: nameOf(card.names), year: card.year })} id="scorecard">
          <div class="stat-cards">
            {['score', 'composite'].map((k) => (
              <div class="stat-card"><span class="stat-label">{t(`score.${k}`)}</span>
                <span class="stat-value">{formatNumber(card[k])}</span></div>))}
            {['response_rate', 'resolution_rate', 'satisfaction_rate'].map((k) => (
              <div class="stat-card"><span class="stat-label">{t(`score.${k}`)}</span>
                <span class="stat-value">{percent(card[k])}</span></div>))}
            <div class="stat-card"><span class="stat-label">{t('score.bad_reviews')}</span>
              <span class="stat-value">{formatNumber(card.bad_reviews)}</span></div>
          </div>
          <p class={card.eligible ? 'done' : 'problem'}>{t(card.eligible ? 'scorecard.eligible' : 'scorecard.not_eligible')}</p>
          <p class="note">{t('scorecard.counts', card)}</p>
        </Section>)}
      {message && <p class="done" role="status">{message}</p>}
      {me.abilities.includes('appeals') && (
        <>
          <Section title={t('appeal.open_reviews')} id="appeal-open">
            <Reviews state={open} pick={(e) => mine(e) && e.verdict === 'bad' && !e.appeal} empty={t('appeal.none_open')}
              onDone={() => { setMessage(t('appeal.sent')); setVersion(version + 1); }} />
          </Section>
          <Section title={t('appeal.waiting')} id="appeal-waiting">
            <Reviews state={waiting} pick={(e) => mine(e) && e.appeal?.status === 'pending'} empty={t('appeal.none_waiting')} />
          </Section>
        </>)}
    </>
  );
}

export function AppealDecisions() {
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState(null);
  const waiting = useCases('cases?attention=appeal', version);
  return (
    <>
      <h1>{t('nav.appeals')}</h1>
      <p class="note">{t('appeal.decide_intro')}</p>
      {message && <p class="done" role="status">{message}</p>}
      <Section title={t('appeal.waiting')} id="appeal-decisions">
        <Reviews state={waiting} pick={(e) => e.appeal?.status === 'pending'} deciding empty={t('appeal.none_waiting')}
          onDone={() => { setMessage(t('appeal.decided')); setVersion(version + 1); }} />
      </Section>
    </>
  );
}
