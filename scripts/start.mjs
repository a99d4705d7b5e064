#!/usr/bin/env node
// `npm start`: try the extension in a real VS Code in your browser, no VS Code install needed.
//   1. npm run build                       (dist/: client, language server, CLI)
//   2. vsce package -> .vscode-test/start/s3-encryption-guard.vsix
//   3. code-server 4.100.3 (installed on demand into .vscode-test/, see scripts/lib/code-server.mjs)
//   4. install the .vsix into a project-local profile (.vscode-test/start/) and serve a copy of
//      examples/ (.vscode-test/start/workspace) on http://127.0.0.1:$PORT (default 8080; a free port
//      if that one is taken), no password. The copy is made on the first start and kept after that,
//      so what you change there (quick fixes save into the open files) survives a restart and never
//      reaches examples/, which the tests read; --reset-examples makes a fresh copy.
//   5. a demo AWS endpoint for the S3 Encryption view: the local emulator (dist/emulator.js) with the
//      made-up account of emulator/demo-seed.json; the sandbox's user settings point the view at it.
// Stop with Ctrl-C: code-server's whole process group and the emulator are ended and we exit 0.
// Options: --skip-build (use the dist/ that is there), --reset-examples (a fresh copy of examples/),
// --verbose (echo code-server's output).
// env: PORT, CODE_SERVER_BIN (use this code-server instead of installing one), S3EG_START_DIR (the
// sandbox folder instead of .vscode-test/start: its profile, settings and workspace copy).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ensureCodeServer, repoRoot, SetupError, CODE_SERVER_VERSION, OFFLINE_USER_SETTINGS } from './lib/code-server.mjs';

const args = process.argv.slice(2);
for (const a of args) {
  if (!['--skip-build', '--reset-examples', '--verbose', '-h', '--help'].includes(a)) {
    console.error(`start: unknown argument ${a} (try --help)`);
    process.exit(2);
  }
}
if (args.includes('-h') || args.includes('--help')) {
  console.log(`usage: npm start [-- --skip-build] [-- --reset-examples] [-- --verbose]
  --skip-build      use the dist/ that is there
  --reset-examples  replace the editor's copy of examples/ (.vscode-test/start/workspace) with a
                    fresh one; without it the copy of the last start is kept, with your edits
  --verbose         echo code-server's output
env: PORT (default 8080), CODE_SERVER_BIN, S3EG_START_DIR (default .vscode-test/start)`);
  process.exit(0);
}
const skipBuild = args.includes('--skip-build');
const resetExamples = args.includes('--reset-examples');
const verbose = args.includes('--verbose');

const startDir = process.env.S3EG_START_DIR
  ? path.resolve(process.env.S3EG_START_DIR)
  : path.join(repoRoot, '.vscode-test', 'start');
const vsix = path.join(startDir, 's3-encryption-guard.vsix');
const dirs = { userData: path.join(startDir, 'user-data'), extensions: path.join(startDir, 'extensions') };
const csLogFile = path.join(startDir, 'code-server.log');
const T0 = Date.now();
const step = msg => console.log(`\n▶ ${msg}`);
const fail = (msg, code = 1) => {
  console.error(`\nstart: ${msg}`);
  process.exit(code);
};
const rel = p => path.relative(repoRoot, p) || '.';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`.toLowerCase();

// ---------------------------------------------------------------- 1. build
if (!skipBuild) {
  step('npm run build');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0)
    fail(`the build failed (${r.error ? r.error.message : `exit ${r.status}`}); fix the errors above and run npm start again`);
}
if (manifest.main && !fs.existsSync(path.resolve(repoRoot, manifest.main))) {
  fail(`${manifest.main} is missing: run npm run build (or npm start without --skip-build)`);
}

// ---------------------------------------------------------------- 2. package
step(`packaging ${rel(vsix)} (vsce)`);
fs.mkdirSync(startDir, { recursive: true });
{
  const vsceArgs = ['vsce', 'package', '--no-dependencies', '--skip-license', '--out', vsix];
  // Without a repository in package.json vsce would ask (and, with no terminal, abort), and it
  // refuses relative links in README.md it cannot make absolute. This .vsix is only installed
  // locally, so keep the links as they are.
  if (!manifest.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
  const t = Date.now();
  const r = spawnSync('npx', vsceArgs, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  const out = `${r.stdout || ''}${r.stderr || ''}`.trim();
  if (r.status !== 0 || !fs.existsSync(vsix)) {
    if (out) console.error(out);
    fail(
      `packaging the extension failed (${r.error ? r.error.message : `vsce exit ${r.status}`}); run \`npx vsce ls --no-dependencies\` to see what it would include`,
    );
  }
  const packed = /Packaged: .*\((\d+) files?, ([^)]+)\)/.exec(out);
  console.log(`  ${rel(vsix)}${packed ? `: ${packed[1]} files, ${packed[2]}` : ''} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------- 3. code-server
step(`code-server ${CODE_SERVER_VERSION}`);
let codeServerBin;
try {
  codeServerBin = await ensureCodeServer({ log: msg => console.log(`  ${msg}`) });
} catch (e) {
  if (e instanceof SetupError) fail(e.message);
  throw e;
}
console.log(`  ${path.isAbsolute(codeServerBin) ? rel(codeServerBin) : codeServerBin}`);

const csEnv = {
  ...process.env,
  EXTENSIONS_GALLERY: '{}', // no marketplace (open-vsx): nothing to look up on a closed network
  CS_DISABLE_FILE_DOWNLOADS: '1',
};
delete csEnv.PASSWORD;
delete csEnv.HASHED_PASSWORD;
delete csEnv.PORT;
const profileArgs = ['--config', '/dev/null', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

// ---------------------------------------------------------------- 4. install the .vsix
step(`installing ${rel(vsix)} into ${rel(dirs.extensions)}`);
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
if (!fs.existsSync(settingsFile)) {
  // Written once; edit it (or use the settings UI) to taste, it is kept across runs.
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, `${JSON.stringify(OFFLINE_USER_SETTINGS, null, 2)}\n`);
}
{
  const t = Date.now();
  const r = spawnSync(codeServerBin, [...profileArgs, '--force', '--install-extension', vsix], {
    env: csEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout || ''}${r.stderr || ''}`.trim();
  if (r.status !== 0 || (/failed|error/i.test(out) && !/successfully installed/i.test(out))) {
    if (out) console.error(out);
    fail(
      `installing the .vsix into code-server failed (${r.error ? r.error.message : `exit ${r.status}`}); delete ${rel(startDir)} and try again`,
    );
  }
  console.log(`  ${extensionId} installed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------- 4b. demo AWS endpoint
// The S3 Encryption view needs an account to show: the local emulator serves the made-up buckets of
// emulator/demo-seed.json, and the sandbox's *user* settings point the view at it (the view's
// endpoint and profile settings are application-scoped: workspace settings cannot set them). The
// sandbox gets dummy credentials and AWS config files of its own: no real credentials reach it.
const demoSeed = path.join(repoRoot, 'emulator', 'demo-seed.json');
const emulatorJs = path.join(repoRoot, 'dist', 'emulator.js');
function startDemoEndpoint() {
  if (!fs.existsSync(emulatorJs)) return Promise.reject(new Error(`${rel(emulatorJs)} is missing (npm run build)`));
  if (!fs.existsSync(demoSeed)) return Promise.reject(new Error(`${rel(demoSeed)} is missing`));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [emulatorJs, '--seed', demoSeed, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error('the emulator did not answer within 10 s'));
    }, 10_000);
    proc.stdout.on('data', d => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc });
      }
    });
    proc.stderr.on('data', d => {
      out += d;
    });
    proc.on('error', e => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`the emulator stopped (exit ${code}): ${out.trim()}`));
    });
  });
}
/** Sets one key of a settings.json (JSON with comments), keeping whatever else the user put there. */
function setUserSetting(file, key, value) {
  const { modify, applyEdits } = createRequire(import.meta.url)('jsonc-parser');
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(
    file,
    applyEdits(text, modify(text, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } })),
  );
}
step('demo AWS endpoint for the S3 Encryption view');
const demo = await startDemoEndpoint().catch(e => {
  console.log(`  not started: ${e.message}; the S3 Encryption view will show why it cannot connect`);
  return undefined;
});
if (demo) {
  process.on('exit', () => {
    if (demo.proc.exitCode === null) {
      try {
        demo.proc.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  setUserSetting(settingsFile, 's3EncryptionGuard.aws.endpoint', demo.url);
  const awsDir = path.join(startDir, 'aws');
  fs.mkdirSync(awsDir, { recursive: true });
  fs.writeFileSync(
    path.join(awsDir, 'config'),
    '# AWS config of the npm start sandbox (demo only)\n[default]\nregion = us-east-1\n',
  );
  fs.writeFileSync(
    path.join(awsDir, 'credentials'),
    '# Dummy credentials for the local demo endpoint: not an AWS account\n[default]\naws_access_key_id = demo\naws_secret_access_key = demo\n',
  );
  for (const k of Object.keys(csEnv)) if (k.startsWith('AWS_')) delete csEnv[k];
  Object.assign(csEnv, {
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(awsDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(awsDir, 'credentials'),
    S3EG_DEMO_ENDPOINT: demo.url, // the view labels this endpoint "demo endpoint"
  });
  console.log(`  demo endpoint ${demo.url} (made-up buckets from ${rel(demoSeed)}; not AWS), set in ${rel(settingsFile)}`);
}

// ---------------------------------------------------------------- 5. serve
function portFree(port) {
  return new Promise(resolve => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
function anyFreePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
const wanted = Number(process.env.PORT || 8080);
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) fail(`PORT=${process.env.PORT} is not a port number`, 2);
let port = wanted;
if (!(await portFree(wanted))) {
  port = await anyFreePort();
  console.log(`\n  port ${wanted} is taken; using ${port} instead (set PORT to choose)`);
}

// ---------------------------------------------------------------- 4c. the workspace: a copy of examples/
// Trying a quick-fix saves it into the open file: the editor gets a copy of examples/, never the
// tracked files the tests read (issue 11, item 9). The copy is kept from one start to the next, so
// your edits survive a restart; --reset-examples replaces it with a fresh copy.
const examplesDir = path.join(repoRoot, 'examples');
const workspaceDir = path.join(startDir, 'workspace');

/** The files under a folder, relative, sorted (examples/ holds a few dozen; stop at 10,000). */
function filesUnder(dir) {
  const out = [];
  const walk = rel => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (out.length >= 10_000) return;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}
/** Files of examples/ that the copy lacks or has changed. */
function changedFromExamples() {
  return filesUnder(examplesDir).filter(f => {
    try {
      return !fs.readFileSync(path.join(workspaceDir, f)).equals(fs.readFileSync(path.join(examplesDir, f)));
    } catch {
      return true;
    }
  });
}

let folder = repoRoot;
if (!fs.existsSync(examplesDir)) console.log(`  (no examples/ folder; opening the repository instead)`);
else {
  step(`workspace: a copy of examples/ in ${rel(workspaceDir)}`);
  const existed = fs.existsSync(workspaceDir);
  if (existed && resetExamples) fs.rmSync(workspaceDir, { recursive: true, force: true });
  if (!existed || resetExamples) {
    // dereference: a link in examples/ becomes a file of the copy, so no edit can reach back.
    fs.cpSync(examplesDir, workspaceDir, { recursive: true, dereference: true });
    console.log(
      `  ${existed ? 'a fresh copy (--reset-examples)' : 'copied (first start)'}: ${filesUnder(workspaceDir).length} files. Edits and quick fixes change the copy, never examples/.`,
    );
  } else {
    // Examples added since the copy was made (examples/infra/ with its templates) join it; the
    // files the copy already has keep their edits.
    const added = filesUnder(examplesDir).filter(f => !fs.existsSync(path.join(workspaceDir, f)));
    for (const f of added) {
      fs.mkdirSync(path.dirname(path.join(workspaceDir, f)), { recursive: true });
      fs.cpSync(path.join(examplesDir, f), path.join(workspaceDir, f), { dereference: true });
    }
    if (added.length) console.log(`  ${added.length} new file${added.length === 1 ? '' : 's'} of examples/ added to the copy`);
    const changed = changedFromExamples();
    console.log(
      `  kept from the last start, with your edits${changed.length ? ` (${changed.length} file${changed.length === 1 ? '' : 's'} differ${changed.length === 1 ? 's' : ''} from examples/)` : ''}; npm start -- --reset-examples makes a fresh copy`,
    );
  }
  folder = workspaceDir;
}

step(`starting code-server on 127.0.0.1:${port}`);
const csLog = fs.createWriteStream(csLogFile);
const codeServer = spawn(
  codeServerBin,
  [
    ...profileArgs,
    '--auth',
    'none', // loopback only, see --bind-addr
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    folder,
  ],
  { env: csEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
); // detached: its own process group
codeServer.stdout.pipe(csLog, { end: false });
codeServer.stderr.pipe(csLog, { end: false });
if (verbose) {
  codeServer.stdout.on('data', d => process.stdout.write(`[code-server] ${d}`));
  codeServer.stderr.on('data', d => process.stdout.write(`[code-server] ${d}`));
}

let stopping = false;
async function stop(signal, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping code-server ...`);
  if (codeServer.exitCode === null && codeServer.signalCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const gone = await Promise.race([
      new Promise(r => codeServer.once('exit', () => r(true))),
      new Promise(r => setTimeout(() => r(false), 5000)),
    ]);
    if (!gone) {
      try {
        process.kill(-codeServer.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  if (demo && demo.proc.exitCode === null) {
    try {
      demo.proc.kill('SIGTERM');
    } catch {
      /* gone */
    }
  }
  console.log('stopped.');
  process.exit(exitCode);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
process.on('exit', () => {
  if (!stopping) {
    try {
      process.kill(-codeServer.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

const tail = n => {
  try {
    return fs.readFileSync(csLogFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
};
codeServer.on('error', e => fail(`cannot run ${codeServerBin}: ${e.message}`));
codeServer.on('exit', (code, signal) => {
  if (stopping) return;
  const t = tail(20);
  if (t) console.error(`---- last lines of ${rel(csLogFile)} ----\n${t}\n----`);
  fail(`code-server stopped by itself (exit ${code ?? signal}); see ${rel(csLogFile)}`);
});

const tUp = Date.now();
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    /* not yet */
  }
  if (Date.now() - tUp > 60_000) {
    console.error(`start: code-server did not answer on port ${port} within 60 s; last lines of ${rel(csLogFile)}:\n${tail(20)}`);
    await stop('timeout', 1);
  }
  await new Promise(r => setTimeout(r, 150));
}

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
const bad =
  folder === workspaceDir
    ? fs
        .readdirSync(workspaceDir)
        .filter(f => /^bad-.*\.json$/.test(f))
        .sort()
    : [];
/** The infrastructure templates of the copy (examples/infra/: CloudFormation, CDK output, Terraform). */
const infraDir = path.join(folder, 'infra');
const templates =
  folder === workspaceDir && fs.existsSync(infraDir)
    ? filesUnder(infraDir)
        .filter(f => /\.(ya?ml|json|tf)$/.test(f))
        .map(f => `infra/${f}`)
    : [];
const line = '═'.repeat(Math.min(100, Math.max(60, url.length + 12)));
console.log(`
${line}
  S3 Encryption Guard ${manifest.version} is running in VS Code (code-server ${CODE_SERVER_VERSION}),
  ready after ${((Date.now() - T0) / 1000).toFixed(1)} s.

  Open in your browser:   ${url}

  The editor opens a copy of examples/ (${rel(folder)}). Open bad-*.json there and look at
  the Problems panel (Ctrl+Shift+M):
${bad.length ? bad.map(f => `    ${f}`).join('\n') : '    (no bad-*.json)'}
  The good-*.json files should have no problems. Try the quick fixes (Ctrl+.): they change the
  copy, never examples/; npm start -- --reset-examples starts over from examples/.
${
  templates.length
    ? `
  The same checks inside infrastructure templates: open these for the findings at their place in
  the template, a verdict above each policy, and Explain on the policy under the cursor:
${templates.map(f => `    ${f}`).join('\n')}
`
    : ''
}${
  demo
    ? `
  Live posture: the S3 Encryption view (shield icon in the activity bar) shows the buckets of the
  demo endpoint ${demo.url} (a local emulator with made-up buckets; not AWS).
`
    : ''
}
  On another machine: ssh -L ${port}:127.0.0.1:${port} <this host>, then open the same URL.
  Log: ${rel(csLogFile)}   Profile: ${rel(startDir)}/   Stop: Ctrl-C
${line}
`);
