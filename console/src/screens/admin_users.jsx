// Users, for the administrator: the people of one role (from the user pool), a new user (the temporary password
// shown once), a user's role and place, disabling. Where the deployment's users are not in a user pool the API
// manages (an external OIDC issuer; the local stack) the API answers 409 users_managed_elsewhere: the screen then
// says where they are managed, read-only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { usePages } from '../pages.js';
import { navigate } from '../router.js';
import { Loading, Problem, Section } from '../ui.jsx';
import { useSubmit } from '../submit.js';
import { vocabulary } from '../vocabulary.js';


function placeName(reference, user) {
  if (user.department) return nameOf(reference.departments.get(user.department)?.names) || user.department;
  const code = user.grid || user.node;
  return code ? (nameOf(reference.nodes.get(code)?.names) || code) : '—';
}

// the places a role may be given: grids, departments or the other nodes, by name
function PlacePicker({ id, role, value, onChange, reference, error }) {
  const kind = vocabulary().role_places[role];
  const options = kind === 'department' ? [...reference.departments.values()].map((d) => [d.id, nameOf(d.names)])
    : [...reference.nodes.values()].filter((n) => (n.level === 'grid') === (kind === 'grid'))
      .map((n) => [n.code, nameOf(n.names)]);
  return (
    <div class="field">
      <label for={id}>{t(`admin.users.place.${kind}`)}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}
        aria-describedby={error ? `${id}-error` : undefined}>
        <option value="">—</option>
        {options.map(([code, label]) => <option value={code}>{label}</option>)}
      </select>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

function CreateUser({ reference, role, onCreated }) {
  const empty = { username: '', name: '', place: '' };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState(null);
  const { submit, error, busy, fieldError } = useSubmit((key) => api('admin/users', {
    method: 'POST', idempotencyKey: key, body: { ...form, role },
  }), (answer) => { setCreated(answer); setForm(empty); onCreated(); });
  const text = (name) => (
    <div class="field">
      <label for={`user-${name}`}>{t(`admin.users.${name}`)}</label>
      <input id={`user-${name}`} value={form[name]} aria-describedby={fieldError(name) ? `user-${name}-error` : undefined}
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      {fieldError(name) && <p class="field-error" id={`user-${name}-error`}>{fieldError(name)}</p>}
    </div>
  );
  return (
    <form onSubmit={submit} noValidate class="stacked-form" aria-label={t('admin.users.create')}>
      {text('username')}{text('name')}
      <PlacePicker id="user-place" role={role} value={form.place} reference={reference} error={fieldError('place')}
        onChange={(place) => setForm({ ...form, place })} />
      {error && !error.fields.length && <Problem error={error} />}
      <button type="submit" class="primary" disabled={busy}>{t('admin.users.create')}</button>
      {created && (
        <div class="notice" role="status">
          <p>{t('admin.users.created', { username: created.username })}</p>
          <p><code class="secret">{created.temporary_password}</code></p>
        </div>
      )}
    </form>
  );
}

// one user's row: change role and place (a small form), or disable (asks first; Escape cancels)
function UserActions({ user, reference, onChanged }) {
  const [mode, setMode] = useState(null);
  const [role, setRole] = useState(user.role);
  const [place, setPlace] = useState('');
  const first = useRef(null);
  useEffect(() => { if (mode) first.current?.focus(); }, [mode]);
  const assign = useSubmit(() => api(`admin/users/${user.username}/assignment`, { method: 'POST', body: { role, place } }),
    () => { setMode(null); onChanged(); });
  const disable = useSubmit(() => api(`admin/users/${user.username}/disable`, { method: 'POST', body: {} }),
    () => { setMode(null); onChanged(); });
  if (mode === 'assign') {
    return (
      <form class="inline-form" onSubmit={assign.submit} noValidate onKeyDown={(e) => e.key === 'Escape' && setMode(null)}
        aria-label={t('admin.users.assign_for', { username: user.username })}>
        <div class="field">
          <label for={`role-${user.username}`}>{t('admin.users.role')}</label>
          <select id={`role-${user.username}`} ref={first} value={role}
            onChange={(e) => { setRole(e.currentTarget.value); setPlace(''); }}>
            {Object.keys(vocabulary().role_places).map((r) => <option value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </div>
        <PlacePicker id={`place-${user.username}`} role={role} value={place} reference={reference} onChange={setPlace}
          error={assign.fieldError('place')} />
        <button type="submit" class="primary" disabled={assign.busy}>{t('admin.users.save')}</button>
        <button type="button" onClick={() => setMode(null)}>{t('common.no')}</button>
        {assign.error && !assign.error.fields.length && <Problem error={assign.error} />}
      </form>
    );
  }
  if (mode === 'disable') {
    return (
      <span class="inline-form" role="group" onKeyDown={(e) => e.key === 'Escape' && setMode(null)}
        aria-label={t('admin.users.disable_confirm', { username: user.username })}>
        <span>{t('admin.users.disable_confirm', { username: user.username })}</span>
        <button type="button" class="danger" ref={first} onClick={disable.submit}>{t('common.yes')}</button>
        <button type="button" onClick={() => setMode(null)}>{t('common.no')}</button>
        {disable.error && <Problem error={disable.error} />}
      </span>
    );
  }
  return (
    <span class="inline-form">
      <button type="button" onClick={() => setMode('assign')}>{t('admin.users.assign')}</button>
      {user.enabled && <button type="button" onClick={() => setMode('disable')}>{t('admin.users.disable')}</button>}
    </span>
  );
}

export function AdminUsers({ session, route }) {
  const { ref: reference } = session;
  const role = route.params.role in vocabulary().role_places ? route.params.role : 'station';
  const { page, error, more, reload } = usePages(`admin/users?role=${role}&limit=50`);
  const elsewhere = error?.code === 'users_managed_elsewhere';
  return (
    <>
      <h1>{t('nav.admin_users')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('admin.users.role')}
          <select value={role} onChange={(e) => navigate('/admin/users', { role: e.currentTarget.value })}>
            {Object.keys(vocabulary().role_places).map((r) => <option value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </label>
      </form>
      {elsewhere && (
        <Section title={t('admin.users.elsewhere')} id="admin-users-elsewhere">
          <p>{t('admin.users.elsewhere_intro')}</p>
          <p lang="en" dir="ltr" class="server-message">{error.detail || error.message}</p>
          <p>{t('admin.users.command')}</p>
          <pre lang="en" dir="ltr">{'aws cognito-idp admin-create-user --user-pool-id <pool id> --username <name> \\\n'
            + '  --user-attributes Name=name,Value=<name> Name=custom:node,Value=<node code>\n'
            + 'aws cognito-idp admin-add-user-to-group --user-pool-id <pool id> --username <name> --group-name <role>'}</pre>
        </Section>
      )}
      {error && !elsewhere && <Problem error={error} />}
      {!page && !error && <Loading />}
      {page && (
        <>
          <Section title={t('admin.users.create')} id="admin-users-create">
            <CreateUser reference={reference} role={role} onCreated={reload} key={role} />
          </Section>
          <Section title={t('admin.users.list', { role: t(`role.${role}`) })} id="admin-users-list">
            {page.items.length ? (
              <div class="table-wrap">
                <table>
                  <thead><tr>
                    <th scope="col">{t('admin.users.username')}</th><th scope="col">{t('admin.users.name')}</th>
                    <th scope="col">{t('admin.users.place')}</th><th scope="col">{t('admin.keys.state')}</th>
                    <th scope="col">{t('admin.users.actions')}</th>
                  </tr></thead>
                  <tbody>
                    {page.items.map((u) => (
                      <tr data-user={u.username}>
                        <th scope="row">{u.username}</th><td>{u.name}</td><td>{placeName(reference, u)}</td>
                        <td>{u.enabled ? t('admin.users.enabled') : t('admin.users.disabled')}</td>
                        <td><UserActions user={{ ...u, role }} reference={reference} onChanged={reload} /></td>
                      </tr>))}
                  </tbody>
                </table>
              </div>) : <p class="empty">{t('admin.users.none')}</p>}
            {page.cursor && <button type="button" class="more" onClick={more}>{t('admin.more')}</button>}
          </Section>
        </>
      )}
    </>
  );
}
