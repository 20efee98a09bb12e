// Who is signed in, and what the report form needs, fresh from the API when it answers, else the copy kept from
// the last visit (so the form opens on a lane without signal). Only the member's own grids' outlines are kept.
import { api } from '../api.js';
import { currentToken } from '../auth.js';
import { kept } from './store.js';

function shape(me, jurisdiction, categories) {
  const nodes = new Map(jurisdiction.nodes.map((n) => [n.code, n]));
  const grids = jurisdiction.grids.features.filter((f) => f.id === me.grid?.code);   // where the member reports
  const places = {};
  for (const grid of grids) {
    for (let code = grid.id; code && nodes.get(code)?.level !== 'township'; code = nodes.get(code)?.parent) {
      places[code] = { code, level: nodes.get(code)?.level, names: nodes.get(code)?.names };
    }
  }
  return { me, grids, places,
    categories: categories.items.map((c) => ({ code: c.code, kind: c.kind, names: c.names })) };
}

export async function loadProfile() {
  const saved = (await kept.get('profile').catch(() => null)) || null;
  if (!currentToken()) return { profile: saved, live: false };
  try {
    const [me, jurisdiction, categories] = await Promise.all([api('me'), api('jurisdiction'), api('categories')]);
    const profile = shape(me, jurisdiction, categories);
    await kept.put('profile', profile);
    return { profile, live: true };
  } catch (error) {
    if (saved && (error.status === undefined || error.status === 401 || error.status >= 500)) {
      return { profile: saved, live: false };
    }
    throw error;
  }
}

export async function forgetProfile() {
  await kept.delete('profile');
}
