// The households of the member's grid, this month's visits, and the form to log a visit (what was said, the
// demands raised, the cases it led to).
import { useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { countyZone, t, zonedToUtc } from '../i18n.js';
import { href, navigate } from '../router.js';
import { Loading, Problem, Time } from '../ui.jsx';
import { householdMatches, useAllPages } from '../pages.js';

export function Households({ profile }) {
  const grid = profile.me.grid?.code;
  const [filter, setFilter] = useState('');
  const households = useAllPages(grid && `households?grid=${encodeURIComponent(grid)}&limit=100`);
  const visits = useAllPages(grid && `visits?grid=${encodeURIComponent(grid)}&limit=100`);
  const error = households.error || visits.error;
  if (error) return <Problem error={error} />;
  if (!households.items || !visits.done) return <Loading />;
  const visited = new Map();
  for (const v of visits.items) visited.set(v.household_id, v.visited_at);
  const shown = households.items.filter((h) => householdMatches(h, filter));
  return (
    <div>
      <h1>{t('phone.tab.households')}</h1>
      <p class="note">{t('phone.visits_this_month', { n: visits.items.length })}</p>
      {households.items.length > 0 && (
        <div class="field">
          <label for="households-find">{t('points.find')}</label>
          <input id="households-find" type="search" value={filter} aria-describedby="households-find-hint"
            onInput={(e) => setFilter(e.currentTarget.value)} />
          <p class="note" id="households-find-hint">{t('points.find_hint')}</p>
          <p class="note" role="status">{households.done ? t('points.shown', { n: shown.length, total: households.items.length })
            : t('points.loading_more', { n: households.items.length })}</p>
        </div>)}
      {!households.items.length ? <p class="note">{t('points.no_households')}</p> : (
        <ul class="items">
          {shown.slice(0, 100).map((h) => (
            <li class="item household">
              <strong><bdi>{h.head}</bdi></strong>
              <span class="note">{t('phone.members', { n: h.members })}{h.address && <> · <bdi>{h.address}</bdi></>}
                {h.phone && <> · <bdi>{h.phone}</bdi></>}</span>
              <span class="note">{visited.has(h.id) ? <>{t('phone.last_visit')} <Time iso={visited.get(h.id)} /></>
                : t('phone.not_visited')}</span>
              <a class="button" href={href(`/visit/${h.id}`)}>{t('phone.log_visit_for', { head: h.head })}</a>
            </li>))}
        </ul>)}
      {shown.length > 100 && <p class="note">{t('points.narrow_phone')}</p>}
    </div>
  );
}

function localNow() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: countyZone(), hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export function VisitForm({ profile, householdId }) {
  const grid = profile.me.grid?.code;
  const found = useAllPages(grid && `households?grid=${encodeURIComponent(grid)}&limit=100`, (h) => h.id === householdId);
  const [form, setForm] = useState({ visited_at: localNow(), notes: '', demands: '' });
  const [key] = useState(newKey);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  if (found.error) return <Problem error={found.error} />;
  if (!found.done) return <Loading />;
  const household = found.items.find((h) => h.id === householdId);
  if (!household) return <Problem error={{ status: 404 }} />;
  const fieldError = (name) => problem?.fields?.find((f) => String(f.field).startsWith(name))?.message;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('visits', { method: 'POST', idempotencyKey: key, body: {
        household_id: householdId, visited_at: zonedToUtc(form.visited_at), notes: form.notes.trim(),
        demands_raised: form.demands.split('\n').map((d) => d.trim()).filter(Boolean) } });
      navigate('/households');
    } catch (failure) { setProblem(failure); } finally { setBusy(false); }
  };
  return (
    <form class="visit card" onSubmit={submit} noValidate aria-labelledby="visit-title">
      <h1 id="visit-title">{t('phone.visit_title', { head: household.head })}</h1>
      {problem && !problem.fields?.length && <p class="field-error" role="alert">{problem.message}</p>}
      <div class="field">
        <label for="visit-at">{t('phone.visited_at')}</label>
        <input id="visit-at" type="datetime-local" value={form.visited_at}
          onInput={(e) => { const v = e.currentTarget.value; setForm((f) => ({ ...f, visited_at: v })); }} />
        {fieldError('visited_at') && <p class="field-error" role="alert">{fieldError('visited_at')}</p>}
      </div>
      <div class="field">
        <label for="visit-notes">{t('phone.visit_notes')}</label>
        <textarea id="visit-notes" rows="4" maxLength={5000} value={form.notes}
          onInput={(e) => { const v = e.currentTarget.value; setForm((f) => ({ ...f, notes: v })); }} />
      </div>
      <div class="field">
        <label for="visit-demands">{t('phone.visit_demands')}</label>
        <textarea id="visit-demands" rows="3" value={form.demands}
          onInput={(e) => { const v = e.currentTarget.value; setForm((f) => ({ ...f, demands: v })); }} />
        {fieldError('demands_raised') && <p class="field-error" role="alert">{fieldError('demands_raised')}</p>}
      </div>
      <button type="submit" class="primary" disabled={busy}>{t('phone.save_visit')}</button>
      {' '}<a href={href('/households')}>{t('phone.back')}</a>
    </form>
  );
}
