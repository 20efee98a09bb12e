// What the phone keeps between visits, in IndexedDB (origin-scoped, never sent anywhere by itself):
// - `outbox`: reports not yet confirmed by the server, each with its Idempotency-Key and its photos (Blobs);
// - `kept`: the signed-in member's profile and the reference data the report form needs (their grids' outlines,
//   the categories), so that the form opens without a network; the refresh token where the issuer gives one.
// The service worker caches files only; API answers are kept here, by the page, as data.
const NAME = 'gridloop-phone';

let opening = null;
function database() {
  opening ||= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('outbox', { keyPath: 'key' });
      request.result.createObjectStore('kept');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(store, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kept = {
  get: (name) => run('kept', 'readonly', (s) => s.get(name)),
  put: (name, value) => run('kept', 'readwrite', (s) => s.put(value, name)),
  delete: (name) => run('kept', 'readwrite', (s) => s.delete(name)),
};

export const outbox = {
  all: () => run('outbox', 'readonly', (s) => s.getAll()),
  get: (key) => run('outbox', 'readonly', (s) => s.get(key)),
  put: (item) => run('outbox', 'readwrite', (s) => s.put(item)),
  delete: (key) => run('outbox', 'readwrite', (s) => s.delete(key)),
};
