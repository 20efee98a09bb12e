// One form per case action, built from the action's body schema in the OpenAPI document (openapi.js). What the
// user typed stays when the server refuses it; the server's message shows next to the field it names; a resubmit
// carries the same Idempotency-Key (a retry after a lost answer is not done twice).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { newKey } from './api.js';
import { has, nameOf, t, zonedToUtc } from './i18n.js';
import { actionLabel, unwrap } from './openapi.js';
import { Detail } from './ui.jsx';

export function label(name, schema) {
  return has(`field.${name}`) ? t(`field.${name}`) : (schema?.title || name);
}

function valueLabel(name, value) {
  for (const key of [`value.${name}.${value}`, `${name}.${value}`]) if (has(key)) return t(key);
  return String(value);
}

// The choices some fields have in this deployment (categories, departments, possible duplicates).
function choicesFor(name, context) {
  const { ref, item } = context;
  if (name === 'category') {
    return [...ref.categories.values()].map((c) => [c.code, nameOf(c.names)]);
  }
  if (name === 'lead' || name === 'co_handlers') {
    const near = [...ref.departments.values()].filter((d) => !item?.center || item.center.startsWith(d.node));
    const suggested = item?.suggested_lead || [];
    near.sort((a, b) => (suggested.includes(b.id) - suggested.includes(a.id)));
    return near.map((d) => [d.id, nameOf(d.names) + (suggested.includes(d.id) ? ` · ${t('dispatch.suggested')}` : '')]);
  }
  if (name === 'target_case_id' && item?.possible_duplicates?.length) {
    return item.possible_duplicates.map((d) => [d.id, `${d.number} · ${d.title}`]);
  }
  return null;
}

function initialValues(schema, context, prefix = '') {
  const values = {};
  for (const [name, raw] of Object.entries(schema.properties || {})) {
    const { schema: field, nullable } = unwrap(raw);
    const path = prefix + name;
    if (field.type === 'object') Object.assign(values, initialValues(field, context, `${path}.`));
    else if (name === 'lead' && context.item?.suggested_lead?.length) values[path] = context.item.suggested_lead[0];
    else if (field.type === 'array') values[path] = [];
    else if (field.default !== undefined && field.default !== null) values[path] = field.default;
    else if (typeof context.item?.[name] === 'string' && field.type === 'string') values[path] = context.item[name];
    else values[path] = field.type === 'boolean' && !nullable ? false : '';
  }
  return values;
}

function bodyFrom(schema, values, zone, prefix = '') {
  const body = {};
  const required = new Set(schema.required || []);
  for (const [name, raw] of Object.entries(schema.properties || {})) {
    const { schema: field } = unwrap(raw);
    const path = prefix + name;
    let value = values[path];
    if (field.type === 'object') { body[name] = bodyFrom(field, values, zone, `${path}.`); continue; }
    if (value === '' || value === undefined) {
      if (required.has(name)) body[name] = '';
      continue;
    }
    if (field.type === 'integer' || field.type === 'number') value = Number(value);
    if (field.type === 'boolean' && typeof value === 'string') value = value === 'true';
    if (field.format === 'date-time') value = zonedToUtc(value, zone);
    body[name] = value;
  }
  return body;
}

function Field({ name, path, raw, required, values, set, errors, context }) {
  const { schema, nullable } = unwrap(raw);
  const id = `f-${context.formId}-${path.replace(/\./g, '-')}`;
  const error = errors[path];
  const described = error ? `${id}-error` : undefined;
  const common = { id, name: path, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described,
    'aria-required': required ? 'true' : undefined };
  const value = values[path];
  const onInput = (e) => set(path, e.currentTarget.value);
  let control;
  if (schema.type === 'object') {
    return (
      <fieldset class="field-group">
        <legend>{label(name, schema)}</legend>
        {Object.entries(schema.properties).map(([child, childSchema]) => (
          <Field name={child} path={`${path}.${child}`} raw={childSchema} required={(schema.required || []).includes(child)}
            values={values} set={set} errors={errors} context={context} />))}
      </fieldset>
    );
  }
  const choices = choicesFor(name, context);
  if (schema.type === 'array') {
    const options = choices || [];
    const chosen = value || [];
    return (
      <fieldset class="field-group checks" aria-describedby={described}>
        <legend>{label(name, schema)}</legend>
        {options.filter(([v]) => v !== values.lead).map(([v, text]) => (
          <label class="check"><input type="checkbox" checked={chosen.includes(v)}
            onChange={(e) => set(path, e.currentTarget.checked ? [...chosen, v] : chosen.filter((c) => c !== v))} />
            {text}</label>))}
        {error && <p class="field-error" id={described}>{error}</p>}
      </fieldset>
    );
  }
  if (schema.type === 'boolean' && !nullable) {
    return (
      <div class="field check">
        <label><input type="checkbox" {...common} checked={!!value}
          onChange={(e) => set(path, e.currentTarget.checked)} /> {label(name, schema)}</label>
        {error && <p class="field-error" id={described}>{error}</p>}
      </div>
    );
  }
  const options = schema.enum ? schema.enum.map((v) => [v, valueLabel(name, v)])
    : schema.type === 'boolean' ? [['true', t('common.yes')], ['false', t('common.no')]]
      : (schema.type === 'integer' && schema.maximum - schema.minimum <= 10)
        ? Array.from({ length: schema.maximum - schema.minimum + 1 }, (_, i) => [String(schema.minimum + i), String(schema.minimum + i)])
        : choices;
  if (options) {
    control = (
      <select {...common} value={value === undefined ? '' : String(value)} onChange={onInput}>
        {(!required || value === '') && <option value="">{nullable ? t('form.default') : '—'}</option>}
        {options.map(([v, text]) => <option value={v}>{text}</option>)}
      </select>
    );
  } else if (schema.format === 'date-time') {
    control = <input type="datetime-local" {...common} value={value} onInput={onInput} />;
  } else if (schema.type === 'integer' || schema.type === 'number') {
    control = <input type="number" {...common} value={value} min={schema.minimum} max={schema.maximum} onInput={onInput} />;
  } else if ((schema.maxLength || 0) > 300) {
    control = <textarea {...common} rows={3} maxLength={schema.maxLength} value={value} onInput={onInput} />;
  } else {
    control = <input type="text" {...common} maxLength={schema.maxLength} value={value} onInput={onInput} />;
  }
  return (
    <div class="field">
      <label for={id}>{label(name, schema)}{required && <span aria-hidden="true"> *</span>}</label>
      {control}
      {error && <p class="field-error" id={described}>{error}</p>}
    </div>
  );
}

let forms = 0;

// onSubmit(body, idempotencyKey) -> a promise; it rejects with the ApiError the server answered.
// onReload (after a 409): read the case again and keep the form as typed, to resubmit on the new version.
export function ActionForm({ action, schema, context, onSubmit, onCancel, onReload, zone, children, prepare }) {
  const formId = useMemo(() => ++forms, []);
  const [values, setValues] = useState(() => initialValues(schema, context));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  // keyboard: the form takes the focus when it opens (its first field); Escape closes it and gives the focus back
  // to the button that opened it
  const form = useRef(null);
  const opener = useRef(document.activeElement);
  useEffect(() => { form.current?.querySelector('input, select, textarea')?.focus(); }, []);
  const cancel = () => {
    onCancel();
    const back = opener.current;
    setTimeout(() => back?.isConnected && back.focus());
  };
  const set = (path, value) => setValues((old) => ({ ...old, [path]: value }));
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      if (prepare) await prepare();
      await onSubmit(bodyFrom(schema, values, zone), key);
    } catch (error) {
      const named = {};
      for (const f of error.fields || []) named[f.field] = f.message;
      setErrors(named);
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  // no submit while the case is read again: it would go out on the version that was just refused
  const reloadCase = async () => {
    setBusy(true);
    try {
      await onReload();
      setProblem(null);
    } finally {
      setBusy(false);
    }
  };
  const required = new Set(schema.required || []);
  return (
    <form class="action-form" onSubmit={submit} noValidate aria-label={actionLabel(action)} ref={form}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); cancel(); } }}>
      {problem && <FormProblem error={problem} onReload={reloadCase} />}
      {Object.entries(schema.properties || {}).map(([name, raw]) => (
        <Field name={name} path={name} raw={raw} required={required.has(name)} values={values} set={set}
          errors={errors} context={{ ...context, formId }} />))}
      {children}
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={busy}>{actionLabel(action)}</button>
        <button type="button" onClick={cancel}>{t('form.cancel')}</button>
      </div>
    </form>
  );
}

function FormProblem({ error, onReload }) {
  if (error.status === 409) {
    return (
      <div class="problem conflict" role="alert">
        <p>{error.code === 'version_conflict' ? t('conflict.changed') : t('conflict.not_allowed')}</p>
        <Detail error={error} />
        <button type="button" onClick={onReload}>{t('conflict.reload')}</button>
      </div>
    );
  }
  return (
    <div class="problem" role="alert">
      <p>{error.fields?.length ? t('form.fix_fields') : error.message}</p>
      {!error.fields?.length && <Detail error={error} />}
    </div>
  );
}
