// The report form: a category button, title, description, urgency, residents concerned, photos from the camera
// (shrunk on the phone) and the position from GPS, with the grid that holds it preselected. "Send" writes the
// report to the outbox first; it leaves the phone when the server has confirmed it. A refusal comes back to this
// form (the member's text kept, the server's message next to the field it names) and goes again with its key.
import { useEffect, useRef, useState } from 'preact/hooks';
import { nameOf, t } from '../i18n.js';
import { navigate } from '../router.js';
import { currentPosition, gridAt } from './geo.js';
import { enqueue, revise, sendWaiting, watchOutbox } from './outbox.js';
import { shrink } from './photos.js';
import { outbox } from './store.js';
import { vocabulary } from '../vocabulary.js';

const SETTLE_MS = 8000;      // how long the form waits for the server before saying "kept, will send"

function fieldOf(path) {
  const head = String(path || '').split(/[.[]/)[0];
  return ['category', 'kind', 'title', 'description', 'urgency', 'residents', 'grid', 'location', 'observed_at']
    .includes(head) ? (head === 'kind' ? 'category' : head) : 'form';
}

export function errorsByField(error) {
  if (!error) return {};
  const found = {};
  for (const f of error.fields?.length ? error.fields : [{ field: 'form', message: error.message }]) {
    const key = fieldOf(f.field);
    found[key] = [found[key], f.message].filter(Boolean).join(' ');
  }
  return found;
}

function FieldError({ id, text }) {
  return text ? <p class="field-error" id={id} role="alert">{text}</p> : null;
}

function Thumb({ blob, onRemove, index }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return (
    <li class="thumb">
      {url && <img src={url} alt={t('phone.photo_n', { n: index + 1 })} />}
      {onRemove && <button type="button" class="remove" onClick={onRemove}>{t('phone.remove_photo', { n: index + 1 })}</button>}
    </li>
  );
}

function centre(feature) {
  const ring = feature.geometry.coordinates[0];
  const points = ring.slice(0, -1);
  return { lat: points.reduce((s, p) => s + p[1], 0) / points.length, lon: points.reduce((s, p) => s + p[0], 0) / points.length };
}

function blank() {
  return { category: '', title: '', description: '', urgency: 'normal', residents: [], grid: '', photos: [] };
}

export function ReportForm({ profile, edit }) {
  const { me, grids, categories } = profile;
  const [form, setForm] = useState(blank);
  const [position, setPosition] = useState(undefined);     // undefined: asking; null: none
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [shrinking, setShrinking] = useState(false);
  const [notice, setNotice] = useState(null);
  const editing = useRef(null);       // the outbox item a correction revises
  const observed = useRef(null);
  const set = (name, value) => setForm((f) => ({ ...f, [name]: value }));

  const locate = async () => {
    setPosition(undefined);
    const found = await currentPosition();
    setPosition(found);
    if (!editing.current) setForm((f) => ({ ...f, grid: gridAt(grids, found) || '' }));
  };
  useEffect(() => {
    if (edit) {
      outbox.get(edit).then((item) => {
        if (!item) return;
        editing.current = item;
        const b = item.body;
        setForm({ category: b.category, title: b.title, description: b.description, urgency: b.urgency,
          residents: b.residents, grid: b.grid, photos: item.photos.map((p) => p.blob) });
        setPosition({ lat: b.location.lat, lon: b.location.lon });
        setErrors(errorsByField(item.error));
      });
    } else locate();
  }, []);

  const addPhotos = async (files) => {
    setShrinking(true);
    try {
      const shrunk = [];
      for (const file of files) {
        observed.current ||= file.lastModified ? new Date(file.lastModified).toISOString() : null;
        shrunk.push((await shrink(file)).blob);
      }
      setForm((f) => ({ ...f, photos: [...f.photos, ...shrunk] }));
      setErrors((e) => ({ ...e, photos: undefined }));
    } catch {
      setErrors((e) => ({ ...e, photos: t('phone.photo_unreadable') }));
    } finally { setShrinking(false); }
  };

  const check = () => {
    const missing = {};
    if (!form.category) missing.category = t('phone.choose_category');
    if (!form.title.trim()) missing.title = t('phone.required');
    if (!form.description.trim()) missing.description = t('phone.required');
    if (!form.grid) missing.grid = t('phone.choose_grid');
    form.residents.forEach((r, i) => { if (!r.name.trim()) missing[`resident-${i}`] = t('phone.required'); });
    return missing;
  };

  const submit = async (e) => {
    e.preventDefault();
    const missing = check();
    setErrors(missing);
    if (Object.keys(missing).length) return;
    const category = categories.find((c) => c.code === form.category);
    const grid = grids.find((g) => g.id === form.grid);
    const spot = position || centre(grid);
    const body = { kind: category.kind, category: form.category, title: form.title.trim(),
      description: form.description.trim(), grid: form.grid, urgency: form.urgency, channel: 'grid_visit',
      location: { lat: spot.lat, lon: spot.lon },
      residents: form.residents.map((r) => ({ name: r.name.trim(), ...(r.phone.trim() ? { phone: r.phone.trim() } : {}) })),
      observed_at: editing.current?.body.observed_at || observed.current || new Date().toISOString() };
    setBusy(true);
    setNotice(null);
    const item = editing.current ? await revise(editing.current.key, body) : await enqueue(me.user_id, body, form.photos);
    let outcome = 'kept';
    const settled = new Promise((resolve) => {
      const stop = watchOutbox((event) => {
        if (event.item?.key !== item.key) return;
        if (event.kind === 'sent') { outcome = { sent: event.item.number }; stop(); resolve(); }
        if (event.kind === 'refused') { outcome = { refused: event.item }; stop(); resolve(); }
      });
      sendWaiting(me.user_id).then(() => setTimeout(() => { stop(); resolve(); }, 0));
      setTimeout(() => { stop(); resolve(); }, SETTLE_MS);
    });
    await settled;
    setBusy(false);
    if (outcome.refused) {
      editing.current = outcome.refused;
      setErrors(errorsByField(outcome.refused.error));
      requestAnimationFrame(() => document.querySelector('.report .field-error')?.scrollIntoView({ block: 'center' }));
      return;
    }
    editing.current = null;
    observed.current = null;
    setForm({ ...blank(), grid: form.grid });
    setErrors({});
    setNotice(outcome.sent ? t('phone.sent', { number: outcome.sent }) : t('phone.kept'));
    window.scrollTo(0, 0);      // the notice and what waits are at the top
    if (edit) navigate('/', {}, { replace: true });
  };

  const described = (name) => (errors[name] ? `${name}-error` : undefined);
  return (
    <form class="report" onSubmit={submit} noValidate aria-labelledby="report-title">
      <h1 id="report-title">{editing.current ? t('phone.correct_title') : t('phone.report_title')}</h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <FieldError id="form-error" text={errors.form} />
      <fieldset class="categories" aria-describedby={described('category')}>
        <legend>{t('field.category')}</legend>
        <div class="category-buttons">
          {categories.map((c) => (
            <button type="button" class={`category ${c.kind}`} aria-pressed={form.category === c.code ? 'true' : 'false'}
              onClick={() => { set('category', c.code); observed.current ||= new Date().toISOString(); }}>
              {nameOf(c.names)}
            </button>))}
        </div>
        <FieldError id="category-error" text={errors.category} />
      </fieldset>
      <div class="field">
        <label for="report-title-input">{t('field.title')}</label>
        <input id="report-title-input" type="text" value={form.title} maxLength={200} aria-describedby={described('title')}
          onInput={(e) => set('title', e.currentTarget.value)} />
        <FieldError id="title-error" text={errors.title} />
      </div>
      <div class="field">
        <label for="report-description">{t('field.description')}</label>
        <textarea id="report-description" rows="4" value={form.description} maxLength={5000}
          aria-describedby={described('description')} onInput={(e) => set('description', e.currentTarget.value)} />
        <FieldError id="description-error" text={errors.description} />
      </div>
      <fieldset class="urgency">
        <legend>{t('field.urgency')}</legend>
        {vocabulary().urgencies.map((u) => (
          <label class="choice"><input type="radio" name="urgency" value={u} checked={form.urgency === u}
            onChange={() => set('urgency', u)} /> {t(`urgency.${u}`)}</label>))}
      </fieldset>
      <fieldset class="photos-field" aria-describedby={described('photos')}>
        <legend>{t('phone.photos')}</legend>
        {form.photos.length > 0 && (
          <ul class="thumbs">{form.photos.map((blob, i) => (
            <Thumb blob={blob} index={i} onRemove={editing.current ? null
              : () => set('photos', form.photos.filter((_, j) => j !== i))} />))}</ul>)}
        {!editing.current && (
          <label class="camera">
            <span>{shrinking ? t('phone.shrinking') : t('phone.take_photo')}</span>
            <input id="report-photos" type="file" accept="image/*" capture="environment" multiple disabled={shrinking}
              onChange={(e) => { const files = [...e.currentTarget.files]; e.currentTarget.value = ''; addPhotos(files); }} />
          </label>)}
        <FieldError id="photos-error" text={errors.photos} />
      </fieldset>
      <fieldset class="residents">
        <legend>{t('phone.residents')}</legend>
        {form.residents.map((r, i) => (
          <div class="resident">
            <label for={`resident-name-${i}`}>{t('phone.resident_name', { n: i + 1 })}</label>
            <input id={`resident-name-${i}`} type="text" value={r.name} maxLength={100}
              onInput={(e) => set('residents', form.residents.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))} />
            <FieldError id={`resident-${i}-error`} text={errors[`resident-${i}`]} />
            <label for={`resident-phone-${i}`}>{t('phone.resident_phone', { n: i + 1 })}</label>
            <input id={`resident-phone-${i}`} type="tel" inputMode="tel" value={r.phone} maxLength={20} dir="ltr"
              onInput={(e) => set('residents', form.residents.map((x, j) => (j === i ? { ...x, phone: e.currentTarget.value } : x)))} />
            <button type="button" onClick={() => set('residents', form.residents.filter((_, j) => j !== i))}>
              {t('phone.remove_resident', { n: i + 1 })}</button>
          </div>))}
        {form.residents.length < 20 && (
          <button type="button" onClick={() => set('residents', [...form.residents, { name: '', phone: '' }])}>
            {t('phone.add_resident')}</button>)}
        <FieldError id="residents-error" text={errors.residents} />
      </fieldset>
      <fieldset class="where" aria-describedby={described('location')}>
        <legend>{t('phone.where')}</legend>
        <p class="position" id="position-text">
          {position === undefined ? t('phone.locating')
            : position ? t('phone.position', { lat: position.lat.toFixed(5), lon: position.lon.toFixed(5) })
              : t('phone.no_position')}
        </p>
        {position !== undefined && !editing.current && (
          <button type="button" onClick={locate}>{t('phone.locate_again')}</button>)}
        {position && !gridAt(grids, position) && <p class="note" id="outside-note">{t('phone.outside_grids')}</p>}
        <FieldError id="location-error" text={errors.location} />
        <label for="report-grid">{t('phone.grid')}</label>
        <select id="report-grid" value={form.grid} aria-describedby={described('grid')}
          onChange={(e) => set('grid', e.currentTarget.value)}>
          <option value="">{t('phone.choose_grid')}</option>
          {grids.map((g) => <option value={g.id}>{nameOf(profile.places[g.id]?.names) || g.id}</option>)}
        </select>
        <FieldError id="grid-error" text={errors.grid} />
      </fieldset>
      <FieldError id="observed_at-error" text={errors.observed_at} />
      <button type="submit" class="primary send" disabled={busy || shrinking}>
        {busy ? t('phone.sending') : editing.current ? t('phone.send_again') : t('phone.send')}</button>
    </form>
  );
}
