// The outbox: every report is written here first (with its own Idempotency-Key and its photos) and leaves only
// when the server has confirmed the case and every photo. Sending happens when the app opens, when the browser
// says the network is back (`online`), after each new report, and every minute while reports wait and the page
// is visible: no Background Sync, which in-app browsers (DingTalk, WeChat) do not have.
//
// A retry after a lost answer sends the same key, so the server returns the first case instead of making a second.
// 401 (signed out, token expired), no network, 429 and 5xx stop the round and keep everything; any other refusal
// marks that report `refused` with the server's message, kept until the member corrects or discards it.
import { ApiError, api } from '../api.js';
import { outbox } from './store.js';

const listeners = new Set();
export function watchOutbox(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}
function changed(event) {
  for (const callback of listeners) callback(event);
}

export async function waiting(user) {
  return (await outbox.all()).filter((item) => item.user === user).sort((a, b) => a.created.localeCompare(b.created));
}

export async function enqueue(user, body, photos) {
  const item = { key: crypto.randomUUID(), user, body, photos: photos.map((blob) => ({ blob, sent: false })),
    case_id: null, state: 'waiting', error: null, created: new Date().toISOString() };
  await outbox.put(item);
  changed({ kind: 'added', item });
  return item;
}

// the member corrected a refused report: the same key goes out again with the new body
export async function revise(key, body) {
  const item = await outbox.get(key);
  Object.assign(item, { body, state: 'waiting', error: null });
  await outbox.put(item);
  changed({ kind: 'revised', item });
  return item;
}

export async function discard(key) {
  await outbox.delete(key);
  changed({ kind: 'discarded', key });
}

// One photo: the presigned form is asked for now, at upload time (it expires after minutes), then the bytes go
// straight to the bucket. The photo's own Idempotency-Key names it: sent again after a lost answer, it lands on
// the same key and is attached once.
async function upload(caseId, blob, key) {
  const form = await api(`cases/${caseId}/photos`, {
    method: 'POST', body: { phase: 'before', content_type: 'image/jpeg', size: blob.size }, idempotencyKey: key });
  const data = new FormData();
  for (const [name, value] of Object.entries(form.upload.fields)) data.append(name, value);
  data.append('file', blob, 'photo.jpg');
  const answer = await fetch(form.upload.url, { method: 'POST', body: data });
  if (!answer.ok) throw new Error(`the photo store answered ${answer.status}`);
}

function kept(error) {
  return !(error instanceof ApiError) || error.status === 401 || error.status === 408 || error.status === 429
    || error.status >= 500;
}

async function sendOne(item) {
  try {
    if (!item.case_id) {
      const made = await api('cases', { method: 'POST', body: item.body, idempotencyKey: item.key });
      Object.assign(item, { case_id: made.id, number: made.number });
      await outbox.put(item);
      changed({ kind: 'confirmed', item });
    }
    for (const photo of item.photos) {
      if (photo.sent) continue;
      await upload(item.case_id, photo.blob, `${item.key}/photo/${item.photos.indexOf(photo)}`);
      photo.sent = true;
      await outbox.put(item);
      changed({ kind: 'photo', item });
    }
    await outbox.delete(item.key);
    changed({ kind: 'sent', item });
    return true;
  } catch (error) {
    if (kept(error)) return false;
    Object.assign(item, { state: 'refused', error: { status: error.status, code: error.code, message: error.message,
      fields: error.fields } });
    await outbox.put(item);
    changed({ kind: 'refused', item });
    return true;
  }
}

let round = null;
let again = false;
async function drain(user) {
  do {
    again = false;
    for (const item of await waiting(user)) {
      if (item.state === 'refused') continue;
      if (!(await sendOne(item))) break;      // offline or signed out: the rest waits too (unless asked again)
    }
  } while (again);
}

export function sendWaiting(user) {
  if (!user) return Promise.resolve();
  if (round) {
    again = true;
    return round;
  }
  round = drain(user).finally(() => { round = null; changed({ kind: 'round' }); });
  return round;
}
