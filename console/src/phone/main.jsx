// The grid member's phone page (/console/phone): the report form first, offline outbox, follow-up screens.
// Same origin, same sign-in and the same strict page policy as the console; a service worker keeps its files so
// that it opens without a network (never API answers: what the form needs is kept in IndexedDB, store.js).
import '../trusted_types.js';
import { render } from 'preact';
import { completeSignIn } from '../auth.js';
import { preferredLanguage, useLanguage } from '../i18n.js';
import { settings as pageSettings } from '../settings.js';
import { PhoneApp } from './app.jsx';
import { completeRefresh } from './refresh.js';
import './phone.css';

async function boot() {
  const settings = pageSettings();
  await useLanguage(preferredLanguage(settings.language), settings.timezone);
  let reason = null;
  if (settings.sign_in) {
    const result = await completeSignIn(settings.sign_in, completeRefresh).catch(() => ({ error: 'token' }));
    if (result?.error) reason = 'failed';
  }
  const root = document.getElementById('app');
  root.textContent = '';
  render(<PhoneApp settings={settings} startReason={reason} />, root);
  const worker = document.querySelector('link[rel="gridloop-worker"]')?.getAttribute('href');
  if (worker && 'serviceWorker' in navigator) navigator.serviceWorker.register(worker).catch(() => {});
}

boot();
