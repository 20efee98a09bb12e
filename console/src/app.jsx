import { useEffect, useState } from 'preact/hooks';
import { api, whenSignedOut } from './api.js';
import { currentToken, signOut, startSignIn } from './auth.js';
import { LANGUAGES, currentLanguage, nameOf, t, useLanguage } from './i18n.js';
import { loadReference } from './reference.js';
import { href, useRoute } from './router.js';
import { Loading, Problem } from './ui.jsx';
import { SCREENS, screenFor } from './screens/index.js';

function LanguagePicker({ onChange }) {
  return (
    <label class="language">
      <span>{t('common.language')}</span>
      <select value={currentLanguage()} onChange={(e) => onChange(e.currentTarget.value)}>
        {LANGUAGES.map(([code, label]) => <option value={code} lang={code}>{label}</option>)}
      </select>
    </label>
  );
}

export function SignIn({ settings, reason, onLanguage }) {
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in" id="main">
      <h1>{t('app.name')}</h1>
      <p>{t('sign_in.intro')}</p>
      {reason && <p class="problem" role="alert">{t(`sign_in.${reason}`)}</p>}
      {settings.sign_in ? (
        <button type="button" class="primary" disabled={busy}
          onClick={() => { setBusy(true); startSignIn(settings.sign_in); }}>{t('sign_in.button')}</button>
      ) : <p class="problem" role="alert">{t('sign_in.not_configured')}</p>}
      {settings.sign_in?.local && <p class="note">{t('sign_in.local_note')}</p>}
      <LanguagePicker onChange={onLanguage} />
    </main>
  );
}

function Shell({ settings, session, onLanguage }) {
  const route = useRoute();
  const { me } = session;
  const screen = screenFor(route.path, me);
  const place = me.department ? me.department : (me.grid || me.node);
  useEffect(() => {
    document.title = `${screen ? t(screen.title) : t('common.not_found')} · ${t('app.name')}`;
  });
  return (
    <div class="shell">
      <header class="bar">
        <a class="brand" href={href('/')}>{t('app.name')}</a>
        <span class="who">
          <span class="who-name">{me.name || me.user_id}</span>
          <span class="who-role">{t(`role.${me.role}`)}</span>
          {place && <span class="who-place">{nameOf(place.names)}</span>}
        </span>
        <LanguagePicker onChange={onLanguage} />
        <button type="button" onClick={() => signOut(settings.sign_in)}>{t('sign_in.sign_out')}</button>
      </header>
      <nav class="menu" aria-label={t('nav.label')}>
        <ul>
          {SCREENS.filter((s) => s.menu && s.allowed(me)).map((s) => (
            <li><a href={href(s.path)} aria-current={route.path === s.path ? 'page' : undefined}>{t(s.title)}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main" class="content">
        {screen ? <screen.View session={session} route={route} key={route.path} />
          : <Problem error={{ status: 404 }} />}
      </main>
    </div>
  );
}

export function App({ settings, startReason }) {
  const [language, setLanguage] = useState(currentLanguage());
  const [session, setSession] = useState(null);
  const [error, setError] = useState(null);
  const [signedOut, setSignedOut] = useState(currentToken() ? null : (startReason || 'signed_out'));

  useEffect(() => whenSignedOut((reason) => setSignedOut(reason || 'signed_out')), []);
  useEffect(() => {
    if (signedOut) return;
    let live = true;
    Promise.all([api('me'), loadReference()])
      .then(([me, ref]) => live && setSession({ me, ref, settings }))
      .catch((e) => live && setError(e));
    return () => { live = false; };
  }, [signedOut]);

  const changeLanguage = async (next) => {
    await useLanguage(next);
    setLanguage(next);
  };
  if (signedOut) {
    return <SignIn settings={settings} reason={signedOut === 'signed_out' ? null : signedOut}
      onLanguage={changeLanguage} key={language} />;
  }
  if (error) return <main id="main"><Problem error={error} onRetry={() => location.reload()} /></main>;
  if (!session) return <main id="main"><Loading /></main>;
  return <Shell settings={settings} session={session} onLanguage={changeLanguage} key={language} />;
}
