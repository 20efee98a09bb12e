// Leaders' dashboard for a node and period: cards, a six-month trend, a breakdown by category (each a link to
// the case list), the subtree's grids coloured by a chosen figure (from the jurisdiction GeoJSON; no map tiles),
// the department ranking, CSV downloads; `big=1` is the full-screen "big screen" that refreshes itself.
// ECharts is loaded only here (its own chunk).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { countyZone, formatNumber, nameOf, t } from '../i18n.js';
import { useLatest } from '../latest.js';
import { within } from '../reference.js';
import { href, navigate } from '../router.js';
import { Loading, Problem, Section } from '../ui.jsx';

const REFRESH_MS = 60000;
const CARDS = ['reported', 'accepted', 'resolved', 'overdue', 'reopened'];
const FIGURES = ['reported', 'resolved', 'overdue', 'reopened'];
const RANK_COLUMNS = ['composite', 'score', 'response_rate', 'resolution_rate', 'satisfaction_rate', 'bad_reviews'];

function monthsBack(period, count) {
  const [year, month] = period.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 - (count - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

function thisMonth() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: countyZone(), year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
}

function percent(rate) {
  return rate === null || rate === undefined ? '—' : formatNumber(rate, { style: 'percent', maximumFractionDigits: 1 });
}

function Chart({ option, label, onClick, charts }) {
  const element = useRef(null);
  useEffect(() => {
    charts.draw(element.current, option, onClick);
  });
  useEffect(() => () => charts.dispose(element.current), []);
  return <div class="chart" ref={element} role="img" aria-label={label} />;
}

async function download(path, name) {
  const text = await api(path, { accept: 'text/csv' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function Dashboard({ session, route }) {
  const { me, ref } = session;
  const params = route.params;
  const node = params.node || me.node?.code || ref.root;
  const period = params.period || thisMonth();
  const figure = FIGURES.includes(params.figure) ? params.figure : 'reported';
  const big = params.big === '1';
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [charts, setCharts] = useState(null);
  const set = (changes) => navigate('/dashboard', { ...params, ...changes });

  const children = (ref.children.get(node) || []).map((c) => ref.nodes.get(c));
  const latest = useLatest();
  const load = async () => {
    const only = latest();
    try {
      const months = monthsBack(period, 6);
      const [stats, trend, parts, ranking] = await Promise.all([
        api(`statistics?node=${node}&period=${period}`),
        Promise.all(months.map((m) => api(`statistics?node=${node}&period=${m}`))),
        Promise.all(children.map((c) => api(`statistics?node=${c.code}&period=${period}`))),
        me.abilities.includes('rankings') && ['county', 'township', 'prefecture'].includes(rankLevel(ref, node))
          ? api(`rankings?node=${node}&level=${rankLevel(ref, node)}&year=${period.slice(0, 4)}`).catch(() => null)
          : null,
      ]);
      only(() => { setData({ stats, trend: months.map((m, i) => [m, trend[i]]), parts, ranking }); setError(null); })();
    } catch (e) {
      only(setError)(e);
    }
  };
  useEffect(() => { import('../charts.js').then(setCharts); }, []);
  useEffect(() => { setData(null); load(); }, [node, period]);
  useEffect(() => {
    const timer = setInterval(() => { if (document.visibilityState === 'visible') load(); }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [node, period]);
  useEffect(() => {
    document.body.classList.toggle('big-screen', big);
    return () => document.body.classList.remove('big-screen');
  }, [big]);

  const place = ref.nodes.get(node);
  return (
    <div class={big ? 'dashboard big' : 'dashboard'}>
      <h1>{t('dashboard.title', { place: nameOf(place?.names) })}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filters.label')}>
        <label>{t('dashboard.period')}
          <input type="month" value={period} onChange={(e) => e.currentTarget.value && set({ period: e.currentTarget.value })} />
        </label>
        <label>{t('dashboard.figure')}
          <select value={figure} onChange={(e) => set({ figure: e.currentTarget.value })}>
            {FIGURES.map((f) => <option value={f}>{t(`metric.${f}`)}</option>)}
          </select>
        </label>
        {place?.parent && within(place.parent, me.node?.code || ref.root) &&
          <a href={href('/dashboard', { ...params, node: place.parent })}>{t('dashboard.up')}</a>}
        <button type="button" onClick={() => set({ big: big ? undefined : '1' })}>
          {big ? t('dashboard.leave_big') : t('dashboard.big')}</button>
        <button type="button" onClick={() => download(`statistics?node=${node}&period=${period}&format=csv`,
          `statistics-${node}-${period}.csv`)}>{t('dashboard.csv')}</button>
      </form>
      {error && <Problem error={error} onRetry={load} />}
      {!data && !error && <Loading />}
      {data && <Figures session={session} data={data} node={node} period={period} figure={figure}
        children={children} charts={charts} set={set} />}
    </div>
  );
}

function rankLevel(ref, node) {
  const level = ref.nodes.get(node)?.level;
  return { prefecture: 'county', county: 'county', township: 'township' }[level] || null;
}

function Figures({ session, data, node, period, figure, children, charts, set }) {
  const { ref } = session;
  const { stats } = data;
  const categories = Object.entries(stats.metrics.reported.by_category).sort((a, b) => b[1] - a[1]);
  const nameOfCategory = (code) => nameOf(ref.categories.get(code)?.names) || code;
  const valueOf = new Map(children.map((c, i) => [c.code, data.parts[i].metrics[figure].total]));
  const grids = ref.grids.features.filter((f) => within(f.id, node));
  const mapName = `gridloop-${node}`;
  const owner = (grid) => children.find((c) => within(grid, c.code));
  if (charts) {
    charts.registerMap(mapName, { type: 'FeatureCollection', features: grids.map((f) => ({
      ...f, properties: { name: f.id } })) });
  }
  const highest = Math.max(1, ...valueOf.values());
  return (
    <>
      <div class="stat-cards">
        {CARDS.map((c) => (
          <div class="stat-card"><span class="stat-label">{t(`metric.${c}`)}</span>
            <span class="stat-value">{formatNumber(stats.metrics[c].total)}</span></div>))}
        <div class="stat-card"><span class="stat-label">{t('metric.on_time_rate')}</span>
          <span class="stat-value">{percent(stats.rates.response_rate)}</span></div>
        <div class="stat-card"><span class="stat-label">{t('metric.satisfaction_rate')}</span>
          <span class="stat-value">{percent(stats.rates.satisfaction_rate)}</span></div>
      </div>
      {charts ? (
        <div class="chart-row">
          <Section title={t('dashboard.trend')} id="dash-trend">
            <Chart charts={charts} label={t('dashboard.trend')} option={{
              tooltip: { ...charts.TOOLTIP, trigger: 'axis' }, legend: { top: 0 },
              grid: { left: 40, right: 20, top: 40, bottom: 30 },
              xAxis: { type: 'category', data: data.trend.map(([m]) => m) }, yAxis: { type: 'value', minInterval: 1 },
              series: ['reported', 'resolved', 'overdue'].map((m) => ({
                name: t(`metric.${m}`), type: 'line', data: data.trend.map(([, s]) => s.metrics[m].total) })),
            }} />
          </Section>
          <Section title={t('dashboard.map', { figure: t(`metric.${figure}`) })} id="dash-map">
            <Chart charts={charts} label={t('dashboard.map', { figure: t(`metric.${figure}`) })} option={{
              tooltip: charts.TOOLTIP,
              visualMap: { min: 0, max: highest, left: 10, bottom: 10, calculable: false,
                inRange: { color: ['#e3eef9', '#0b5cad'] }, text: [String(highest), '0'] },
              series: [{ type: 'map', map: mapName, roam: false, selectedMode: false,
                data: grids.map((g) => ({ name: g.id, value: valueOf.get(owner(g.id)?.code) ?? 0 })),
                label: { show: false }, emphasis: { label: { show: false } },
                nameMap: Object.fromEntries(grids.map((g) => [g.id, nameOf(ref.nodes.get(owner(g.id)?.code)?.names)])) }],
            }} onClick={(e) => { const child = owner(e.name); if (child && child.level !== 'grid') set({ node: child.code }); }} />
          </Section>
        </div>) : <Loading />}
      <div class="chart-row">
        <Section title={t('dashboard.by_category')} id="dash-categories">
          <table>
            <thead><tr><th scope="col">{t('field.category')}</th><th scope="col">{t('metric.reported')}</th>
              <th scope="col">{t('metric.resolved')}</th><th scope="col">{t('metric.overdue')}</th></tr></thead>
            <tbody>
              {categories.length === 0 && <tr><td colSpan={4}>{t('dashboard.nothing')}</td></tr>}
              {categories.map(([code, n]) => (
                <tr><th scope="row"><a href={href('/cases', { category: code, node })}>{nameOfCategory(code)}</a></th>
                  <td>{n}</td><td>{stats.metrics.resolved.by_category[code] || 0}</td>
                  <td>{stats.metrics.overdue.by_category[code] || 0}</td></tr>))}
            </tbody>
          </table>
        </Section>
        <Section title={t('dashboard.places', { figure: t(`metric.${figure}`) })} id="dash-places">
          <table>
            <thead><tr><th scope="col">{t('field.place')}</th><th scope="col">{t(`metric.${figure}`)}</th></tr></thead>
            <tbody>{children.map((c) => (
              <tr><th scope="row">{c.level === 'grid' ? nameOf(c.names)
                : <a href={href('/dashboard', { node: c.code, period, figure })}>{nameOf(c.names)}</a>}</th>
                <td>{valueOf.get(c.code)}</td></tr>))}</tbody>
          </table>
        </Section>
      </div>
      {data.ranking && (
        <Section title={t('dashboard.ranking', { year: data.ranking.year })} id="dash-ranking">
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">{t('dashboard.rank')}</th><th scope="col">{t('field.lead')}</th>
              {RANK_COLUMNS.map((k) => <th scope="col">{t(`score.${k}`)}</th>)}</tr></thead>
            <tbody>{data.ranking.items.map((row) => (
              <tr><td>{row.rank}</td><th scope="row">{nameOf(row.names)}</th>
                {RANK_COLUMNS.map((k) => <td>{k.endsWith('_rate') ? percent(row[k])
                  : formatNumber(row[k], { maximumFractionDigits: 2 })}</td>)}</tr>))}</tbody>
          </table></div>
        </Section>)}
    </>
  );
}
