// Sign-in: OpenID Connect authorization code with PKCE (RFC 7636) against the deployment's issuer (the user
// pool's hosted UI, the county's OIDC provider, or under `make run` the local one). The ID token is kept in this
// tab's sessionStorage only (never localStorage, never a cookie): it is gone when the tab closes.
const TOKEN = 'gridloop.token';
const PENDING = 'gridloop.sign-in';

// '/' under a domain, '/api/' under a stage URL (the console is at console, the grid member's page at console/phone)
export const base = location.pathname.replace(/console(\/phone)?$/, '');

export function absolute(url) {
  return /^https?:\/\//.test(url) ? url : location.origin + base + url;
}

function randomText(bytes) {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(data);
}

function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function redirectUri() {
  return location.origin + location.pathname;
}

export async function startSignIn(signIn) {
  const verifier = randomText(48);
  const state = randomText(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: 'code', client_id: signIn.client_id, redirect_uri: redirectUri(), scope: signIn.scope,
    state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${absolute(signIn.authorize)}?${query}`);
}

// Back from the issuer with ?code&state: exchange the code (with the verifier only this tab knows) for the token.
// `keep` receives the whole answer (the phone page keeps a refresh token where the issuer gives one).
export async function completeSignIn(signIn, keep) {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + (pending?.hash || ''));
  if (query.has('error') || !pending || query.get('state') !== pending.state) {
    return { error: query.get('error') || 'state' };
  }
  const response = await fetch(absolute(signIn.token), {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: query.get('code'), redirect_uri: redirectUri(),
      client_id: signIn.client_id, code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return { error: 'token' };
  const answer = await response.json();
  keepToken(answer.id_token);
  await keep?.(answer, signIn);
  return { ok: true };
}

function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

export function currentToken() {
  const token = sessionStorage.getItem(TOKEN);
  const payload = token && claims(token);
  if (!payload || payload.exp * 1000 < Date.now() + 30000) return null;
  return token;
}

export function keepToken(idToken) {
  sessionStorage.setItem(TOKEN, idToken);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN);
}

export function signOut(signIn) {
  forgetToken();
  if (signIn?.logout) {
    const query = new URLSearchParams({ client_id: signIn.client_id, logout_uri: redirectUri(),
      post_logout_redirect_uri: redirectUri() });
    location.assign(`${absolute(signIn.logout)}?${query}`);
  } else {
    location.assign(location.pathname);
  }
}
