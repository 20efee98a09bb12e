// Points: the evaluation group records a rule's points for a household of its village and corrects an entry by a
// reversal (once); the supermarket's clerk redeems a household's points for goods and sees the stock. Rules, items
// and prices come from GET /points-catalogue; every write carries an Idempotency-Key kept until it succeeds.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatNumber, nameOf, t } from '../i18n.js';
import { householdMatches, useAllPages, usePages } from '../pages.js';
import { gridsUnder, within } from '../reference.js';
import { href, navigate } from '../router.js';
import { Detail, Loading, Problem, Section, Time } from '../ui.jsx';
import { useSubmit } from '../submit.js';

function useCatalogue() {
  const [catalogue, setCatalogue] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api('points-catalogue').then(setCatalogue, setError); }, []);
  return [catalogue, error];
}

function month(offset = 0) {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
}

function FieldError({ id, text }) {
  return text ? <p class="field-error" id={id}>{text}</p> : null;
}

function HouseholdPicker({ session, grids, params, path }) {
  const { ref } = session;
  const [filter, setFilter] = useState('');
  const grid = params.grid || '';
  const { items, done, error } = useAllPages(grid && `households?grid=${encodeURIComponent(grid)}&limit=100`);
  const shown = items ? items.filter((h) => householdMatches(h, filter)) : [];
  return (
    <Section title={t('points.households')} id="points-households">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('field.grid')}
          <select value={grid} onChange={(e) => navigate(path, { grid: e.currentTarget.value })}>
            <option value="">—</option>
            {grids.map((g) => <option value={g}>{nameOf(ref.nodes.get(g)?.names) || g}</option>)}
          </select>
        </label>
        {grid && (
          <label>{t('points.find')}
            <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)}
              aria-describedby="points-find-hint" />
          </label>)}
      </form>
      {grid && <p class="note" id="points-find-hint">{t('points.find_hint')}</p>}
      {error && <Problem error={error} />}
      {grid && !items && !error && <Loading />}
      {items && (
        <p class="note" role="status">
          {done ? t('points.shown', { n: shown.length, total: items.length }) : t('points.loading_more', { n: items.length })}
        </p>)}
      {items && (items.length ? (
        <ul class="links households">
          {shown.slice(0, 200).map((h) => (
            <li><a href={href(path, { grid, household: h.id })} aria-current={params.household === h.id ? 'true' : undefined}>
              <bdi>{h.head}</bdi></a> <span class="note">· {t('points.members', { n: h.members })}
              {h.address ? <> · <bdi>{h.address}</bdi></> : ''}{h.phone ? <> · <bdi>{h.phone}</bdi></> : ''}</span></li>))}
        </ul>) : <p class="empty">{t('points.no_households')}</p>)}
      {shown.length > 200 && <p class="note">{t('points.narrow')}</p>}
    </Section>
  );
}

// A household's ledger, newest entries first, 50 a page ("earlier entries" reads the next): a household earning
// daily points passes 100 entries in a few months, and its latest are the ones to see and correct.
function useLedger(household) {
  const { page, reload, more } = usePages(household && `households/${household}/ledger?order=newest&limit=50`);
  return { ledger: page, reload, more };
}

function Ledger({ ledger, rules, onReverse, onMore }) {
  const [reversing, setReversing] = useState(null);
  const reversed = new Set(ledger.items.filter((e) => e.reverses).map((e) => e.reverses));
  return (
    <div class="table-wrap">
      <table class="ledger">
        <thead><tr>
          <th scope="col">#</th><th scope="col">{t('points.when')}</th><th scope="col">{t('points.entry')}</th>
          <th scope="col">{t('points.points')}</th><th scope="col">{t('field.reason')}</th>
          {onReverse && <th scope="col">{t('points.correct')}</th>}
        </tr></thead>
        <tbody>
          {ledger.items.map((e) => (
            <tr data-seq={e.seq}>
              <td>{e.seq}</td><td><Time iso={e.at} /></td>
              <td>{t(`points.kind.${e.kind}`)}{e.rule && ` · ${nameOf(rules.find((r) => r.code === e.rule)?.names) || e.rule}`}
                {e.reverses && ` · #${e.reverses}`}</td>
              <td class={e.points < 0 ? 'negative' : undefined}>{e.points > 0 ? `+${e.points}` : e.points}</td>
              <td>{e.reason}</td>
              {onReverse && <td>{['award', 'penalty'].includes(e.kind) && !reversed.has(e.seq) && (
                reversing === e.seq ? <ReverseForm entry={e} onDone={() => { setReversing(null); onReverse(); }} />
                  : <button type="button" onClick={() => setReversing(e.seq)}>{t('points.reverse')}</button>)}</td>}
            </tr>))}
        </tbody>
      </table>
      {ledger.cursor && <button type="button" class="more" onClick={onMore}>{t('points.earlier')}</button>}
    </div>
  );
}

function ReverseForm({ entry, onDone }) {
  const [reason, setReason] = useState('');
  const household = new URLSearchParams(location.hash.split('?')[1]).get('household');
  const { submit, error, busy, fieldError } = useSubmit((key) => api(`households/${household}/ledger/${entry.seq}/reversal`,
    { method: 'POST', body: { reason }, idempotencyKey: key }), onDone);
  const id = `reverse-${entry.seq}`;
  return (
    <form onSubmit={submit} noValidate class="inline-form" aria-label={t('points.reverse')}>
      <label for={id}>{t('field.reason')}</label>
      <input id={id} type="text" maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
        aria-invalid={fieldError('reason') ? 'true' : undefined} />
      <button type="submit" class="primary" disabled={busy}>{t('points.reverse')}</button>
      <FieldError text={fieldError('reason') || (error && !error.fields?.length ? error.message : null)} />
    </form>
  );
}

function RecordForm({ household, rules, catalogue, onDone }) {
  const [rule, setRule] = useState('');
  const [reason, setReason] = useState('');
  const [forMonth, setForMonth] = useState(month());
  const chosen = rules.find((r) => r.code === rule);
  const { submit, error, busy, fieldError } = useSubmit((key) => api(`households/${household}/points`, {
    method: 'POST', idempotencyKey: key,
    body: { rule, reason, ...(chosen?.kind === 'monthly_score' ? { month: forMonth } : {}) },
  }), (answer) => { setReason(''); onDone(answer); });
  const late = new Date().getUTCDate() <= catalogue.previous_month_days;
  return (
    <form class="action-form" onSubmit={submit} noValidate aria-label={t('points.record')}>
      {error && !error.fields?.length && <div class="problem" role="alert"><p>{error.message}</p><Detail error={error} /></div>}
      <div class="field">
        <label for="pt-rule">{t('points.rule')} <span aria-hidden="true">*</span></label>
        <select id="pt-rule" value={rule} onChange={(e) => setRule(e.currentTarget.value)}
          aria-invalid={fieldError('rule') ? 'true' : undefined} aria-describedby="pt-rule-error">
          <option value="">—</option>
          {rules.map((r) => <option value={r.code}>{nameOf(r.names)} ({r.points > 0 ? `+${r.points}` : r.points}
            {r.monthly_cap ? ` · ${t('points.cap', { n: r.monthly_cap })}` : ''})</option>)}
        </select>
        <FieldError id="pt-rule-error" text={fieldError('rule')} />
      </div>
      {chosen?.kind === 'monthly_score' && (
        <div class="field">
          <label for="pt-month">{t('points.month')}</label>
          <select id="pt-month" value={forMonth} onChange={(e) => setForMonth(e.currentTarget.value)}>
            <option value={month()}>{month()}</option>
            {late && <option value={month(-1)}>{month(-1)}</option>}
          </select>
          <FieldError text={fieldError('month')} />
        </div>)}
      <div class="field">
        <label for="pt-reason">{t('field.reason')} <span aria-hidden="true">*</span></label>
        <input id="pt-reason" type="text" maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
          aria-invalid={fieldError('reason') ? 'true' : undefined} aria-describedby="pt-reason-error" />
        <FieldError id="pt-reason-error" text={fieldError('reason')} />
      </div>
      <div class="form-buttons"><button type="submit" class="primary" disabled={busy}>{t('points.record')}</button></div>
    </form>
  );
}

export function Points({ session, route }) {
  const { me, ref } = session;
  const [catalogue, error] = useCatalogue();
  const [message, setMessage] = useState(null);
  const { params } = route;
  const grids = useMemo(() => (me.node ? gridsUnder(ref, me.node.code).map((f) => f.id) : []), []);
  const { ledger, reload, more } = useLedger(params.household);
  if (error) return <Problem error={error} />;
  if (!catalogue) return <Loading />;
  const rules = catalogue.rules.filter((r) => params.grid && within(params.grid, r.scope));
  return (
    <>
      <h1>{t('nav.points')}</h1>
      <div class="cards">
        <HouseholdPicker session={session} grids={grids} params={params} path="/points" />
        {ledger && (
          <Section title={t('points.balance', { n: formatNumber(ledger.balance) })} id="points-record">
            {message && <p class="done" role="status">{message}</p>}
            <RecordForm household={params.household} rules={rules} catalogue={catalogue}
              onDone={(answer) => { setMessage(t('points.recorded', { n: answer.entry.points, balance: answer.balance })); reload(); }} />
          </Section>)}
      </div>
      {ledger && (
        <Section title={t('points.ledger')} id="points-ledger">
          <Ledger ledger={ledger} rules={catalogue.rules} onMore={more} onReverse={() => { setMessage(t('points.reversed')); reload(); }} />
        </Section>)}
    </>
  );
}

export function Redemptions({ session, route }) {
  const { me, ref } = session;
  const [catalogue, error] = useCatalogue();
  const [stock, setStock] = useState(null);
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [message, setMessage] = useState(null);
  const { params } = route;
  const market = catalogue?.supermarkets.find((m) => m.node === me.node?.code);
  const grids = useMemo(() => (me.node ? gridsUnder(ref, me.node.code).map((f) => f.id) : []), []);
  const loadStock = () => market && api(`supermarkets/${market.id}/stock`).then(setStock);
  const { ledger, reload: loadLedger, more } = useLedger(params.household);
  useEffect(() => { loadStock(); }, [market?.id]);
  const { submit, error: refused, busy, fieldError } = useSubmit((key) => api(`supermarkets/${market.id}/redemptions`, {
    method: 'POST', idempotencyKey: key, body: { household_id: params.household, sku, quantity: Number(quantity) },
  }), (answer) => { setMessage(t('redeem.done', { n: answer.order.points, balance: answer.balance })); loadStock(); loadLedger(); });
  if (error) return <Problem error={error} />;
  if (!catalogue) return <Loading />;
  if (!market) return <p class="empty">{t('redeem.no_market')}</p>;
  return (
    <>
      <h1>{nameOf(market.names)}</h1>
      <div class="cards">
        <HouseholdPicker session={session} grids={grids} params={params} path="/redemptions" />
        <Section title={t('redeem.stock')} id="redeem-stock">
          {!stock ? <Loading /> : (
            <table>
              <thead><tr><th scope="col">{t('redeem.item')}</th><th scope="col">{t('redeem.price')}</th>
                <th scope="col">{t('redeem.in_stock')}</th></tr></thead>
              <tbody>{stock.items.map((i) => (
                <tr data-sku={i.sku}><th scope="row">{nameOf(i.names)}</th><td>{i.price}</td><td>{i.stock}</td></tr>))}</tbody>
            </table>)}
        </Section>
      </div>
      {ledger && (
        <Section title={t('points.balance', { n: formatNumber(ledger.balance) })} id="redeem-form">
          {message && <p class="done" role="status">{message}</p>}
          <form class="action-form" onSubmit={(e) => { setMessage(null); submit(e); }} noValidate aria-label={t('redeem.submit')}>
            {refused && !refused.fields?.length && <div class="problem" role="alert"><p>{refused.message}</p><Detail error={refused} /></div>}
            <div class="field">
              <label for="rd-sku">{t('redeem.item')} <span aria-hidden="true">*</span></label>
              <select id="rd-sku" value={sku} onChange={(e) => setSku(e.currentTarget.value)}
                aria-invalid={fieldError('sku') ? 'true' : undefined}>
                <option value="">—</option>
                {market.items.map((i) => <option value={i.sku}>{nameOf(i.names)} · {t('redeem.costs', { n: i.price })}</option>)}
              </select>
              <FieldError text={fieldError('sku')} />
            </div>
            <div class="field">
              <label for="rd-quantity">{t('redeem.quantity')}</label>
              <input id="rd-quantity" type="number" min={1} max={100} value={quantity}
                onInput={(e) => setQuantity(e.currentTarget.value)} aria-invalid={fieldError('quantity') ? 'true' : undefined} />
              <FieldError text={fieldError('quantity')} />
            </div>
            <div class="form-buttons"><button type="submit" class="primary" disabled={busy}>{t('redeem.submit')}</button></div>
          </form>
        </Section>)}
      {ledger && (
        <Section title={t('points.ledger')} id="redeem-ledger">
          <Ledger ledger={ledger} rules={catalogue.rules} onMore={more} />
        </Section>)}
    </>
  );
}
