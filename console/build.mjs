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
  entryPoints: [path.join(here, 'src', 'main.jsx')],
  bundle: true, splitting: true, format: 'esm', minify: true, metafile: true, charset: 'utf8',
  outdir: out, entryNames: '[name].[hash]', chunkNames: '[name].[hash]', assetNames: '[name].[hash]',
  jsx: 'automatic', jsxImportSource: 'preact', target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.svg': 'file' }, legalComments: 'eof', logLevel: 'warning',
});

const files = {};
let entry, css, icon;
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  const name = path.basename(file);
  files[name] = fs.statSync(path.join(out, name)).size;
  const main = info.entryPoint && path.basename(info.entryPoint) === 'main.jsx';
  if (main) { entry = name; css = path.basename(info.cssBundle); }
  if (name.endsWith('.svg')) icon = name;
}
const manifest = { entry, css, icon, files, sources: sourceDigest() };
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');

const vendor = path.join(root, 'tests', 'browser', 'vendor');
fs.mkdirSync(vendor, { recursive: true });
fs.copyFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), path.join(vendor, 'axe.min.js'));
console.log(`console built: ${entry}, ${css}, ${Object.keys(files).length} files in chalicelib/console_assets/`);
