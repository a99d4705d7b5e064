// On-demand installs of the two programs the in-editor tests and `npm start` need:
// code-server (VS Code in a browser, served by Node) and Debian's Chromium.
//
// code-server is never a dependency in package.json: it is ~600 MB with native modules.
// It is installed from the npm registry into <repo>/.vscode-test/code-server-<version>/
// (git-ignored) the first time it is needed. On these machines only the npm registry and
// Debian's apt mirror are reachable, which needs three tricks (verified on Debian 12, Node 20):
//   1. apt packages libkrb5-dev + pkg-config (code-server's native `kerberos` module is
//      compiled from source), ripgrep (its binary is reused, see 2), python3/make/g++ (node-gyp);
//   2. @vscode/ripgrep's postinstall downloads ripgrep from GitHub (unreachable), but first
//      looks in <os.tmpdir()>/vscode-ripgrep-cache-<its version>/ for the release tarball:
//      we seed that cache with a tarball holding Debian's /usr/bin/rg (also 13.0.0) as `rg`;
//   3. npm_config_yes=true (code-server's postinstall runs npm/npx, and ~/.npmrc says
//      yes=false) and npm_config_unsafe_perm=true (as verified; probably a no-op on npm 11),
//      and node-gyp pointed at the local Node headers (nodedir) so it downloads nothing.
// Always pass `--config /dev/null` (or a file) to code-server: otherwise even `--version`
// writes ~/.config/code-server/config.yaml.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, matches engines.vscode ^1.100.0
// What code-server 4.100.3 pulls in (its own deps and lib/vscode's): @vscode/ripgrep 1.15.11,
// whose postinstall wants ripgrep release v13.0.0-10.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';
const CHROMIUM_DEFAULT = '/usr/bin/chromium';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheRoot = path.join(repoRoot, '.vscode-test');
export const codeServerDir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
const codeServerBin = path.join(codeServerDir, 'node_modules', '.bin', 'code-server');
const markerFile = path.join(codeServerDir, '.installed');
const lockDir = `${codeServerDir}.lock`;
const installLog = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}-install.log`);

/** An error whose message is one line meant for a person: what failed and the way out. */
export class SetupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

const defaultLog = msg => console.error(msg);
const isExecutable = p => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};
const sleep = ms => new Promise(r => setTimeout(r, ms));

// ---------------------------------------------------------------- apt

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

/** Installs the Debian packages that are missing (apt-get update first). */
export function ensureAptPackages(pkgs, { log = defaultLog, why = '' } = {}) {
  const hasDpkg = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasDpkg) {
    throw new SetupError(
      `cannot check for ${pkgs.join(', ')}${why ? ` (${why})` : ''}: this is not a Debian/Ubuntu system; install the equivalents yourself`,
    );
  }
  const missing = pkgs.filter(p => !dpkgInstalled(p));
  if (!missing.length) return;
  const aptCmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new SetupError(
      `missing Debian packages ${missing.join(' ')}${why ? ` (${why})` : ''}; run as root: sudo sh -c '${aptCmd}'`,
    );
  }
  log(`Installing Debian packages ${missing.join(' ')}${why ? ` (${why})` : ''} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for a concurrent apt/dpkg run instead of failing on its lock.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  for (const args of [
    ['update', ...lockWait],
    ['install', '-y', '--no-install-recommends', ...lockWait, ...missing],
  ]) {
    const t = Date.now();
    const r = spawnSync('apt-get', ['-q', ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      const tail = `${r.stdout || ''}${r.stderr || ''}`
        .trim()
        .split('\n')
        .filter(l => /^(E|W|Err):/.test(l))
        .slice(-6)
        .join('\n');
      if (tail) log(tail);
      throw new SetupError(`'apt-get ${args[0]}' failed (exit ${r.status ?? r.error?.code}); fix apt and run: ${aptCmd}`);
    }
    log(`  apt-get ${args[0]} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const still = missing.filter(p => !dpkgInstalled(p));
  if (still.length) throw new SetupError(`apt-get did not install ${still.join(' ')}; run: ${aptCmd}`);
}

// ---------------------------------------------------------------- chromium

/** Path of a Chromium to drive headless: CHROMIUM_BIN, or Debian's chromium (installed via apt when missing). */
export function ensureChromium({ log = defaultLog } = {}) {
  const fromEnv = process.env.CHROMIUM_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new SetupError(
        `CHROMIUM_BIN=${fromEnv} is not an executable file; fix it, or unset it to use Debian's ${CHROMIUM_DEFAULT}`,
      );
    return fromEnv;
  }
  if (isExecutable(CHROMIUM_DEFAULT)) return CHROMIUM_DEFAULT;
  if (process.platform !== 'linux') {
    throw new SetupError(`no Chromium at ${CHROMIUM_DEFAULT}; set CHROMIUM_BIN to a Chromium/Chrome executable`);
  }
  ensureAptPackages(['chromium'], { log, why: 'headless browser for the in-editor tests' });
  if (!isExecutable(CHROMIUM_DEFAULT))
    throw new SetupError(`the chromium package is installed but ${CHROMIUM_DEFAULT} is missing; set CHROMIUM_BIN`);
  return CHROMIUM_DEFAULT;
}

// ---------------------------------------------------------------- code-server

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** mkdir-based lock: atomic on local file systems; a lock whose owner died is taken over. */
async function withInstallLock(log, fn) {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const ownerFile = path.join(lockDir, 'owner.json');
  let lastNote = 0;
  const t0 = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let owner = null;
    try {
      owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8'));
    } catch {
      /* being written, or left empty */
    }
    let ageMs;
    try {
      ageMs = Date.now() - fs.statSync(lockDir).mtimeMs;
    } catch {
      continue; /* just released */
    }
    // The owner's npm child counts too: it keeps writing into the folder if only the owner was killed.
    const stale = owner
      ? owner.host === os.hostname() && ![owner.pid, owner.childPid].some(p => p && pidAlive(p))
      : ageMs > 30_000;
    if (stale) {
      // rename first: of several waiters only one takes the stale lock away, and none removes a fresh one.
      const grave = `${lockDir}.stale-${process.pid}`;
      try {
        fs.renameSync(lockDir, grave);
      } catch {
        continue;
      }
      log(`code-server: removed a stale install lock${owner ? ` (pid ${owner.pid} is gone)` : ''}`);
      fs.rmSync(grave, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - t0 > 20 * 60_000) {
      throw new SetupError(
        `code-server: still locked by ${owner ? `pid ${owner.pid}` : 'another process'} after 20 min; if no install is running, delete ${lockDir}`,
      );
    }
    if (Date.now() - lastNote > 15_000) {
      lastNote = Date.now();
      const who = !owner
        ? ''
        : pidAlive(owner.pid)
          ? ` (pid ${owner.pid})`
          : ` (its npm, pid ${owner.childPid}, is still running)`;
      log(`code-server: another process${who} is installing it; waiting ...`);
    }
    await sleep(1000);
  }
  const release = () => {
    try {
      fs.rmSync(lockDir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  };
  process.once('exit', release);
  const noteChild = childPid => {
    try {
      fs.writeFileSync(
        ownerFile,
        JSON.stringify({ pid: process.pid, childPid, host: os.hostname(), since: new Date().toISOString() }),
      );
    } catch {
      /* ignore */
    }
  };
  try {
    return await fn(noteChild);
  } finally {
    release();
    process.removeListener('exit', release);
  }
}

function installedVersionOk() {
  if (!isExecutable(codeServerBin)) return false;
  try {
    return fs.readFileSync(markerFile, 'utf8').trim().startsWith(CODE_SERVER_VERSION);
  } catch {
    return false;
  }
}

function seedRipgrepCache(log) {
  const arch = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch];
  if (!arch)
    throw new SetupError(
      `code-server: no offline ripgrep recipe for CPU ${process.arch}; set CODE_SERVER_BIN to an installed code-server ${CODE_SERVER_VERSION}`,
    );
  const rg = ['/usr/bin/rg', '/bin/rg'].find(isExecutable);
  if (!rg) throw new SetupError('code-server: /usr/bin/rg (Debian package ripgrep) is missing; run: apt-get install -y ripgrep');
  const cache = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const tgz = path.join(cache, `ripgrep-${RIPGREP_RELEASE}-${arch}.tar.gz`);
  if (fs.existsSync(tgz) && fs.statSync(tgz).size > 0) return;
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-seed-'));
  try {
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    fs.mkdirSync(cache, { recursive: true });
    const tmpTgz = `${tgz}.${process.pid}.tmp`;
    const r = spawnSync('tar', ['-czf', tmpTgz, '-C', stage, 'rg'], { encoding: 'utf8' });
    if (r.status !== 0) throw new SetupError(`code-server: could not create ${tgz}: ${(r.stderr || '').trim()}`);
    fs.renameSync(tmpTgz, tgz); // atomic: a concurrent reader never sees half a tarball
    log(`code-server: seeded the ripgrep download cache with ${rg} (${tgz})`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Env for the nested `npm install`: without the variables `npm run`/`npm start` set for its own project. */
function npmInstallEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(prefix|global_prefix|local_prefix|yes|unsafe_perm)$)/i.test(k)) continue;
    env[k] = v;
  }
  env.npm_config_yes = 'true';
  env.npm_config_unsafe_perm = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // node-gyp must find the Node headers locally (it cannot download them here).
  const prefix = path.dirname(path.dirname(process.execPath));
  if (!env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  return env;
}

function runLogged(cmd, args, { cwd, env, log, label, onSpawn = () => {} }) {
  return new Promise(resolve => {
    const out = fs.openSync(installLog, 'a');
    fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd}, ${new Date().toISOString()})\n`);
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
    if (child.pid) onSpawn(child.pid);
    // If we are stopped half-way, do not leave npm writing into the folder behind us.
    const killChild = () => {
      try {
        child.kill('SIGTERM');
      } catch {
        /* gone */
      }
    };
    process.once('exit', killChild);
    child.on('exit', () => process.removeListener('exit', killChild));
    const t0 = Date.now();
    const beat = setInterval(() => {
      let last = '';
      try {
        const text = fs
          .readFileSync(installLog, 'utf8')
          .slice(-4000)
          .split('\n')
          .map(l => l.trim())
          .filter(l => l && !l.startsWith('$ ') && !/^npm warn (Unknown (user|env) config|install-scripts)/i.test(l));
        last = (text[text.length - 1] || '').replace(/\s+/g, ' ').slice(0, 100);
      } catch {
        /* ignore */
      }
      log(`  ${label}: still running (${Math.round((Date.now() - t0) / 1000)} s)${last ? ` ... ${last}` : ''}`);
    }, 15_000);
    let settled = false;
    const settle = result => {
      if (settled) return;
      settled = true;
      clearInterval(beat);
      fs.closeSync(out);
      resolve(result);
    };
    child.on('error', e => settle({ code: -1, error: e }));
    child.on('exit', (code, signal) => settle({ code, signal }));
  });
}

function tailOf(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Path of a code-server binary: CODE_SERVER_BIN, or code-server CODE_SERVER_VERSION installed
 * on demand into <repo>/.vscode-test/. Idempotent; concurrent callers wait for one install.
 */
export async function ensureCodeServer({ log = defaultLog } = {}) {
  const fromEnv = process.env.CODE_SERVER_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new SetupError(
        `CODE_SERVER_BIN=${fromEnv} is not an executable file; fix it, or unset it to install code-server ${CODE_SERVER_VERSION} into .vscode-test/`,
      );
    return fromEnv;
  }
  if (installedVersionOk()) return codeServerBin;
  if (process.platform !== 'linux') {
    throw new SetupError(
      `the offline code-server install only supports Linux; install code-server ${CODE_SERVER_VERSION} yourself and set CODE_SERVER_BIN`,
    );
  }
  return withInstallLock(log, async noteChild => {
    if (installedVersionOk()) return codeServerBin; // another process finished while we waited
    const t0 = Date.now();
    log(
      `Installing code-server ${CODE_SERVER_VERSION} into ${path.relative(repoRoot, codeServerDir)}/ (one time; about 1-2 minutes; log: ${path.relative(repoRoot, installLog)})`,
    );
    ensureAptPackages(['libkrb5-dev', 'pkg-config', 'ripgrep', 'python3', 'make', 'g++'], {
      log,
      why: "to build code-server's native modules",
    });
    seedRipgrepCache(log);
    // A folder without the marker is a failed or interrupted attempt: start clean.
    fs.rmSync(codeServerDir, { recursive: true, force: true });
    fs.mkdirSync(codeServerDir, { recursive: true });
    fs.writeFileSync(
      path.join(codeServerDir, 'package.json'),
      JSON.stringify(
        {
          private: true,
          description: 'code-server for the in-editor tests and npm start (installed by scripts/lib/code-server.mjs)',
        },
        null,
        2,
      ),
    );
    fs.writeFileSync(installLog, '');
    log(
      `  npm install code-server@${CODE_SERVER_VERSION} (downloads ~100 MB from the npm registry, then builds native modules) ...`,
    );
    const r = await runLogged(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=warn', '--prefix', codeServerDir, `code-server@${CODE_SERVER_VERSION}`],
      { cwd: codeServerDir, env: npmInstallEnv(), log, label: 'npm install code-server', onSpawn: noteChild },
    );
    if (r.code !== 0 || !isExecutable(codeServerBin)) {
      const tail = tailOf(installLog, 25);
      if (tail) log(`---- last lines of ${installLog} ----\n${tail}\n----`);
      const hint = /ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED/.test(tail)
        ? 'a download failed (is the npm registry reachable?)'
        : /krb5|gssapi/i.test(tail)
          ? 'the kerberos module did not build (apt-get install -y libkrb5-dev pkg-config)'
          : /ripgrep|rg/i.test(tail)
            ? `@vscode/ripgrep's postinstall failed (check the seeded cache in ${os.tmpdir()}/vscode-ripgrep-cache-*)`
            : /gyp/i.test(tail)
              ? 'a native module did not build (node headers: set npm_config_nodedir; compilers: apt-get install -y python3 make g++)'
              : 'see the log';
      throw new SetupError(
        `installing code-server ${CODE_SERVER_VERSION} failed (${r.error ? r.error.message : `npm exit ${r.code ?? r.signal}`}): ${hint}; full log ${installLog}; retry, or set CODE_SERVER_BIN to an installed code-server`,
      );
    }
    const v = spawnSync(codeServerBin, ['--config', '/dev/null', '--version'], { encoding: 'utf8', timeout: 60_000 });
    const firstLine = (v.stdout || '').trim().split('\n').pop() || '';
    if (v.status !== 0 || !firstLine.startsWith(CODE_SERVER_VERSION)) {
      throw new SetupError(
        `code-server was installed but '${codeServerBin} --version' failed (${(v.stderr || firstLine || `exit ${v.status}`).trim().split('\n').pop()}); delete ${codeServerDir} and retry`,
      );
    }
    fs.writeFileSync(
      markerFile,
      `${firstLine}\ninstalled ${new Date().toISOString()} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    log(`code-server ${firstLine} installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return codeServerBin;
  });
}

/**
 * User settings that keep a code-server workbench quiet and offline (no telemetry, update
 * checks, marketplace recommendations, start-up editor or schema downloads). Used by the
 * in-editor test runner and by `npm start`.
 */
export const OFFLINE_USER_SETTINGS = Object.freeze({
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'json.schemaDownload.enable': false,
});
