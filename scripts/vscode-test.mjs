#!/usr/bin/env node
// The in-editor test runner: runs the mocha suite out/test/e2e/index.js (compiled from
// test/e2e/*.ts; exports run()) inside a real VS Code, with this repository as the extension
// under development and a temporary copy of test/fixtures/e2e-workspace/ as the workspace.
// It builds nothing: build the extension (dist/) and compile the tests (out/) first.
//
//   node scripts/vscode-test.mjs [--runner browser|electron] [--timeout S] [--logs DIR] [--screenshot PNG]
//
// --runner browser (default): code-server 4.100.3 (= VS Code 1.100.3) driven by headless
//   Debian Chromium through playwright-core; both are installed on demand (scripts/lib/code-server.mjs).
//   Works without downloading VS Code. How (VS Code 1.100.3 sources):
//   * the web workbench reads the `payload` query parameter (workbench.ts, WorkspaceProvider);
//     extensionDevelopmentPath / extensionTestsPath given as vscode-remote://<host:port>/<abs path>
//     become extensionDevelopmentLocationURI / extensionTestsLocationURI (environmentService.ts);
//   * the server loads the extension as a development extension and runs it in its Node extension
//     host, which require()s the tests module and awaits run() (extHostExtensionService.ts);
//   * the workbench then calls window.codeAutomationExit(code, logs) and forwards all extension-host
//     console output to window.codeAutomationLog(level, args) -- the @vscode/test-web contract; we
//     provide both with page.exposeFunction;
//   * a process.exit(N) or crash of the *remote* extension host reaches the workbench as code 0, so
//     code-server's own log line "Extension Host Process exited with code: N, signal: S." is checked too.
// --runner electron: @vscode/test-electron's runTests (downloads VS Code 1.100.3 into .vscode-test/;
//   needs a display on Linux, e.g. `xvfb-run -a`). For machines that can download VS Code.
//
// Exit codes: 0 suite passed; 1 a test failed, the suite threw, or the extension host died;
// 2 timeout; 3 infrastructure error (nothing built, code-server/Chromium missing or not starting).
// Every environment variable is inherited by the extension host (process.env in the tests).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import {
  ensureChromium,
  ensureCodeServer,
  repoRoot,
  SetupError,
  CODE_SERVER_VERSION,
  OFFLINE_USER_SETTINGS,
} from './lib/code-server.mjs';

const require = createRequire(import.meta.url);
const VSCODE_VERSION = '1.100.3'; // the VS Code inside code-server 4.100.3; also what --runner electron downloads

const USAGE = `usage: node scripts/vscode-test.mjs [options]
  --runner browser|electron  browser (default): code-server ${CODE_SERVER_VERSION} + headless Chromium;
                             electron: @vscode/test-electron (downloads VS Code ${VSCODE_VERSION}; Linux needs a display, e.g. xvfb-run -a)
  --timeout S                give up after S seconds (default 300) -> exit 2
  --logs DIR                 keep code-server.log, browser-console.log and VS Code's own logs in DIR
  --screenshot PNG           screenshot of the workbench when the suite has finished (browser runner)
  --verbose                  echo code-server's output
  --keep                     keep the scratch directory (workspace copy, user data)
  --extension DIR            extension under test (default: this repository); its tests are
                             DIR/out/test/e2e/index.js and its workspace DIR/test/fixtures/e2e-workspace
  --tests FILE, --workspace DIR   override those two
env: CODE_SERVER_BIN, CHROMIUM_BIN override the programs (browser runner); VSCODE_EXECUTABLE_PATH
     (an installed VS Code, no download) or VSCODE_VERSION (default ${VSCODE_VERSION}) for --runner electron;
     E2E_GREP filters tests by name.
exit: 0 passed, 1 failed, 2 timeout, 3 infrastructure error`;

function usage(msg) {
  if (msg) console.error(`vscode-test: ${msg}`);
  console.error(USAGE);
  process.exit(msg ? 3 : 0);
}

// ---------------------------------------------------------------- options
const opts = { runner: 'browser', timeout: 300, verbose: false, keep: false, ext: repoRoot };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--runner':
        opts.runner = value();
        break;
      case '--timeout':
        opts.timeout = Number(value());
        break;
      case '--logs':
        opts.logs = path.resolve(value());
        break;
      case '--screenshot':
        opts.screenshot = path.resolve(value());
        break;
      case '--extension':
        opts.ext = path.resolve(value());
        break;
      case '--tests':
        opts.tests = path.resolve(value());
        break;
      case '--workspace':
        opts.workspace = path.resolve(value());
        break;
      case '--verbose':
        opts.verbose = true;
        break;
      case '--keep':
        opts.keep = true;
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        usage(`unknown argument ${argv[i]}`);
    }
  }
  if (!['browser', 'electron'].includes(opts.runner)) usage(`--runner must be browser or electron, not ${opts.runner}`);
  if (!(opts.timeout > 0)) usage('--timeout needs a positive number of seconds');
  opts.tests ??= path.join(opts.ext, 'out', 'test', 'e2e', 'index.js');
  opts.workspace ??= path.join(opts.ext, 'test', 'fixtures', 'e2e-workspace');
}

const T0 = Date.now();
const secs = ms => `${(ms / 1000).toFixed(1)}s`;
const info = (...a) => console.log(`[vscode-test ${secs(Date.now() - T0)}]`, ...a);

// ---------------------------------------------------------------- preconditions (exit 3)
function infraFail(msg) {
  console.error(`vscode-test: ${msg}`);
  process.exit(3);
}
{
  const manifestPath = path.join(opts.ext, 'package.json');
  if (!fs.existsSync(manifestPath)) infraFail(`no package.json in ${opts.ext}`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  if (manifest.main && !fs.existsSync(path.resolve(opts.ext, manifest.main))) {
    infraFail(
      `the extension is not built: ${path.relative(process.cwd(), path.resolve(opts.ext, manifest.main)) || manifest.main} is missing; run \`npm run build\` first`,
    );
  }
  if (!fs.existsSync(opts.tests))
    infraFail(`the e2e tests are not compiled: ${opts.tests} is missing; compile test/e2e/*.ts with tsc first`);
  if (!fs.statSync(opts.workspace, { throwIfNoEntry: false })?.isDirectory())
    infraFail(`workspace fixture folder ${opts.workspace} is missing`);
}

// ---------------------------------------------------------------- scratch state
// Everything the editor writes goes here: HOME, user data, extensions, browser profile and the
// copy of the workspace (tests may edit and save files without dirtying the repository).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-e2e-'));
const dirs = {
  home: path.join(tmp, 'home'),
  userData: path.join(tmp, 'user-data'),
  extensions: path.join(tmp, 'extensions'),
  chromeProfile: path.join(tmp, 'chromium-profile'),
  tmp: path.join(tmp, 'tmp'), // TMPDIR of code-server: its IPC sockets go away with the scratch dir
  workspace: path.join(tmp, 'workspace', path.basename(opts.workspace)),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
fs.cpSync(opts.workspace, dirs.workspace, { recursive: true, dereference: true });
fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(OFFLINE_USER_SETTINGS, null, 2));
const logsDir = opts.logs || path.join(tmp, 'logs');
fs.mkdirSync(logsDir, { recursive: true });

// ---------------------------------------------------------------- memory sampling
function procTree(rootPid) {
  const children = new Map();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(e));
    } catch {
      /* gone */
    }
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p) || []));
  }
  return out;
}
function memOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return { rss: Number(/^Rss:\s+(\d+)/m.exec(s)?.[1] || 0), pss: Number(/^Pss:\s+(\d+)/m.exec(s)?.[1] || 0) };
  } catch {
    return { rss: 0, pss: 0 };
  }
}
const hasProc = fs.existsSync('/proc/self/smaps_rollup');
const memAvailableKb = () => {
  try {
    return Number(/^MemAvailable:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] || 0);
  } catch {
    return 0;
  }
};
const memAvailStart = memAvailableKb();
let memAvailMin = memAvailStart;
const peak = { codeServer: { rss: 0, pss: 0 }, chromium: { rss: 0, pss: 0 }, total: { rss: 0, pss: 0 }, procs: 0 };
let csPid = 0;
let chromePid = 0;
function sampleMemory() {
  if (!hasProc) return;
  const sum = pids =>
    pids.reduce(
      (acc, p) => {
        const m = memOf(p);
        acc.rss += m.rss;
        acc.pss += m.pss;
        return acc;
      },
      { rss: 0, pss: 0 },
    );
  const cs = csPid ? sum(procTree(csPid)) : { rss: 0, pss: 0 };
  const cr = chromePid ? sum(procTree(chromePid)) : { rss: 0, pss: 0 };
  const all = procTree(process.pid);
  const tot = sum(all);
  for (const [k, v] of [
    ['codeServer', cs],
    ['chromium', cr],
    ['total', tot],
  ]) {
    peak[k].rss = Math.max(peak[k].rss, v.rss);
    peak[k].pss = Math.max(peak[k].pss, v.pss);
  }
  peak.procs = Math.max(peak.procs, all.length);
  memAvailMin = Math.min(memAvailMin, memAvailableKb());
}
const memTimer = setInterval(sampleMemory, 250);

// ---------------------------------------------------------------- mocha's result
// test/e2e/index.ts prints `[e2e-result] {"passes":..,"failures":..,"pending":..,"duration":..}`;
// for another suite, fall back to the spec reporter's "N passing (1s)" / "M failing".
const suite = { result: null, passing: null, failing: null, duration: null };
function observeSuiteLine(line) {
  const m = /\[e2e-result\] (\{.*\})/.exec(line);
  if (m) {
    try {
      suite.result = JSON.parse(m[1]);
    } catch {
      /* ignore */
    }
    return;
  }
  const p = /^\s*(\d+) passing \(([^)]*)\)/.exec(line);
  if (p) {
    suite.passing = Number(p[1]);
    suite.duration = p[2];
  }
  const f = /^\s*(\d+) failing\b/.exec(line);
  if (f) suite.failing = Number(f[1]);
}
function suiteSummaryLine() {
  if (suite.result) {
    const { passes, failures, duration } = suite.result;
    return `in-editor suite: ${passes} passing, ${failures} failing, ${(duration / 1000).toFixed(1)}s`;
  }
  if (suite.passing !== null || suite.failing !== null) {
    // A suite without our [e2e-result] line: mocha's own "(850ms)", or its rounded "(3s)" as is.
    const ms = /^(\d+)ms$/.exec(suite.duration || '');
    const dur = ms ? secs(Number(ms[1])) : suite.duration || '?';
    return `in-editor suite: ${suite.passing ?? 0} passing, ${suite.failing ?? 0} failing, ${dur}`;
  }
  return 'in-editor suite: no mocha summary seen (the suite did not run, or did not finish)';
}

// ---------------------------------------------------------------- finishing
let cleanupHooks = [];
let exiting = false;
function tail(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}
async function finish(code, why) {
  if (exiting) return;
  exiting = true;
  clearInterval(memTimer);
  sampleMemory();
  if ((code === 2 || code === 3) && !opts.logs && opts.runner === 'browser' && csPid) {
    for (const name of ['code-server.log', 'browser-console.log']) {
      const text = tail(path.join(logsDir, name), 30).trim();
      if (text) console.error(`---- last lines of ${name} ----\n${text}`);
    }
    console.error('---- (use --logs DIR to keep all logs) ----');
  }
  for (const hook of cleanupHooks.reverse()) {
    try {
      await hook();
    } catch {
      /* best effort */
    }
  }
  if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  else info(`kept scratch dir ${tmp}`);
  const mb = kb => `${(kb / 1024).toFixed(0)} MiB`;
  if (hasProc && peak.procs > 1) {
    info(
      `peak memory (sum over process trees, RSS / PSS): ` +
        (opts.runner === 'browser'
          ? `code-server ${mb(peak.codeServer.rss)} / ${mb(peak.codeServer.pss)}, chromium ${mb(peak.chromium.rss)} / ${mb(peak.chromium.pss)}, `
          : '') +
        `everything incl. runner ${mb(peak.total.rss)} / ${mb(peak.total.pss)} (${peak.procs} processes); ` +
        `system MemAvailable dropped by at most ${mb(memAvailStart - memAvailMin)}`,
    );
  }
  info(`${why}; runner wall time ${secs(Date.now() - T0)}`);
  console.log(suiteSummaryLine());
  process.exit(code);
}
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGTERM', () => finish(143, 'terminated'));
process.on('uncaughtException', e => {
  console.error(e);
  finish(3, 'runner error');
});
process.on('unhandledRejection', e => {
  console.error(e);
  finish(3, 'runner error');
});

const timeoutTimer = setTimeout(() => finish(2, `timeout: no result after ${opts.timeout} s`), opts.timeout * 1000);

if (opts.runner === 'electron') await runElectron();
else await runBrowser();

// ---------------------------------------------------------------- --runner electron
async function runElectron() {
  let testElectron;
  try {
    testElectron = require('@vscode/test-electron');
  } catch {
    await finish(3, '@vscode/test-electron is not installed (npm ci)');
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    info(
      'warning: no DISPLAY; VS Code (Electron) needs one on Linux: run under `xvfb-run -a`, or use the default --runner browser',
    );
  }
  // VS Code's processes are our descendants; on timeout/interrupt end them (runTests keeps no handle we can use).
  cleanupHooks.push(() => {
    for (const pid of procTree(process.pid)
      .filter(p => p !== process.pid)
      .reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  // Tee VS Code's output (runTests forwards it to our stdout) to read mocha's summary.
  const write = process.stdout.write.bind(process.stdout);
  let buf = '';
  process.stdout.write = (chunk, ...rest) => {
    const lines = (buf + chunk.toString()).split('\n');
    buf = lines.pop();
    lines.forEach(observeSuiteLine);
    return write(chunk, ...rest);
  };
  info(`running the suite in VS Code ${VSCODE_VERSION} (Electron) via @vscode/test-electron; workspace copy ${dirs.workspace}`);
  let code;
  try {
    await testElectron.runTests({
      version: process.env.VSCODE_VERSION || VSCODE_VERSION,
      // A VS Code already on the machine (skips the download), e.g. /usr/share/code/code.
      ...(process.env.VSCODE_EXECUTABLE_PATH ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH } : {}),
      cachePath: path.join(repoRoot, '.vscode-test'),
      extensionDevelopmentPath: opts.ext,
      extensionTestsPath: opts.tests,
      launchArgs: [
        dirs.workspace,
        `--user-data-dir=${dirs.userData}`,
        `--extensions-dir=${dirs.extensions}`,
        '--disable-telemetry',
      ],
      extensionTestsEnv: { ...process.env },
    });
    code = 0;
  } catch (e) {
    if (e instanceof testElectron.TestRunFailedError || (e && 'code' in e && 'signal' in e)) {
      code = 1;
      info(`VS Code: ${e.message}`);
    } else {
      console.error(e);
      await finish(
        3,
        `could not run VS Code (download or start failed: ${e?.message ?? e}); on machines without access to update.code.visualstudio.com use --runner browser`,
      );
    }
  } finally {
    if (buf) observeSuiteLine(buf);
    process.stdout.write = write;
  }
  clearTimeout(timeoutTimer);
  await finish(code, code === 0 ? 'tests passed' : 'tests FAILED');
}

// ---------------------------------------------------------------- --runner browser
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function runBrowser() {
  let chromiumBin;
  let codeServerBin;
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch {
    await finish(3, 'playwright-core is not installed (npm ci)');
  }
  try {
    // stderr: visible live even when a caller captures stdout (e.g. scripts/test.mjs).
    const log = msg => console.error(`[vscode-test ${secs(Date.now() - T0)}] ${msg}`);
    chromiumBin = ensureChromium({ log });
    codeServerBin = await ensureCodeServer({ log });
  } catch (e) {
    if (e instanceof SetupError) {
      console.error(`vscode-test: ${e.message}`);
      await finish(3, 'setup failed');
    }
    throw e;
  }

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const csLog = fs.createWriteStream(path.join(logsDir, 'code-server.log'));
  const csArgs = [
    '--config',
    '/dev/null', // never read/write ~/.config/code-server/config.yaml
    '--auth',
    'none',
    '--bind-addr',
    authority, // loopback only
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--ignore-last-opened',
    dirs.workspace,
  ];
  const csEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    TMPDIR: dirs.tmp,
    EXTENSIONS_GALLERY: '{}', // no marketplace (open-vsx): nothing to look up on a closed network
    CS_DISABLE_FILE_DOWNLOADS: '1',
  };
  delete csEnv.PORT;
  delete csEnv.PASSWORD;
  delete csEnv.HASHED_PASSWORD;

  info(`starting code-server on http://${authority}/ with workspace ${dirs.workspace}`);
  // detached => its own process group, so cleanup ends exactly code-server and its children.
  const codeServer = spawn(codeServerBin, csArgs, { env: csEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  csPid = codeServer.pid;
  cleanupHooks.push(async () => {
    if (codeServer.exitCode !== null || codeServer.signalCode !== null) return;
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      /* gone */
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
  });
  codeServer.stdout.pipe(csLog, { end: false });
  codeServer.stderr.pipe(csLog, { end: false });
  const extHostExits = [];
  let onExtHostExit = () => {};
  let csOutBuf = '';
  codeServer.stdout.on('data', d => {
    const lines = (csOutBuf + d).split('\n');
    csOutBuf = lines.pop();
    for (const l of lines) {
      const m = /Extension Host Process exited with code: (\S+), signal: (\S+)\./.exec(l);
      if (m) {
        extHostExits.push({ code: m[1], signal: m[2] });
        onExtHostExit();
      }
    }
  });
  if (opts.verbose) {
    codeServer.stdout.on('data', d => process.stdout.write(`[code-server] ${d}`));
    codeServer.stderr.on('data', d => process.stdout.write(`[code-server] ${d}`));
  }
  codeServer.on('error', e => {
    if (!exiting) {
      console.error(`vscode-test: cannot start ${codeServerBin}: ${e.message}`);
      finish(3, 'code-server did not start');
    }
  });
  codeServer.on('exit', (code, sig) => {
    if (!exiting) {
      info(`code-server exited early (code ${code}, signal ${sig})`);
      finish(3, 'code-server died');
    }
  });

  const tCs = Date.now();
  for (;;) {
    try {
      if ((await fetch(`http://${authority}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - tCs > 60_000) await finish(3, 'code-server did not answer /healthz within 60 s');
    await new Promise(r => setTimeout(r, 100));
  }
  const csStartMs = Date.now() - tCs;

  const tBrowser = Date.now();
  let context;
  try {
    context = await playwright.chromium.launchPersistentContext(dirs.chromeProfile, {
      executablePath: chromiumBin,
      headless: true,
      env: {
        ...process.env,
        HOME: dirs.home,
        XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
        XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
      },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (e) {
    console.error(`vscode-test: Chromium (${chromiumBin}) did not start: ${e.message.split('\n')[0]}`);
    await finish(3, 'chromium did not start');
  }
  cleanupHooks.push(() => context.close());
  chromePid =
    procTree(process.pid).find(p => {
      if (p === process.pid || procTree(csPid).includes(p)) return false;
      try {
        return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim().startsWith('chrom');
      } catch {
        return false;
      }
    }) || 0;
  info(`code-server up in ${csStartMs} ms; chromium ${context.browser()?.version?.() ?? ''} up in ${Date.now() - tBrowser} ms`);

  const page = context.pages()[0] || (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(logsDir, 'browser-console.log'));
  page.on('console', m => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', e => consoleLog.write(`[pageerror] ${e.stack || e}\n`));
  page.on('crash', () => finish(3, 'the workbench page crashed'));
  page.on('requestfailed', r => consoleLog.write(`[requestfailed] ${r.url()} ${r.failure()?.errorText}\n`));

  let resolveExit;
  const exitPromise = new Promise(r => (resolveExit = r));
  let testsDone = false;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (testsDone) return; // shutdown chatter after the result
    const text = util.format(...(Array.isArray(args) ? args : [args]));
    for (const l of text.split('\n')) observeSuiteLine(l);
    if (text.startsWith('[e2e-result] ')) return; // machine-readable; summarised at the end
    const line = type === 'info' || type === 'log' ? text : `[${type}] ${text}`;
    (type === 'error' ? console.error : console.log)(line);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    try {
      for (const l of logs || []) {
        const out = path.join(logsDir, 'vscode-logs', l.relativePath);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, l.contents);
      }
    } catch (e) {
      console.error('could not write VS Code logs', e);
    }
    testsDone = true;
    resolveExit(code);
  });

  // vscode-remote://<the host:port the page is served from><absolute path>: the server maps these
  // to file:///<absolute path> for its Node extension host.
  const remoteUri = p => `vscode-remote://${authority}${p.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [
    ['extensionDevelopmentPath', remoteUri(opts.ext)],
    ['extensionTestsPath', remoteUri(opts.tests)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const tNav = Date.now();
  await page.goto(url, { timeout: opts.timeout * 1000 });
  info(`workbench loaded in ${Date.now() - tNav} ms; running the suite`);
  const code = await exitPromise;
  const tDone = Date.now();
  if (opts.screenshot) {
    try {
      fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
      await page.screenshot({ path: opts.screenshot });
      info(`screenshot ${opts.screenshot}`);
    } catch (e) {
      info(`screenshot failed: ${e.message}`);
    }
  }
  info(`VS Code reported exit code ${code}; page open -> suite done ${tDone - tNav} ms`);
  // The workbench now stops the extension host; wait (max 5 s) for code-server to log how it ended.
  if (!extHostExits.length)
    await new Promise(r => {
      onExtHostExit = r;
      setTimeout(r, 5000);
    });
  clearTimeout(timeoutTimer);
  const bad = extHostExits.filter(e => e.code !== '0' || e.signal !== 'null');
  if (!extHostExits.length) info('warning: did not see the extension host exit in the code-server log');
  if (opts.logs) info(`logs in ${logsDir}`);
  if (code !== 0) await finish(1, 'tests FAILED');
  else if (bad.length)
    await finish(
      1,
      `tests FAILED: the extension host process ended abnormally (${bad.map(e => `code ${e.code}, signal ${e.signal}`).join('; ')})`,
    );
  else await finish(0, 'tests passed');
}
