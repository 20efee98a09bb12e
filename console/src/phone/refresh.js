// Staying signed in on a phone. The ID token (8 hours) lives in this tab's sessionStorage, as in the console.
// Where the issuer hands out a refresh token with the code exchange (a deployed stage's user pool does for the
// authorization code flow), the phone keeps it in IndexedDB (this origin only, never a cookie, never
// localStorage) and trades it for a new ID token when the old one has run out or the API answered 401; an issuer
// that rotates refresh tokens answers with a new one, which replaces the old at once. Signing out forgets it.
import { absolute, currentToken, keepToken } from '../auth.js';
import { kept } from './store.js';

const REFRESH = 'refresh-token';

export async function completeRefresh(answer) {
  if (answer.refresh_token) await kept.put(REFRESH, answer.refresh_token);
}

export async function forgetRefresh() {
  await kept.delete(REFRESH).catch(() => {});
}

// a current ID token, from the refresh token if need be; null when the member must sign in again
export async function freshToken(signIn, { force = false } = {}) {
  if (!force && currentToken()) return currentToken();
  const refreshToken = signIn && await kept.get(REFRESH).catch(() => null);
  if (!refreshToken) return null;
  let response;
  try {
    response = await fetch(absolute(signIn.token), {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: signIn.client_id }),
    });
  } catch {
    return null;     // offline: keep the refresh token for later
  }
  if (!response.ok) {
    if (response.status === 400 || response.status === 401) await forgetRefresh();   // revoked, used or expired
    return null;
  }
  const answer = await response.json();
  keepToken(answer.id_token);
  if (answer.refresh_token) await kept.put(REFRESH, answer.refresh_token);
  return answer.id_token;
}
