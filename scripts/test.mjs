#!/usr/bin/env node
// `npm test`: build, type-check, lint (boundaries and format), check generated docs, run the node:test suites (unit, rule
// tables, language server over stdio, CLI), then the in-editor suite inside a real VS Code.
// Prints one closing line: `total: N passed, M failed`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
const args = process.argv.slice(2);
const skipEditor = args.includes('--no-editor') || process.env.S3EG_SKIP_EDITOR_TESTS === '1';

function step(title, cmd, cmdArgs, opts = {}) {
  const t = Date.now();
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  const s = ((Date.now() - t) / 1000).toFixed(1);
  if (r.error) console.error(`  could not run ${cmd}: ${r.error.message}`);
  console.log(`  ${title}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${s}s`);
  return r.status ?? 1;
}

function testFiles(dir) {
  const out = [];
  const walk = d => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) out.push(p);
    }
  };
  for (const sub of ['unit', 'lsp', 'cli', 'aws']) if (fs.existsSync(path.join(dir, sub))) walk(path.join(dir, sub));
  return out.sort();
}

let failed = 0;
let passed = 0;
const done = (extra = '') => {
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`\nnpm test wall time: ${s}s${extra}`);
  console.log(`total: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
};

if (step('build (esbuild)', process.execPath, ['scripts/build.mjs'])) {
  failed++;
  done();
}
fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
if (
  step('type-check and compile tests (tsc, strict)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])
) {
  failed++;
  done();
}
if (step('lint: layer boundaries (eslint) and format (prettier)', 'npm', ['run', '--silent', 'lint'])) failed++;
if (step('generated rule docs are current', process.execPath, ['scripts/gen-rule-docs.mjs', '--check'])) failed++;

// node:test: spec output on the console, TAP into a file for the counts.
const tap = path.join(os.tmpdir(), `s3eg-node-test-${process.pid}.tap`);
const files = testFiles(path.join(root, 'out', 'test'));
const nodeStatus = step(`node:test (${files.length} files: unit, rules, language server, CLI)`, process.execPath, [
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files,
]);
try {
  const t = fs.readFileSync(tap, 'utf8');
  const count = k => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(t) || [])[1] || 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  fs.rmSync(tap, { force: true });
} catch {
  failed++;
}
if (nodeStatus && failed === 0) failed++;

let editorLine = '';
if (skipEditor) {
  console.log('\n▶ in-editor suite skipped (--no-editor / S3EG_SKIP_EDITOR_TESTS=1)');
} else {
  const t = Date.now();
  console.log('\n▶ in-editor suite (code-server + headless Chromium)');
  const r = spawnSync(process.execPath, ['scripts/vscode-test.mjs'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout ?? '');
  const m = /in-editor suite: (\d+) passing, (\d+) failing/.exec(r.stdout ?? '');
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (r.status !== 0 && (!m || Number(m[2]) === 0)) failed++;
  editorLine = `; in-editor suite ${((Date.now() - t) / 1000).toFixed(1)}s`;
}
done(editorLine);
