// Case lists: a center's work queue, a department's inbox, the cases of an area. Filters live in the URL (a view
// can be bookmarked), pages follow the API's cursor, the first page refreshes every 60 s while the tab is visible
// (each poll is a billed request) with a badge for new cases, and ↑/↓ (or j/k) move between rows.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { stageDue, light } from '../deadlines.js';
import { formatDuration, nameOf, t } from '../i18n.js';
import { useLatest } from '../latest.js';
import { parentOf } from '../reference.js';
import { href, navigate } from '../router.js';
import { Loading, Problem, Time } from '../ui.jsx';
import { vocabulary } from '../vocabulary.js';

const REFRESH_MS = 60000;
const FILTERS = ['status', 'attention', 'category', 'kind', 'node'];

export function Countdown({ deadlines, warnings, now }) {
  const due = stageDue(deadlines, warnings);
  if (!due) return <span class="light none">—</span>;
  const colour = light(due, now);
  const left = Date.parse(due.due) - now;
  const text = left < 0 ? t('deadline.overdue_by', { time: formatDuration(left) })
    : t('deadline.left', { time: formatDuration(left) });
  return (
    <span class={`light ${colour}`} title={t(`deadline.${due.stage}`)}>
      <span class="dot" aria-hidden="true" />
      <span class="visually-hidden">{t(`light.${colour}`)}: </span>
      {t(`deadline.${due.stage}`)} · {text}
    </span>
  );
}

function Place({ session, grid }) {
  const { ref } = session;
  const village = parentOf(ref, grid);
  const cell = ref.nodes.get(grid);
  return <span>{village ? nameOf(village.names) : ''} · {cell ? nameOf(cell.names) : grid}</span>;
}

function Filters({ session, route, path }) {
  const { ref, me } = session;
  const params = route.params;
  const set = (name, value) => navigate(path, { ...params, [name]: value, cursor: undefined });
  const home = me.node?.code;
  // the places below the caller's: every township and village, and the grids of a village
  const places = home ? [...ref.nodes.values()].filter((n) => n.code.startsWith(`${home}.`)
    && (n.level !== 'grid' || n.parent === home)) : [];
  return (
    <form class="filters" role="search" aria-label={t('filters.label')} onSubmit={(e) => e.preventDefault()}>
      <label>{t('field.status')}
        <select value={params.status || ''} onChange={(e) => set('status', e.currentTarget.value)}>
          <option value="">{t('filters.any')}</option>
          {vocabulary().statuses.map((s) => <option value={s}>{t(`status.${s}`)}</option>)}
        </select>
      </label>
      <label>{t('field.attention')}
        <select value={params.attention || ''} onChange={(e) => set('attention', e.currentTarget.value)}>
          <option value="">{t('filters.any')}</option>
          {vocabulary().attentions.map((a) => <option value={a}>{t(`attention.${a}`)}</option>)}
        </select>
      </label>
      <label>{t('field.category')}
        <select value={params.category || ''} onChange={(e) => set('category', e.currentTarget.value)}>
          <option value="">{t('filters.any')}</option>
          {[...ref.categories.values()].map((c) => <option value={c.code}>{nameOf(c.names)}</option>)}
        </select>
      </label>
      <label>{t('field.kind')}
        <select value={params.kind || ''} onChange={(e) => set('kind', e.currentTarget.value)}>
          <option value="">{t('filters.any')}</option>
          <option value="demand">{t('kind.demand')}</option>
          <option value="dispute">{t('kind.dispute')}</option>
        </select>
      </label>
      {places.length > 0 && (
        <label>{t('field.place')}
          <select value={params.node || ''} onChange={(e) => set('node', e.currentTarget.value)}>
            <option value="">{t('filters.any')}</option>
            {places.map((n) => <option value={n.code}>{nameOf(n.names)}</option>)}
          </select>
        </label>)}
      {FILTERS.some((f) => params[f]) && <a href={href(path)}>{t('filters.clear')}</a>}
    </form>
  );
}

function moveFocus(event, table) {
  const keys = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 };
  if (!(event.key in keys) || event.target.tagName === 'SELECT' || event.target.tagName === 'BUTTON') return;
  const links = [...table.querySelectorAll('a.case-link')];
  const at = links.indexOf(document.activeElement);
  const next = links[Math.max(0, Math.min(links.length - 1, at + keys[event.key]))];
  if (next) { event.preventDefault(); next.focus(); }
}

export function CaseList({ session, route, path, source, title, oneClick }) {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [fresh, setFresh] = useState(new Set());
  const [now, setNow] = useState(Date.now());
  const [done, setDone] = useState({});
  const seen = useRef(null);
  const table = useRef(null);
  const query = new URLSearchParams(Object.entries(route.params).filter(([k, v]) => v && [...FILTERS, 'cursor'].includes(k)));
  const queryText = query.toString();

  const latest = useLatest();
  const load = async (polling) => {
    const only = latest();
    try {
      const answer = await api(`${source}${queryText ? `?${queryText}` : ''}`);
      only(() => {
        const ids = answer.items.map((c) => c.id);
        if (polling && seen.current) setFresh(new Set([...fresh, ...ids.filter((id) => !seen.current.has(id))]));
        seen.current = new Set([...(seen.current || []), ...ids]);
        setPage(answer);
        setNow(Date.now());
        setError(null);
      })();
    } catch (e) {
      only(setError)(e);
    }
  };
  useEffect(() => { seen.current = null; setFresh(new Set()); setPage(null); load(false); }, [queryText]);
  useEffect(() => {
    if (route.params.cursor) return undefined;
    const poll = () => { if (document.visibilityState === 'visible') load(true); };
    const timer = setInterval(poll, REFRESH_MS);
    return () => clearInterval(timer);
  });

  const reportIn = async (item) => {
    setDone({ ...done, [item.id]: 'busy' });
    try {
      await api(`cases/${item.id}/acknowledge`, { method: 'POST', body: {}, idempotencyKey: newKey(), ifMatch: item.version });
      setDone({ ...done, [item.id]: 'ok' });
      load(false);
    } catch (e) {
      setDone({ ...done, [item.id]: e.message });
    }
  };
  return (
    <>
      <h1>{title}
        {fresh.size > 0 && <button type="button" class="badge" onClick={() => setFresh(new Set())}>
          {t('list.new_cases', { n: fresh.size })}</button>}
      </h1>
      <Filters session={session} route={route} path={path} />
      {error && <Problem error={error} onRetry={() => load(false)} />}
      {!page && !error && <Loading />}
      {page && (page.items.length === 0 ? <p class="empty">{t('list.empty')}</p> : (
        <div class="table-wrap" ref={table} onKeyDown={(e) => moveFocus(e, table.current)}>
          <table class="cases">
            <caption class="visually-hidden">{title}</caption>
            <thead><tr>
              <th scope="col">{t('field.number')}</th><th scope="col">{t('field.title')}</th>
              <th scope="col">{t('field.category')}</th><th scope="col">{t('field.place')}</th>
              <th scope="col">{t('field.urgency')}</th><th scope="col">{t('field.status')}</th>
              <th scope="col">{t('field.age')}</th><th scope="col">{t('field.deadline')}</th>
              {oneClick && <th scope="col">{t('list.quick')}</th>}
            </tr></thead>
            <tbody>
              {page.items.map((c) => (
                <tr class={fresh.has(c.id) ? 'fresh' : undefined} data-case={c.id}>
                  <th scope="row"><a class="case-link" href={href(`/cases/${c.id}`, { back: path })}>{c.number}</a></th>
                  <td class="case-title">{c.title}</td>
                  <td>{nameOf(session.ref.categories.get(c.category)?.names) || c.category}</td>
                  <td><Place session={session} grid={c.grid} /></td>
                  <td><span class={`urgency ${c.urgency}`}>{t(`urgency.${c.urgency}`)}</span></td>
                  <td>{t(`status.${c.status}`)}</td>
                  <td><Time iso={c.created_at} /> <span class="note">({formatDuration(now - Date.parse(c.created_at))})</span></td>
                  <td><Countdown deadlines={c.deadlines} warnings={c.warnings} now={now} /></td>
                  {oneClick && <td>{c.status === 'dispatched' && done[c.id] !== 'ok' && (
                    <button type="button" class="primary" disabled={done[c.id] === 'busy'} onClick={() => reportIn(c)}>
                      {t('action.acknowledge')}</button>)}
                    {done[c.id] && !['ok', 'busy'].includes(done[c.id]) && <span class="field-error" role="alert">{done[c.id]}</span>}
                  </td>}
                </tr>))}
            </tbody>
          </table>
        </div>))}
      <nav class="pager" aria-label={t('list.pages')}>
        {route.params.cursor && <a href={href(path, { ...route.params, cursor: undefined })}>{t('list.first')}</a>}
        {page?.cursor && <a href={href(path, { ...route.params, cursor: page.cursor })}>{t('list.next')}</a>}
      </nav>
    </>
  );
}

export function Queue(props) {
  return <CaseList {...props} path="/queue" source="queue" title={t('nav.queue')} />;
}

export function Inbox(props) {
  return <CaseList {...props} path="/inbox" source="inbox" title={t('nav.inbox')} oneClick />;
}

export function AreaCases(props) {
  return <CaseList {...props} path="/cases" source="cases" title={t('nav.cases')} />;
}
