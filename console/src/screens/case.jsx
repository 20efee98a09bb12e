// The case panel: what the case says, where it is (a pin on its grid's outline), its photos, timeline and possible
// duplicates, and one button per action the API allows the caller now, each with the form the OpenAPI document
// describes. A case outside the caller's place answers 404 and shows "not found", nothing else.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ActionForm } from '../form.jsx';
import { countyZone, nameOf, t } from '../i18n.js';
import { useLatest } from '../latest.js';
import { allPages } from '../pages.js';
import { GridMap } from '../map.jsx';
import { actionLabel, actionSchema, openapi } from '../openapi.js';
import { parentOf } from '../reference.js';
import { href } from '../router.js';
import { Loading, Problem, Section, Time } from '../ui.jsx';
import { Countdown } from './cases.jsx';
import { vocabulary } from '../vocabulary.js';


function Photo({ caseId, photo }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    api(`cases/${caseId}/photos/${photo.id}`).then((p) => setUrl(p.url)).catch(() => setUrl(''));
  }, [photo.id]);
  const alt = t('case.photo_alt', { phase: t(`photo.${photo.phase}`) });
  return url ? <img class="photo" src={url} alt={alt} /> : <span class="photo placeholder">{alt}</span>;
}

// After-photos chosen in the browser go straight to the bucket with the presigned POST the API hands out.
async function upload(caseId, file, phase) {
  const form = await api(`cases/${caseId}/photos`, { method: 'POST', body: { phase, content_type: file.type, size: file.size } });
  const data = new FormData();
  for (const [name, value] of Object.entries(form.upload.fields)) data.append(name, value);
  data.append('file', file);
  const answer = await fetch(form.upload.url, { method: 'POST', body: data });
  if (!answer.ok && answer.status !== 204) throw new Error(t('photo.upload_failed'));
  return form.photo_id;
}

function Contacts({ item }) {
  const [purpose, setPurpose] = useState('');
  const [shown, setShown] = useState(null);
  const [error, setError] = useState(null);
  const reveal = async (e) => {
    e.preventDefault();
    try {
      setShown(await api(`cases/${item.id}/contacts?purpose=${encodeURIComponent(purpose)}`));
      setError(null);
    } catch (problem) { setError(problem); }
  };
  return (
    <div class="contacts">
      <p class="logged-notice" role="note">{t('contacts.logged')}</p>
      {shown ? (
        <ul>{shown.residents.map((r) => <li>{r.name} · <bdi>{r.phone || '—'}</bdi></li>)}</ul>
      ) : (
        <form onSubmit={reveal} noValidate>
          <label for="contacts-purpose">{t('contacts.purpose')}</label>
          <input id="contacts-purpose" type="text" value={purpose} maxLength={200}
            onInput={(e) => setPurpose(e.currentTarget.value)} />
          <button type="submit">{t('contacts.reveal')}</button>
          {error && <p class="field-error" role="alert">{error.message}</p>}
        </form>)}
    </div>
  );
}

function Actions({ session, item, reload }) {
  const [open, setOpen] = useState(null);
  const [schema, setSchema] = useState(null);
  const [files, setFiles] = useState([]);
  const [uploaded, setUploaded] = useState([]);
  const [message, setMessage] = useState(null);
  const choose = async (action) => {
    setMessage(null);
    setSchema(await actionSchema(action));
    setOpen(action);
  };
  const act = async (body, key) => {
    await api(`cases/${item.id}/${open.replace(/_/g, '-')}`, { method: 'POST', body, idempotencyKey: key, ifMatch: item.version });
    setOpen(null);
    setMessage(t('case.done', { action: actionLabel(open) }));
    reload();
  };
  // photos first (once each, kept across a resubmit), then the action
  const prepare = async () => {
    const done = [...uploaded];
    for (const file of files.slice(done.length)) done.push(await upload(item.id, file, 'after'));
    setUploaded(done);
  };
  return (
    <div class="actions">
      {message && <p class="done" role="status">{message}</p>}
      {!item.allowed_actions.length && <p class="note">{t('case.no_actions')}</p>}
      <div class="action-buttons">
        {item.allowed_actions.map((a) => (
          <button type="button" class={open === a ? 'primary' : undefined} aria-expanded={open === a}
            onClick={() => choose(a)}>{actionLabel(a)}</button>))}
      </div>
      {open && schema && (
        <ActionForm key={open} action={open} schema={schema} context={{ ref: session.ref, item }} zone={countyZone()}
          onSubmit={act} onCancel={() => setOpen(null)} onReload={reload} prepare={open === 'resolve' ? prepare : undefined}>
          {open === 'resolve' && (
            <div class="field">
              <label for="after-photos">{t('photo.after_upload')}</label>
              <input id="after-photos" type="file" accept={vocabulary().photo_types.join(',')} multiple
                onChange={(e) => { setFiles([...e.currentTarget.files]); setUploaded([]); }} />
            </div>)}
        </ActionForm>)}
    </div>
  );
}

function Timeline({ entries }) {
  return (
    <ol class="timeline">
      {entries.map((e) => (
        <li>
          <Time iso={e.at} /> · <strong>{actionLabel(e.action)}</strong> · {e.actor?.name || e.actor?.user_id}
          {e.to_status && <span class="note"> ({t(`status.${e.from_status || 'new'}`)} → {t(`status.${e.to_status}`)})</span>}
          {e.note && <p class="timeline-note">{e.note}</p>}
        </li>))}
    </ol>
  );
}

export function CasePanel({ session, route }) {
  const id = route.path.split('/')[2];
  const [item, setItem] = useState(null);
  const [entries, setEntries] = useState([]);
  const [error, setError] = useState(null);
  // the API's own document too (read once): the label of an action the catalogue does not know yet
  const latest = useLatest();
  const load = () => {
    const only = latest();
    return Promise.all([api(`cases/${id}`), allPages(`cases/${id}/timeline?limit=100`), openapi().catch(() => null)])
      .then(only(([c, timeline]) => { setItem(c); setEntries(timeline); setError(null); }))
      .catch(only((e) => { setItem(null); setError(e); }));
  };
  useEffect(() => { load(); }, [id]);
  const back = route.params.back;
  if (error) return <Problem error={error} onRetry={error.status === 404 ? undefined : load} />;
  if (!item) return <Loading />;
  const { ref, me } = session;
  const grid = ref.grids.features.filter((f) => f.id === item.grid);
  const village = parentOf(ref, item.grid);
  const category = ref.categories.get(item.category);
  return (
    <article class="case-panel" aria-labelledby="case-title">
      {back && <p><a href={href(back)}>{t('case.back')}</a></p>}
      <h1 id="case-title"><span class="case-number">{item.number}</span> <span class="case-title">{item.title}</span></h1>
      <div class="case-grid">
        <div>
          <Section title={t('case.facts')} id="case-facts">
            <dl class="facts">
              <dt>{t('field.status')}</dt><dd>{t(`status.${item.status}`)}</dd>
              <dt>{t('field.category')}</dt><dd>{nameOf(category?.names) || item.category}{item.sensitive && ` · ${t('category.sensitive')}`}</dd>
              <dt>{t('field.urgency')}</dt><dd>{t(`urgency.${item.urgency}`)}</dd>
              <dt>{t('field.place')}</dt><dd>{village ? nameOf(village.names) : ''} · {nameOf(ref.nodes.get(item.grid)?.names)}</dd>
              <dt>{t('field.channel')}</dt><dd>{t(`channel.${item.channel}`)}</dd>
              <dt>{t('field.reported_at')}</dt><dd><Time iso={item.created_at} /></dd>
              <dt>{t('field.center')}</dt><dd>{nameOf(ref.nodes.get(item.center)?.names)}</dd>
              {item.lead_department && <><dt>{t('field.lead')}</dt><dd>{nameOf(ref.departments.get(item.lead_department)?.names)}</dd></>}
              <dt>{t('field.deadline')}</dt><dd><Countdown deadlines={item.deadlines} warnings={item.warnings} now={Date.now()} /></dd>
            </dl>
          </Section>
          <Section title={t('field.description')} id="case-description">
            <p class="case-description">{item.description}</p>
            {item.public_summary && <><h3>{t('field.public_summary')}</h3><p>{item.public_summary}</p></>}
            {item.location?.address && <p class="note">{item.location.address}</p>}
          </Section>
          <Section title={t('case.actions')} id="case-actions">
            <Actions session={session} item={item} reload={load} />
          </Section>
          <Section title={t('case.timeline')} id="case-timeline"><Timeline entries={entries} /></Section>
        </div>
        <div>
          <Section title={t('case.where')} id="case-where">
            <GridMap features={grid} pin={item.location} label={t('case.map_label', { grid: nameOf(ref.nodes.get(item.grid)?.names) })} />
          </Section>
          <Section title={t('case.photos')} id="case-photos">
            {item.photos.length ? <div class="photos">{item.photos.map((p) => <Photo caseId={item.id} photo={p} />)}</div>
              : <p class="note">{t('case.no_photos')}</p>}
          </Section>
          {item.residents.length > 0 && (
            <Section title={t('case.residents')} id="case-residents">
              <ul>{item.residents.map((r) => <li>{r.name} · <bdi>{r.phone || '—'}</bdi></li>)}</ul>
              {me.abilities.includes('contacts') && <Contacts item={item} />}
            </Section>)}
          {item.possible_duplicates?.length > 0 && (
            <Section title={t('case.duplicates')} id="case-duplicates">
              <ul>{item.possible_duplicates.map((d) => (
                <li><a href={href(`/cases/${d.id}`, { back: `/cases/${item.id}` })}>{d.number}</a> {d.title}</li>))}</ul>
            </Section>)}
        </div>
      </div>
    </article>
  );
}
