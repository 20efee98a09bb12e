// `make console`: builds console/src into chalicelib/console_assets/ (committed, so `make run` and `make test` need
// no Node.js). Every file is named by a hash of its content (cached for a year by browsers); manifest.json lists
// them, names the entry script, stylesheet and icon, and records a digest of the sources it was built from
// (tests/unit/test_console_build.py fails when a source changed without a rebuild). The test tier's copy of
// axe-core is written to tests/browser/vendor/ from the same lock file.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const out = path.join(root, 'chalicelib', 'console_assets');

// the digest of what the build reads: the same walk as tests/unit/test_console_build.py
export function sourceDigest() {
  const files = ['build.mjs', 'package.json', 'package-lock.json'];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(here, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else files.push(relative);
    }
  };
  walk('src');
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(file + '\0');
    hash.update(fs.readFileSync(path.join(here, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: { main: path.join(here, 'src', 'main.jsx'), phone: path.join(here, 'src', 'phone', 'main.jsx') },
  bundle: true, splitting: true, format: 'esm', minify: true, metafile: true, charset: 'utf8',
  outdir: out, entryNames: '[name].[hash]', chunkNames: '[name].[hash]', assetNames: '[name].[hash]',
  jsx: 'automatic', jsxImportSource: 'preact', target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.svg': 'file' }, legalComments: 'eof', logLevel: 'warning',
});

const files = {};
let entry, css, icon, phoneEntry;
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  const name = path.basename(file);
  files[name] = fs.statSync(path.join(out, name)).size;
  if (info.entryPoint?.endsWith('src/main.jsx')) { entry = name; css = path.basename(info.cssBundle); }
  if (info.entryPoint?.endsWith('src/phone/main.jsx')) phoneEntry = file;
  if (name.endsWith('.svg')) icon = name;
}
const phone = buildPhone(result.metafile.outputs, phoneEntry, icon);
for (const name of [phone.webmanifest, phone.worker]) files[name] = fs.statSync(path.join(out, name)).size;
const manifest = { entry, css, icon, phone: { entry: phone.entry, css: phone.css, webmanifest: phone.webmanifest,
  worker: phone.worker }, files, sources: sourceDigest() };
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');

// The grid member's phone page: its web app manifest (installable) and its service worker, which keeps the files
// the phone page needs (its scripts with every chunk they import, the languages, its stylesheet, the icon, the page
// itself) so that it opens offline. The worker's URL stays the same from build to build (browsers look for a new
// version there); the list it holds changes with every build, so a new build installs a new worker.
function buildPhone(outputs, entryFile, iconName) {
  const needed = new Set();
  const visit = (file) => {
    if (needed.has(file)) return;
    needed.add(file);
    for (const imported of outputs[file].imports) if (!imported.external) visit(imported.path);
  };
  visit(entryFile);
  const phoneCss = path.basename(outputs[entryFile].cssBundle);
  const shell = [...needed].map((f) => path.basename(f)).concat([phoneCss, iconName]).sort();
  const webmanifestText = JSON.stringify({
    name: 'Gridloop 网格员', short_name: '网格员', lang: 'zh-CN', dir: 'auto', start_url: 'phone', scope: './',
    display: 'standalone', background_color: '#ffffff', theme_color: '#0b5cad',
    icons: [{ src: iconName, sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  }, null, 1) + '\n';
  const webmanifest = `phone.${createHash('sha256').update(webmanifestText).digest('hex').slice(0, 8).toUpperCase()}.webmanifest`;
  fs.writeFileSync(path.join(out, webmanifest), webmanifestText);
  const version = createHash('sha256').update(shell.join('\n')).digest('hex').slice(0, 16);
  const template = fs.readFileSync(path.join(here, 'src', 'phone', 'worker.js'), 'utf8');
  const worker = 'phone-sw.js';
  fs.writeFileSync(path.join(out, worker), template.replace("'__VERSION__'", JSON.stringify(version))
    .replace("['__SHELL__']", JSON.stringify(shell)));
  return { entry: path.basename(entryFile), css: phoneCss, webmanifest, worker };
}

const vendor = path.join(root, 'tests', 'browser', 'vendor');
fs.mkdirSync(vendor, { recursive: true });
fs.copyFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), path.join(vendor, 'axe.min.js'));
console.log(`console built: ${entry}, ${css}, ${Object.keys(files).length} files in chalicelib/console_assets/`);
