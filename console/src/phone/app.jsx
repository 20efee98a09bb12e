// The phone page's frame: who is signed in, what waits in the outbox, four tabs at the bottom (report, my
// reports, evaluations and return visits, households). A member whose sign-in ran out keeps working: reports wait
// in the outbox and go once they are signed in again.
import { useEffect, useState } from 'preact/hooks';
import { whenSignedOut } from '../api.js';
import { currentToken, forgetToken, startSignIn } from '../auth.js';
import { LANGUAGES, currentLanguage, nameOf, t, useLanguage } from '../i18n.js';
import { href, useRoute } from '../router.js';
import { Loading, Problem } from '../ui.jsx';
import { CaseScreen, EvaluateList, MyReports } from './followup.jsx';
import { Households, VisitForm } from './households.jsx';
import { sendWaiting, waiting, watchOutbox } from './outbox.js';
import { forgetRefresh, freshToken } from './refresh.js';
import { ReportForm } from './report.jsx';
import { forgetProfile, loadProfile } from './session.js';

let lastRefresh = 0;
const TABS = [['/', 'phone.tab.report'], ['/mine', 'phone.tab.mine'], ['/evaluate', 'phone.tab.evaluate'],
  ['/households', 'phone.tab.households']];

function LanguagePicker({ onChange }) {
  return (
    <label class="language">
      <span class="visually-hidden">{t('common.language')}</span>
      <select value={currentLanguage()} onChange={(e) => onChange(e.currentTarget.value)} aria-label={t('common.language')}>
        {LANGUAGES.map(([code, label]) => <option value={code} lang={code}>{label}</option>)}
      </select>
    </label>
  );
}

function SignInButton({ settings, label = 'sign_in.button' }) {
  const [busy, setBusy] = useState(false);
  if (!settings.sign_in) return <p class="problem" role="alert">{t('sign_in.not_configured')}</p>;
  return (
    <button type="button" class="primary sign-in-button" disabled={busy}
      onClick={() => { setBusy(true); startSignIn(settings.sign_in); }}>{t(label)}</button>
  );
}

function SignIn({ settings, reason, onLanguage }) {
  return (
    <main class="phone-sign-in" id="main">
      <h1>{t('phone.title')}</h1>
      <p>{t('phone.sign_in_intro')}</p>
      {reason && <p class="problem" role="alert">{t(`sign_in.${reason}`)}</p>}
      <SignInButton settings={settings} />
      {settings.sign_in?.local && <p class="note">{t('sign_in.local_note')}</p>}
      <LanguagePicker onChange={onLanguage} />
    </main>
  );
}

function Waiting({ user, signedIn, settings }) {
  const [count, setCount] = useState(0);
  const [refused, setRefused] = useState(0);
  useEffect(() => {
    const count = () => waiting(user).then((items) => {
      setCount(items.length);
      setRefused(items.filter((i) => i.state === 'refused').length);
    });
    count();
    return watchOutbox(count);
  }, [user]);
  if (!count && signedIn) return null;
  return (
    <div class="outbox-status" role="status">
      {count > 0 && <a href={href('/mine')}>{t('phone.waiting', { n: count })}</a>}
      {refused > 0 && <span class="refused-count"> · {t('phone.refused_count', { n: refused })}</span>}
      {!signedIn && <><p class="signed-out">{t('phone.signed_out')}</p><SignInButton settings={settings} /></>}
      {count > 0 && signedIn && (
        <button type="button" class="send-now" onClick={() => sendWaiting(user)}>{t('phone.send_now')}</button>)}
    </div>
  );
}

function Screen({ route, profile, signedIn }) {
  const [, first, second] = route.path.split('/');
  if (profile.me.role !== 'grid_member') {
    return <p class="problem">{t('phone.not_for_role')} <a href="../console">{t('phone.open_console')}</a></p>;
  }
  if (!first) return <ReportForm profile={profile} key={route.params.edit || 'new'} edit={route.params.edit} />;
  if (!signedIn && first !== 'mine') return <p class="note">{t('phone.needs_sign_in')}</p>;
  if (first === 'mine') return <MyReports profile={profile} signedIn={signedIn} />;
  if (first === 'case' && second) return <CaseScreen profile={profile} id={second} key={second} />;
  if (first === 'evaluate') return <EvaluateList profile={profile} />;
  if (first === 'households') return <Households profile={profile} />;
  if (first === 'visit' && second) return <VisitForm profile={profile} householdId={second} key={second} />;
  return <Problem error={{ status: 404 }} />;
}

function Shell({ settings, profile, signedIn, onLanguage, onSignOut }) {
  const route = useRoute();
  const { me } = profile;
  // a case belongs to the tab it was opened from, a visit to the households
  const section = { case: route.params.from === 'evaluate' ? 'evaluate' : 'mine', visit: 'households' }[route.path.split('/')[1]]
    || route.path.split('/')[1];
  const tab = TABS.find(([path]) => path === `/${section}`) || TABS[0];
  useEffect(() => { document.title = `${t(tab[1])} · ${t('phone.title')}`; });
  return (
    <div class="phone">
      <header class="phone-bar">
        <span class="phone-brand">{t('phone.title')}</span>
        <span class="phone-who">{me.name || me.user_id} · {nameOf(me.grid?.names)}</span>
        <LanguagePicker onChange={onLanguage} />
        {signedIn && <button type="button" class="sign-out" onClick={onSignOut}>{t('sign_in.sign_out')}</button>}
      </header>
      <Waiting user={me.user_id} signedIn={signedIn} settings={settings} />
      <main id="main" class="phone-content">
        <Screen route={route} profile={profile} signedIn={signedIn} />
      </main>
      <nav class="phone-tabs" aria-label={t('nav.label')}>
        {TABS.map(([path, label]) => (
          <a href={href(path)} aria-current={tab[0] === path ? 'page' : undefined}>{t(label)}</a>))}
      </nav>
    </div>
  );
}

export function PhoneApp({ settings, startReason }) {
  const [language, setLanguage] = useState(currentLanguage());
  const [state, setState] = useState(null);     // { profile, signedIn }
  const [error, setError] = useState(null);

  const load = async () => {
    try {
      await freshToken(settings.sign_in);
      const { profile } = await loadProfile();
      setState({ profile, signedIn: Boolean(currentToken()) });
      if (profile && currentToken()) sendWaiting(profile.me.user_id);     // at app open
    } catch (problem) { setError(problem); }
  };
  useEffect(() => { load(); }, []);

  // a 401 from the API: trade the refresh token for a new ID token (at most once a minute: a second 401 right
  // after means the new token is refused too), else show "signed out"; reports keep waiting either way
  useEffect(() => whenSignedOut(async () => {
    const recently = Date.now() - lastRefresh < 60000;
    lastRefresh = Date.now();
    const token = recently ? null : await freshToken(settings.sign_in, { force: true });
    if (!token) forgetToken();
    setState((s) => (s ? { ...s, signedIn: Boolean(token) } : s));
    if (token && state?.profile) sendWaiting(state.profile.me.user_id);
  }), [state?.profile]);

  const user = state?.profile?.me.user_id;
  useEffect(() => {
    if (!user || !state.signedIn) return undefined;
    const send = () => sendWaiting(user);
    const minute = setInterval(() => { if (document.visibilityState === 'visible') send(); }, 60000);
    window.addEventListener('online', send);
    return () => { clearInterval(minute); window.removeEventListener('online', send); };
  }, [user, state?.signedIn]);

  const changeLanguage = async (next) => {
    await useLanguage(next);
    setLanguage(next);
  };
  const signOut = async () => {
    forgetToken();
    await forgetRefresh();
    await forgetProfile();
    location.assign(location.pathname);
  };
  if (error) return <main id="main"><Problem error={error} onRetry={() => location.reload()} /></main>;
  if (!state) return <main id="main"><Loading /></main>;
  if (!state.profile) return <SignIn settings={settings} reason={startReason} onLanguage={changeLanguage} key={language} />;
  return <Shell settings={settings} profile={state.profile} signedIn={state.signedIn} onLanguage={changeLanguage}
    onSignOut={signOut} key={language} />;
}
