// After the report: what waits in the outbox, my reports with their status and timeline, and the evaluations the
// member gives (their own reports once resolved, and residents' cases in their grid after a return visit).
import { useEffect, useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { useLatest } from '../latest.js';
import { allPages } from '../pages.js';
import { href } from '../router.js';
import { Loading, Problem, Time } from '../ui.jsx';
import { discard, waiting, watchOutbox } from './outbox.js';
import { errorsByField } from './report.jsx';
import { actionLabel } from '../openapi.js';
import { vocabulary } from '../vocabulary.js';

export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const latest = useLatest();
  const run = () => {
    const only = latest();
    return load().then(only((data) => setState({ data, error: null }))).catch(only((error) => setState({ data: null, error })));
  };
  useEffect(() => { run(); }, deps);
  return [state, run];
}

function Outbox({ user }) {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const read = () => waiting(user).then(setItems);
    read();
    return watchOutbox(read);
  }, [user]);
  if (!items.length) return null;
  return (
    <section class="card outbox" aria-labelledby="outbox-title">
      <h2 id="outbox-title">{t('phone.outbox')}</h2>
      <ul class="items">
        {items.map((item) => (
          <li class={`item ${item.state}`}>
            <strong>{item.body.title}</strong>
            <span class="note">
              {item.state === 'refused' ? t('phone.refused') : item.case_id ? t('phone.photos_waiting', {
                number: item.number, n: item.photos.filter((p) => !p.sent).length }) : t('phone.not_sent')}
              {' · '}{t('phone.photos_n', { n: item.photos.length })}
            </span>
            {item.state === 'refused' && (
              <>
                <p class="field-error">{Object.values(errorsByField(item.error)).join(' ')}</p>
                {!item.case_id && <a class="button" href={href('/', { edit: item.key })}>{t('phone.correct')}</a>}
                <button type="button" onClick={() => discard(item.key)}>{t('phone.discard')}</button>
              </>)}
          </li>))}
      </ul>
    </section>
  );
}

function CaseList({ items, empty, from }) {
  if (!items.length) return <p class="note">{empty}</p>;
  return (
    <ul class="items">
      {items.map((c) => (
        <li class="item">
          <a href={href(`/case/${c.id}`, { from })}><span class="case-number">{c.number}</span> {c.title}</a>
          <span class={`status status-${c.status}`}>{t(`status.${c.status}`)}</span>
          <span class="note"><Time iso={c.created_at} /></span>
        </li>))}
    </ul>
  );
}

export function MyReports({ profile, signedIn }) {
  const [{ data, error }, reload] = useLoad(() => (signedIn ? api('cases/mine?limit=50') : Promise.resolve(null)), [signedIn]);
  useEffect(() => watchOutbox((e) => { if (e.kind === 'sent') reload(); }), []);
  return (
    <div>
      <h1>{t('phone.tab.mine')}</h1>
      <Outbox user={profile.me.user_id} />
      {error ? <Problem error={error} onRetry={reload} />
        : !signedIn ? null : !data ? <Loading /> : <CaseList items={data.items} empty={t('phone.no_reports')} />}
    </div>
  );
}

export function EvaluateList({ profile }) {
  const grid = profile.me.grid?.code;
  const [{ data, error }, reload] = useLoad(() => api(`cases?status=resolved&grid=${encodeURIComponent(grid)}&limit=50`), [grid]);
  return (
    <div>
      <h1>{t('phone.tab.evaluate')}</h1>
      <p class="note">{t('phone.evaluate_intro')}</p>
      {error ? <Problem error={error} onRetry={reload} />
        : !data ? <Loading /> : <CaseList items={data.items} empty={t('phone.nothing_to_evaluate')} from="evaluate" />}
    </div>
  );
}


function Evaluation({ item, onDone }) {
  const residents = item.channel !== 'grid_visit';      // a resident's case: the member evaluates after a return visit
  const [form, setForm] = useState({ scores: Object.fromEntries(vocabulary().scores.map((d) => [d, 0])),
    verdict: '', fixed: '', note: '' });
  const [key] = useState(newKey);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const missing = {};
    for (const d of vocabulary().scores) if (!form.scores[d]) missing[d] = t('phone.required');
    if (!form.verdict) missing.verdict = t('phone.required');
    if (form.fixed === '') missing.fixed = t('phone.required');
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      await api(`cases/${item.id}/evaluate`, { method: 'POST', idempotencyKey: key, ifMatch: item.version, body: {
        scores: form.scores, verdict: form.verdict, fixed: form.fixed === 'yes', note: form.note.trim(),
        on_behalf_of_resident: residents } });
      onDone();
    } catch (problem) {
      const found = {};
      for (const f of problem.fields?.length ? problem.fields : [{ field: 'form', message: problem.message }]) {
        const name = String(f.field).split('.').pop();
        found[[...vocabulary().scores, 'verdict', 'fixed', 'note'].includes(name) ? name : 'form'] = f.message;
      }
      setErrors(found);
    } finally { setBusy(false); }
  };
  const radios = (name, values, value, change, label) => (
    <fieldset class="scale" aria-describedby={errors[name] ? `${name}-error` : undefined}>
      <legend>{label}</legend>
      {values.map(([v, text]) => (
        <label class="choice"><input type="radio" name={name} value={v} checked={value === v} onChange={() => change(v)} /> {text}</label>))}
      {errors[name] && <p class="field-error" id={`${name}-error`} role="alert">{errors[name]}</p>}
    </fieldset>
  );
  const scale = [1, 2, 3, 4, 5].map((n) => [n, String(n)]);
  return (
    <form class="evaluation card" onSubmit={submit} noValidate aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">{residents ? t('phone.return_visit') : t('action.evaluate')}</h2>
      {residents && <p class="note">{t('phone.return_visit_note')}</p>}
      {errors.form && <p class="field-error" role="alert">{errors.form}</p>}
      {vocabulary().scores.map((d) => radios(d, scale, form.scores[d],
        (v) => setForm((f) => ({ ...f, scores: { ...f.scores, [d]: v } })), t(`field.${d}`)))}
      {radios('verdict', vocabulary().verdicts.map((v) => [v, t(`value.verdict.${v}`)]), form.verdict,
        (v) => setForm((f) => ({ ...f, verdict: v })), t('field.verdict'))}
      {radios('fixed', [['yes', t('phone.fixed_yes')], ['no', t('phone.fixed_no')]], form.fixed,
        (v) => setForm((f) => ({ ...f, fixed: v })), t('field.fixed'))}
      <div class="field">
        <label for="evaluation-note">{t('field.note')}</label>
        <textarea id="evaluation-note" rows="3" maxLength={2000} value={form.note}
          onInput={(e) => { const note = e.currentTarget.value; setForm((f) => ({ ...f, note })); }} />
      </div>
      <button type="submit" class="primary" disabled={busy}>{t('phone.submit_evaluation')}</button>
    </form>
  );
}

export function CaseScreen({ profile, id }) {
  const [done, setDone] = useState(null);
  const [{ data, error }, reload] = useLoad(() => Promise.all([api(`cases/${id}`), allPages(`cases/${id}/timeline?limit=100`)]), [id]);
  if (error) return <Problem error={error} onRetry={error.status === 404 ? undefined : reload} />;
  if (!data) return <Loading />;
  const [item, timeline] = data;
  const category = profile.categories.find((c) => c.code === item.category);
  return (
    <article class="case" aria-labelledby="case-title">
      <h1 id="case-title"><span class="case-number">{item.number}</span> {item.title}</h1>
      {done && <p class="notice" role="status">{done}</p>}
      <dl class="facts">
        <dt>{t('field.status')}</dt><dd class={`status status-${item.status}`}>{t(`status.${item.status}`)}</dd>
        <dt>{t('field.category')}</dt><dd>{nameOf(category?.names) || item.category}</dd>
        <dt>{t('field.urgency')}</dt><dd>{t(`urgency.${item.urgency}`)}</dd>
        <dt>{t('field.reported_at')}</dt><dd><Time iso={item.created_at} /></dd>
        {item.observed_at && <><dt>{t('phone.observed_at')}</dt><dd><Time iso={item.observed_at} /></dd></>}
        <dt>{t('case.photos')}</dt><dd>{t('phone.photos_n', { n: item.photos.length })}</dd>
      </dl>
      <p class="case-description">{item.description}</p>
      {item.allowed_actions.includes('evaluate') && (
        <Evaluation item={item} onDone={() => { setDone(t('phone.evaluated')); reload(); }} />)}
      <h2>{t('case.timeline')}</h2>
      <ol class="timeline">
        {timeline.map((e) => (
          <li>
            <Time iso={e.at} /> · <strong>{actionLabel(e.action)}</strong>
            {e.to_status && <span class="note"> · {t(`status.${e.to_status}`)}</span>}
            {e.note && <p class="timeline-note">{e.note}</p>}
          </li>))}
      </ol>
    </article>
  );
}
