// Languages of the console: Chinese (default), English, Uyghur (right to left). Place names carry Mongolian too
// (shown beside the name in the chosen language). Every time is shown in the county's time zone.
const LOADERS = { zh: () => import('./i18n/zh.js'), en: () => import('./i18n/en.js'), ug: () => import('./i18n/ug.js') };
export const LANGUAGES = [['zh', '中文'], ['en', 'English'], ['ug', 'ئۇيغۇرچە']];
const LOCALES = { zh: 'zh-CN', en: 'en-GB', ug: 'ug-CN' };
const PREFERENCE = 'gridloop.language';   // a preference, not a secret

let language = 'zh';
let catalog = {};
let fallback = {};
let timeZone = 'Asia/Shanghai';

export function preferredLanguage(deploymentDefault) {
  const saved = localStorage.getItem(PREFERENCE);
  return LOADERS[saved] ? saved : (LOADERS[deploymentDefault] ? deploymentDefault : 'zh');
}

export async function useLanguage(next, zone) {
  if (zone) timeZone = zone;
  const [chosen, english] = await Promise.all([LOADERS[next](), LOADERS.en()]);
  language = next;
  catalog = chosen.default;
  fallback = english.default;
  localStorage.setItem(PREFERENCE, next);
  document.documentElement.lang = LOCALES[next];
  document.documentElement.dir = next === 'ug' ? 'rtl' : 'ltr';
}

export function currentLanguage() {
  return language;
}

// t('queue.title'), t('age.hours', {n: 3}); a key no catalogue has reads as itself
export function t(key, vars) {
  const text = catalog[key] ?? fallback[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? '')) : text;
}

export function has(key) {
  return key in catalog || key in fallback;
}

// The name of a place, category or department in the chosen language (Uyghur falls back to Chinese)
export function nameOf(names) {
  if (!names) return '';
  return names[language] || (language === 'ug' ? names.zh : names.en) || names.zh || '';
}

// A second name where the place has one in a local language other than the one shown (Uyghur, Mongolian)
export function localName(names) {
  if (!names) return '';
  const shown = nameOf(names);
  return [names.ug, names.mn].find((n) => n && n !== shown) || '';
}

function format(options) {
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone, ...options });
}

// The county's wall clock of an instant: {year, month, day, hour, minute} as two-digit text (month 01..12)
function wallClock(iso) {
  return Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
}

// Chromium has no Uyghur date patterns (ug-CN came out in Chinese): Uyghur pages write 2026-12-01 14:05, held
// left to right inside the right-to-left text (Unicode isolates), so the date and the time keep their order.
const LTR = (text) => `\u2066${text}\u2069`;

export function formatTime(iso) {
  if (!iso) return '';
  if (language !== 'ug') return format({ dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const w = wallClock(iso);
  return LTR(`${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`);
}

export function formatDate(iso) {
  if (!iso) return '';
  if (language !== 'ug') return format({ dateStyle: 'medium' }).format(new Date(iso));
  const w = wallClock(iso);
  return LTR(`${w.year}-${w.month}-${w.day}`);
}

export function countyZone() {
  return timeZone;
}

// "2 h 5 min" style durations in the chosen language
export function formatDuration(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 60) return t('duration.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('duration.hours', { n: hours, m: minutes % 60 });
  return t('duration.days', { n: Math.floor(hours / 24), h: hours % 24 });
}

export function formatNumber(value, options) {
  return new Intl.NumberFormat(LOCALES[language], options).format(value);
}

// A wall-clock time typed in the county's zone (datetime-local: 2026-12-05T18:00) as an instant in UTC.
export function zonedToUtc(local, zone = timeZone) {
  const guess = new Date(local.length === 16 ? `${local}:00Z` : `${local}Z`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit',
  }).formatToParts(guess).map((p) => [p.type, p.value]));
  const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return new Date(guess.getTime() - (shown - guess.getTime())).toISOString();
}
