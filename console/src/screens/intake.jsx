// Intake on a resident's behalf (hotline, walk-in) for stations and centers: category, grid and location from the
// deployment's reference data, the resident's contact. What was typed stays when the server refuses it, its message
// shows next to the field it names, and a resubmit carries the same Idempotency-Key (a lost answer is not a second
// case). On success the new case's panel opens.
import { useMemo, useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { nameOf, t } from '../i18n.js';
import { GridMap } from '../map.jsx';
import { gridsUnder } from '../reference.js';
import { navigate } from '../router.js';
import { Detail } from '../ui.jsx';
import { vocabulary } from '../vocabulary.js';

const CHANNELS = ['hotline', 'walk_in'];

// a point inside a grid's outline: the mean of its ring (the demo's outlines are convex)
function insidePoint(feature) {
  const ring = feature.geometry.coordinates[0].slice(0, -1);
  const mean = (i) => ring.reduce((sum, p) => sum + p[i], 0) / ring.length;
  return { lat: mean(1).toFixed(6), lon: mean(0).toFixed(6) };
}

function Field({ id, label, error, required, children }) {
  return (
    <div class="field">
      <label for={id}>{label}{required && <span aria-hidden="true"> *</span>}</label>
      {children}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

export function Intake({ session }) {
  const { me, ref } = session;
  const grids = useMemo(() => (me.node ? gridsUnder(ref, me.node.code) : []), []);
  const villages = useMemo(() => {
    const groups = new Map();
    for (const f of grids) {
      const parent = ref.nodes.get(f.id)?.parent;
      groups.set(parent, [...(groups.get(parent) || []), f]);
    }
    return [...groups.entries()];
  }, []);
  const [values, setValues] = useState({
    channel: 'hotline', category: '', urgency: 'normal', title: '', description: '', grid: '', lat: '', lon: '',
    address: '', resident: '', phone: '', sms_opt_out: false,
  });
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const forget = (...names) => setErrors((old) => Object.fromEntries(Object.entries(old).filter(([k]) => !names.includes(k))));
  const set = (name, value) => { setValues((old) => ({ ...old, [name]: value })); forget(name, `location.${name}`, `resident.${name}`); };
  const chooseGrid = (code) => {
    const feature = grids.find((f) => f.id === code);
    setValues((old) => ({ ...old, grid: code, ...(feature ? insidePoint(feature) : { lat: '', lon: '' }) }));
    forget('grid', 'location', 'location.lat', 'location.lon');
  };
  const category = ref.categories.get(values.category);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const body = {
      kind: category?.kind || '', category: values.category, urgency: values.urgency, channel: values.channel,
      title: values.title, description: values.description, grid: values.grid,
      location: { lat: values.lat === '' ? null : Number(values.lat), lon: values.lon === '' ? null : Number(values.lon),
        address: values.address },
      residents: values.resident || values.phone
        ? [{ name: values.resident, phone: values.phone || null, sms_opt_out: values.sms_opt_out }] : [],
    };
    try {
      const created = await api('cases', { method: 'POST', body, idempotencyKey: key });
      setKey(newKey());
      navigate(`/cases/${created.id}`, { back: '/intake' });
    } catch (error) {
      const named = {};
      for (const f of error.fields || []) named[f.field.replace(/^residents\.0\./, 'resident.')] = f.message;
      setErrors(named);
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  const attrs = (name) => ({
    id: `in-${name}`, name, 'aria-invalid': errors[name] ? 'true' : undefined,
    'aria-describedby': errors[name] ? `in-${name}-error` : undefined,
  });
  const text = (name) => ({ ...attrs(name), value: values[name], onInput: (e) => set(name, e.currentTarget.value) });
  const pickedGrid = grids.filter((f) => f.id === values.grid);
  return (
    <>
      <h1>{t('nav.intake')}</h1>
      <p class="note">{t('intake.intro')}</p>
      <form class="action-form intake" onSubmit={submit} noValidate aria-label={t('nav.intake')}>
        {problem && <div class="problem" role="alert"><p>{problem.fields?.length ? t('form.fix_fields') : problem.message}</p>{!problem.fields?.length && <Detail error={problem} />}</div>}
        <div class="intake-columns">
          <div>
            <Field id="in-channel" label={t('field.channel')} required>
              <select {...attrs('channel')} value={values.channel} onChange={(e) => set('channel', e.currentTarget.value)}>
                {CHANNELS.map((c) => <option value={c}>{t(`channel.${c}`)}</option>)}
              </select>
            </Field>
            <Field id="in-category" label={t('field.category')} error={errors.category || errors.kind} required>
              <select {...attrs('category')} value={values.category} onChange={(e) => set('category', e.currentTarget.value)}>
                <option value="">—</option>
                {[...ref.categories.values()].map((c) => (
                  <option value={c.code}>{nameOf(c.names)} · {t(`kind.${c.kind}`)}</option>))}
              </select>
            </Field>
            {category?.sensitive && <p class="note">{t('category.sensitive')}</p>}
            <Field id="in-urgency" label={t('field.urgency')} error={errors.urgency}>
              <select {...attrs('urgency')} value={values.urgency} onChange={(e) => set('urgency', e.currentTarget.value)}>
                {vocabulary().urgencies.map((u) => <option value={u}>{t(`urgency.${u}`)}</option>)}
              </select>
            </Field>
            <Field id="in-title" label={t('field.title')} error={errors.title} required>
              <input type="text" maxLength={200} {...text('title')} />
            </Field>
            <Field id="in-description" label={t('field.description')} error={errors.description} required>
              <textarea rows={4} maxLength={5000} {...text('description')} />
            </Field>
          </div>
          <div>
            <Field id="in-grid" label={t('field.grid')} error={errors.grid} required>
              <select {...attrs('grid')} value={values.grid} onChange={(e) => chooseGrid(e.currentTarget.value)}>
                <option value="">—</option>
                {villages.map(([village, features]) => (
                  <optgroup label={nameOf(ref.nodes.get(village)?.names) || village}>
                    {features.map((f) => <option value={f.id}>{nameOf(ref.nodes.get(f.id)?.names) || f.id}</option>)}
                  </optgroup>))}
              </select>
            </Field>
            {pickedGrid.length > 0 && values.lat !== '' && values.lon !== '' && (
              <GridMap features={pickedGrid} pin={{ lat: Number(values.lat), lon: Number(values.lon) }}
                label={t('case.map_label', { grid: nameOf(ref.nodes.get(values.grid)?.names) })} />)}
            <div class="pair">
              <Field id="in-lat" label={t('field.lat')} error={errors['location.lat'] || errors.location}>
                <input type="number" step="0.000001" min={-90} max={90} {...text('lat')} />
              </Field>
              <Field id="in-lon" label={t('field.lon')} error={errors['location.lon']}>
                <input type="number" step="0.000001" min={-180} max={180} {...text('lon')} />
              </Field>
            </div>
            <Field id="in-address" label={t('field.address')} error={errors['location.address']}>
              <input type="text" maxLength={300} {...text('address')} />
            </Field>
            <fieldset class="field-group">
              <legend>{t('intake.resident')}</legend>
              <Field id="in-resident" label={t('field.name')} error={errors['resident.name']}>
                <input type="text" maxLength={100} autocomplete="off" {...text('resident')} />
              </Field>
              <Field id="in-phone" label={t('field.phone')} error={errors['resident.phone']}>
                <input type="tel" maxLength={20} autocomplete="off" {...text('phone')} />
              </Field>
              <div class="field check">
                <label><input type="checkbox" checked={values.sms_opt_out}
                  onChange={(e) => set('sms_opt_out', e.currentTarget.checked)} /> {t('field.sms_opt_out')}</label>
              </div>
            </fieldset>
          </div>
        </div>
        <div class="form-buttons">
          <button type="submit" class="primary" disabled={busy}>{t('intake.submit')}</button>
        </div>
      </form>
    </>
  );
}
