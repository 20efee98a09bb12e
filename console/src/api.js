// The API, same origin: bearer token, the one error shape, Idempotency-Key and If-Match on writes.
import { base, currentToken, forgetToken } from './auth.js';
import { has, t } from './i18n.js';

// The refusal in the reader's language from its machine code; the API's own words (English, often naming the
// case, the state or the limit) are kept as `detail` and shown beside it.
export class ApiError extends Error {
  constructor(status, error) {
    const key = `refusal.${error?.code}`;
    const said = error?.message || `HTTP ${status}`;
    super(error?.code && has(key) ? t(key) : said);
    this.detail = said === this.message ? null : said;
    this.status = status;
    this.code = error?.code || 'http_error';
    this.fields = (error?.fields || []).map((f) => ({ ...f, message: fieldMessage(f) }));
    this.details = error || {};
  }
}

// A refused field in the reader's language, from its machine code and limits (the API's own words are English);
// a code the catalogue does not know keeps the API's message.
function fieldMessage(field) {
  const key = `error.${field.code}`;
  return field.code && has(key) ? t(key, field.limits || {}) : field.message;
}

let onSignedOut = () => {};
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function newKey() {
  return crypto.randomUUID();
}

export async function api(path, { method = 'GET', body, idempotencyKey, ifMatch, signal, accept } = {}) {
  const token = currentToken();
  if (!token) {
    onSignedOut();
    throw new ApiError(401, { code: 'unauthenticated', message: 'signed out' });
  }
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = String(ifMatch);
  if (accept) headers.Accept = accept;
  const response = await fetch(base + path.replace(/^\//, ''), {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    forgetToken();
    onSignedOut('expired');
  }
  if (!response.ok) {
    let error = null;
    try {
      error = (await response.json()).error;
    } catch { /* not our shape */ }
    throw new ApiError(response.status, error);
  }
  if (accept && accept !== 'application/json') return response.text();
  return response.status === 204 ? null : response.json();
}

// Public reads (no token): the OpenAPI document the action forms are built from.
export async function publicJson(path) {
  const response = await fetch(base + path.replace(/^\//, ''));
  if (!response.ok) throw new ApiError(response.status, null);
  return response.json();
}
