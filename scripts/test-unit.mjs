#!/usr/bin/env node
// The fast inner loop: `npm run test:unit -- ENC-004` runs only the tests that match, in about a
// second, without the whole type-check (`npm test` does that).
//
// Sources are transpiled file by file with esbuild (no type-check, no bundling) into out-unit/,
// which mirrors the tree as tsc's out/ does, so paths computed from __dirname stay right. Then:
//  - tests whose file path contains a pattern (case-insensitive) run whole: `ENC-004`, `wildcard`;
//  - otherwise tests whose text contains it run with node's --test-name-pattern on the pattern:
//    `npm run test:unit -- "pins the key"`.
// With no pattern every unit test runs. The language-server and CLI tests need dist/ (npm run
// build); pass `--all` to search test/lsp, test/cli and test/aws as well as test/unit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'out-unit');
const SOURCE_DIRS = ['shared', 'core', 'protocol', 'aws', 'server', 'client', 'cli', 'emulator', 'test', 'bench'];
const args = process.argv.slice(2);
const all = args.includes('--all');
const patterns = args.filter(a => a !== '--all');
const t0 = Date.now();

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') walk(p, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// Transpile what changed since the last run (by modification time).
const sources = SOURCE_DIRS.flatMap(d => walk(path.join(root, d)));
let transpiled = 0;
await Promise.all(
  sources.map(async src => {
    const rel = path.relative(root, src);
    const dest = path.join(OUT, rel.replace(/\.ts$/, '.js'));
    const srcTime = fs.statSync(src).mtimeMs;
    if (fs.existsSync(dest) && fs.statSync(dest).mtimeMs >= srcTime) return;
    const { code } = await transform(fs.readFileSync(src, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: src,
    });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, code);
    transpiled++;
  }),
);
fs.copyFileSync(path.join(root, 'package.json'), path.join(OUT, 'package.json'));

const testDirs = all ? ['test/unit', 'test/lsp', 'test/cli', 'test/aws'] : ['test/unit'];
const tests = testDirs.flatMap(d => walk(path.join(root, d))).filter(f => f.endsWith('.test.ts'));
const lower = patterns.map(p => p.toLowerCase());
let chosen = tests;
let namePattern;
if (patterns.length) {
  chosen = tests.filter(f => lower.some(p => path.relative(root, f).toLowerCase().includes(p)));
  if (!chosen.length) {
    chosen = tests.filter(f => {
      const text = fs.readFileSync(f, 'utf8');
      return patterns.some(p => text.includes(p));
    });
    // node's --test-name-pattern is a regular expression: match the pattern's characters literally.
    namePattern = patterns.map(p => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  }
}
if (!chosen.length) {
  console.error(
    `test:unit: no test file under ${testDirs.join(', ')} matches ${patterns.map(p => JSON.stringify(p)).join(' or ')}`,
  );
  process.exit(1);
}
const files = chosen.map(f => path.join(OUT, path.relative(root, f).replace(/\.ts$/, '.js')));
console.log(
  `test:unit: ${transpiled} file(s) transpiled in ${Date.now() - t0} ms; running ${files.length} test file(s)` +
    (namePattern ? ` filtered by test name` : ''),
);
const r = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', ...(namePattern ? [`--test-name-pattern=${namePattern}`] : []), ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, S3EG_FUZZ_SHORT: process.env.S3EG_FUZZ_SHORT ?? '0' } },
);
process.exit(r.status ?? 1);
