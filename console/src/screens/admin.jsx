// The administrator's screens: Open311 keys (list, issue — the key shown once —, revoke), the access log of
// personal-data reads (filters in the URL, cursor paging, CSV), households of a grid (list, register), and the
// deployment's configuration, read-only. Every route answers 403 to anyone else; the menu only hides the screens.
import '../admin.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { has, nameOf, t } from '../i18n.js';
import { usePages } from '../pages.js';
import { gridsUnder } from '../reference.js';
import { navigate } from '../router.js';
import { Loading, Problem, Section, Time } from '../ui.jsx';
import { useSubmit } from '../submit.js';

function Field({ id, label, error, children }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

function More({ cursor, onMore }) {
  return cursor ? <button type="button" class="more" onClick={onMore}>{t('admin.more')}</button> : null;
}

// -- Open311 keys ---------------------------------------------------------------------------------------------
function IssueKey({ onIssued }) {
  const [name, setName] = useState('');
  const [issued, setIssued] = useState(null);
  const { submit, error, busy, fieldError } = useSubmit((key) => api('admin/open311-keys', {
    method: 'POST', body: { name }, idempotencyKey: key,
  }), (answer) => { setIssued(answer); setName(''); onIssued(); });
  return (
    <Section title={t('admin.keys.issue')} id="admin-keys-issue">
      <form onSubmit={submit} noValidate class="inline-form" aria-label={t('admin.keys.issue')}>
        <Field id="key-name" label={t('admin.keys.name')} error={fieldError('name')}>
          <input id="key-name" value={name} maxLength={100} required
            aria-describedby={fieldError('name') ? 'key-name-error' : undefined}
            onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary" disabled={busy}>{t('admin.keys.issue')}</button>
      </form>
      {error && !error.fields.length && <Problem error={error} />}
      {issued && (
        <div class="notice" role="status">
          <p>{t('admin.keys.shown_once', { name: issued.name })}</p>
          <p><code class="secret" aria-label={t('admin.keys.key')}>{issued.api_key}</code></p>
        </div>
      )}
    </Section>
  );
}

function RevokeButton({ keyRecord, onRevoked }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const yes = useRef(null);
  const opener = useRef(null);
  useEffect(() => { if (asking) yes.current?.focus(); }, [asking]);
  const cancel = () => { setAsking(false); setTimeout(() => opener.current?.focus()); };
  const revoke = () => api(`admin/open311-keys/${keyRecord.key_id}/revoke`, { method: 'POST', body: {} })
    .then(() => { setAsking(false); onRevoked(); }, setError);
  if (keyRecord.revoked) return <span class="note">{t('admin.keys.revoked')}</span>;
  if (!asking) {
    return <button type="button" ref={opener} onClick={() => setAsking(true)}>{t('admin.keys.revoke')}</button>;
  }
  return (
    <span class="inline-form" role="group" aria-label={t('admin.keys.confirm', { name: keyRecord.name })}
      onKeyDown={(e) => e.key === 'Escape' && cancel()}>
      <span>{t('admin.keys.confirm', { name: keyRecord.name })}</span>
      <button type="button" class="danger" ref={yes} onClick={revoke}>{t('common.yes')}</button>
      <button type="button" onClick={cancel}>{t('common.no')}</button>
      {error && <Problem error={error} />}
    </span>
  );
}

export function AdminKeys() {
  const keys = usePages('admin/open311-keys?limit=100');
  return (
    <>
      <h1>{t('nav.admin_keys')}</h1>
      <IssueKey onIssued={keys.reload} />
      <Section title={t('admin.keys.list')} id="admin-keys-list">
        {keys.error && <Problem error={keys.error} />}
        {!keys.items && !keys.error && <Loading />}
        {keys.items && (keys.items.length ? (
          <div class="table-wrap">
            <table>
              <thead><tr>
                <th scope="col">{t('admin.keys.name')}</th><th scope="col">{t('admin.keys.id')}</th>
                <th scope="col">{t('admin.keys.by')}</th><th scope="col">{t('admin.keys.at')}</th>
                <th scope="col">{t('admin.keys.state')}</th>
              </tr></thead>
              <tbody>
                {[...keys.items].sort((a, b) => b.created_at.localeCompare(a.created_at)).map((k) => (
                  <tr data-key={k.key_id}>
                    <th scope="row">{k.name}</th><td><code>{k.key_id}</code></td><td>{k.created_by}</td>
                    <td><Time iso={k.created_at} /></td>
                    <td><RevokeButton keyRecord={k} onRevoked={keys.reload} /></td>
                  </tr>))}
              </tbody>
            </table>
          </div>) : <p class="empty">{t('admin.keys.none')}</p>)}
        <More cursor={keys.cursor} onMore={keys.more} />
      </Section>
    </>
  );
}

// -- the access log ---------------------------------------------------------------------------------------------
const LOG_FILTERS = ['from', 'to', 'case_id', 'user_id'];

function query(params, extra = {}) {
  const q = new URLSearchParams(Object.entries({ ...params, ...extra }).filter(([k, v]) => v && (LOG_FILTERS.includes(k)
    || k in extra)));
  return q.toString();
}

async function downloadCsv(params) {
  const text = await api(`admin/access-log?${query(params, { format: 'csv', limit: '1000' })}`, { accept: 'text/csv' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = 'access-log.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function AdminAccessLog({ route }) {
  const params = route.params;
  const [draft, setDraft] = useState(() => Object.fromEntries(LOG_FILTERS.map((k) => [k, params[k] || ''])));
  const log = usePages(`admin/access-log?${query(params, { limit: '50' })}`);
  const apply = (e) => {
    e.preventDefault();
    navigate('/admin/access-log', draft);
  };
  const fieldError = (name) => log.error?.fields?.find((f) => f.field === name)?.message;
  return (
    <>
      <h1>{t('nav.admin_access_log')}</h1>
      <p class="note">{t('admin.log.intro')}</p>
      <form class="filters" onSubmit={apply} noValidate aria-label={t('admin.log.filters')}>
        {LOG_FILTERS.map((name) => (
          <Field id={`log-${name}`} label={t(`admin.log.${name}`)} error={fieldError(name)}>
            <input id={`log-${name}`} type={name === 'from' || name === 'to' ? 'date' : 'text'} value={draft[name]}
              aria-describedby={fieldError(name) ? `log-${name}-error` : undefined}
              onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })} />
          </Field>))}
        <button type="submit" class="primary">{t('admin.log.apply')}</button>
        <button type="button" onClick={() => downloadCsv(params).catch(() => {})}>{t('admin.log.csv')}</button>
      </form>
      {log.error && !log.error.fields.length && <Problem error={log.error} />}
      {!log.items && !log.error && <Loading />}
      {log.items && (log.items.length ? (
        <div class="table-wrap">
          <table class="access-log">
            <thead><tr>
              <th scope="col">{t('admin.log.at')}</th><th scope="col">{t('admin.log.user_id')}</th>
              <th scope="col">{t('admin.log.role')}</th><th scope="col">{t('admin.log.case_id')}</th>
              <th scope="col">{t('admin.log.purpose')}</th>
            </tr></thead>
            <tbody>
              {log.items.map((e) => (
                <tr data-entry={e.entry_id}>
                  <td><Time iso={e.at} /></td><td>{e.user_id}</td><td>{t(`role.${e.role}`)}</td>
                  <td><a href={`#/cases/${e.case_id}`}><code>{e.case_id}</code></a></td><td>{e.purpose}</td>
                </tr>))}
            </tbody>
          </table>
        </div>) : <p class="empty">{t('admin.log.none')}</p>)}
      <More cursor={log.cursor} onMore={log.more} />
      <p class="note">{t('admin.log.csv_note')}</p>
    </>
  );
}

// -- households -------------------------------------------------------------------------------------------------
function RegisterHousehold({ grid, onDone }) {
  const empty = { head: '', phone: '', members: '1', address: '' };
  const [form, setForm] = useState(empty);
  const { submit, error, busy, fieldError } = useSubmit((key) => api('households', {
    method: 'POST', idempotencyKey: key, body: {
      grid, head: form.head, members: Number(form.members), address: form.address,
      ...(form.phone ? { phone: form.phone } : {}),
    },
  }), () => { setForm(empty); onDone(); });
  const input = (name, type = 'text') => (
    <Field id={`household-${name}`} label={t(`admin.households.${name}`)} error={fieldError(name)}>
      <input id={`household-${name}`} type={type} value={form[name]} min={type === 'number' ? 1 : undefined}
        aria-describedby={fieldError(name) ? `household-${name}-error` : undefined}
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
    </Field>
  );
  return (
    <form onSubmit={submit} noValidate class="stacked-form" aria-label={t('admin.households.register')}>
      {input('head')}{input('phone', 'tel')}{input('members', 'number')}{input('address')}
      {error && !error.fields.length && <Problem error={error} />}
      <button type="submit" class="primary" disabled={busy}>{t('admin.households.register')}</button>
    </form>
  );
}

function HouseholdList({ grid }) {
  const list = usePages(`households?grid=${encodeURIComponent(grid)}&limit=100`);
  return (
    <>
      <Section title={t('admin.households.register')} id="admin-households-register">
        <RegisterHousehold grid={grid} onDone={list.reload} />
      </Section>
      <Section title={t('admin.households.list')} id="admin-households-list">
        {list.error && <Problem error={list.error} />}
        {!list.items && !list.error && <Loading />}
        {list.items && (list.items.length ? (
          <div class="table-wrap">
            <table>
              <thead><tr>
                <th scope="col">{t('admin.households.head')}</th><th scope="col">{t('admin.households.members')}</th>
                <th scope="col">{t('admin.households.phone')}</th><th scope="col">{t('admin.households.address')}</th>
                <th scope="col">{t('admin.households.registered')}</th>
              </tr></thead>
              <tbody>
                {list.items.map((h) => (
                  <tr data-household={h.id}>
                    <th scope="row">{h.head}</th><td>{h.members}</td><td>{h.phone || '—'}</td>
                    <td>{h.address || '—'}</td><td><Time iso={h.created_at} /></td>
                  </tr>))}
              </tbody>
            </table>
          </div>) : <p class="empty">{t('points.no_households')}</p>)}
        <More cursor={list.cursor} onMore={list.more} />
      </Section>
    </>
  );
}

export function AdminHouseholds({ session, route }) {
  const { me, ref } = session;
  const grids = useMemo(() => (me.node ? gridsUnder(ref, me.node.code).map((f) => f.id) : []), []);
  const grid = route.params.grid || '';
  return (
    <>
      <h1>{t('nav.admin_households')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('field.grid')}
          <select value={grid} onChange={(e) => navigate('/admin/households', { grid: e.currentTarget.value })}>
            <option value="">—</option>
            {grids.map((g) => <option value={g}>{nameOf(ref.nodes.get(g)?.names) || g}</option>)}
          </select>
        </label>
      </form>
      {grid ? <HouseholdList grid={grid} key={grid} /> : <p class="empty">{t('admin.households.pick')}</p>}
    </>
  );
}

// -- configuration ----------------------------------------------------------------------------------------------
function Value({ value }) {
  if (value === null || value === undefined) return <span class="note">—</span>;
  if (typeof value === 'boolean') return <span>{value ? t('common.yes') : t('common.no')}</span>;
  if (Array.isArray(value)) {
    if (!value.length) return <span class="note">—</span>;
    return value.every((v) => typeof v !== 'object') ? <bdi dir="ltr">{value.join(', ')}</bdi>
      : <ol class="config-list">{value.map((v) => <li><Value value={v} /></li>)}</ol>;
  }
  if (typeof value === 'object') {
    // unset entries left out; a duration such as {minutes: 30} reads on one line
    const shown = Object.entries(value).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length));
    if (shown.length === 1 && typeof shown[0][1] !== 'object') {
      return <span><Value value={shown[0][1]} /> <bdi dir="ltr">{shown[0][0]}</bdi></span>;
    }
    return (
      <dl class="config">
        {shown.map(([k, v]) => <><dt><bdi dir="ltr">{k}</bdi></dt><dd><Value value={v} /></dd></>)}
      </dl>
    );
  }
  return <bdi dir="ltr">{String(value)}</bdi>;
}

export function AdminConfiguration() {
  const [config, setConfig] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api('admin/configuration').then(setConfig, setError); }, []);
  if (error) return <Problem error={error} />;
  if (!config) return <Loading />;
  const { counts, ...rest } = config;
  return (
    <>
      <h1>{t('nav.admin_configuration')}</h1>
      <p class="note">{t('admin.config.intro')}</p>
      <Section title={t('admin.config.counts')} id="admin-config-counts">
        <dl class="config">
          {Object.entries(counts).map(([k, v]) => <><dt>{t(`admin.config.count.${k}`)}</dt><dd>{v}</dd></>)}
        </dl>
      </Section>
      {Object.entries(rest).map(([section, value]) => (
        <Section title={has(`admin.config.section.${section}`) ? t(`admin.config.section.${section}`) : section}
          id={`admin-config-${section}`}><Value value={value} /></Section>))}
    </>
  );
}
