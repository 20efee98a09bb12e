import './trusted_types.js';
import { render } from 'preact';
import { App } from './app.jsx';
import { completeSignIn } from './auth.js';
import { preferredLanguage, useLanguage } from './i18n.js';
import { settings as pageSettings } from './settings.js';
import './styles.css';

async function boot() {
  const settings = pageSettings();
  await useLanguage(preferredLanguage(settings.language), settings.timezone);
  let reason = null;
  if (settings.sign_in) {
    const result = await completeSignIn(settings.sign_in).catch(() => ({ error: 'token' }));
    if (result?.error) reason = 'failed';
  }
  const root = document.getElementById('app');
  root.textContent = '';
  render(<App settings={settings} startReason={reason} />, root);
}

boot();
