// The API's own description of each case action: the console builds an action's form from the body schema the
// OpenAPI document gives for POST /cases/{case_id}/<action>, so an action added to the domain's table appears
// here with no console code (its labels come from the translation catalogue, the schema's title otherwise).
import { publicJson } from './api.js';
import { has, t } from './i18n.js';

let loading = null;

export function openapi() {
  loading = loading || publicJson('openapi.json').then((doc) => { read = doc; return doc; })
    .catch((e) => { loading = null; throw e; });
  return loading;
}

export function actionPath(action) {
  return `/cases/{case_id}/${action.replace(/_/g, '-')}`;
}

// A schema with every $ref replaced by what it names (the document's components or the schema's own $defs).
function resolve(doc, schema, seen = 0) {
  if (!schema || typeof schema !== 'object' || seen > 20) return schema;
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop();
    return resolve(doc, doc.components.schemas[name], seen + 1);
  }
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, seen + 1));
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(doc, v, seen + 1)]));
}

// The summary the API gives an action ("Supervision notice (督办)"): the console's label for an action its
// catalogue does not know yet. Synchronous: null until the document has been read once.
let read = null;
function actionSummary(action) {
  return read?.paths[actionPath(action)]?.post?.summary || null;
}

// An action's label: the catalogue's, else the API's summary, else its key in words (never the raw key).
export function actionLabel(action) {
  return has(`action.${action}`) ? t(`action.${action}`) : (actionSummary(action) || action.replace(/_/g, ' '));
}

export async function actionSchema(action) {
  const doc = await openapi();
  const operation = doc.paths[actionPath(action)]?.post;
  const body = operation?.requestBody?.content?.['application/json']?.schema;
  return body ? resolve(doc, body) : null;
}

// A field that may be left out: `anyOf: [X, {type: null}]` reads as X, optional.
export function unwrap(schema) {
  const options = schema.anyOf || schema.oneOf;
  if (!options) return { schema, nullable: false };
  const real = options.filter((o) => o.type !== 'null');
  return { schema: { ...schema, ...real[0], anyOf: undefined, oneOf: undefined }, nullable: real.length < options.length };
}
