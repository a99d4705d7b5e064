// `npm start` (scripts/start.mjs) run as a user runs it, with a stand-in for code-server that
// records the folder it is asked to open and answers /healthz (the real one needs a browser to be
// of use): the editor gets a copy of examples/ in an ignored folder, never examples/ itself, so a
// quick fix tried in the demo cannot change the files the tests read (issue 11, item 9). The copy
// is kept from one start to the next and made afresh with --reset-examples. Everything the run
// writes goes to a temporary S3EG_START_DIR.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/paths';

/** A hang detector for one start, far above what it needs (no build, a 2-second package). */
const HANG_MS = 120_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-start-'));
const startDir = path.join(tmp, 'start');
const record = path.join(tmp, 'code-server-args.json');
const fakeCodeServer = path.join(tmp, 'code-server');
fs.writeFileSync(
  fakeCodeServer,
  `#!${process.execPath}
// A stand-in for code-server: installs nothing, records how it was started, answers /healthz.
const args = process.argv.slice(2);
if (args.includes('--install-extension')) { console.log("Extension 's3-encryption-guard' was successfully installed."); process.exit(0); }
require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(args));
const [host, port] = args[args.indexOf('--bind-addr') + 1].split(':');
require('node:http').createServer((req, res) => { res.writeHead(req.url === '/healthz' ? 200 : 404); res.end('{}'); }).listen(Number(port), host);
`,
  { mode: 0o755 },
);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

interface Started {
  proc: ChildProcess;
  stdout: string;
  folder: string;
}

/** `node scripts/start.mjs --skip-build ...` until it says where to open the editor. */
async function start(extra: string[] = []): Promise<Started> {
  fs.rmSync(record, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CODE_SERVER_BIN: fakeCodeServer,
    S3EG_START_DIR: startDir,
    PORT: String(await freePort()),
  };
  const proc = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--skip-build', ...extra], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const hang = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`npm start did not get ready: ${stdout}${stderr}`));
    }, HANG_MS);
    const check = () => {
      if (stdout.includes('Open in your browser:')) {
        clearTimeout(hang);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', code => {
      clearTimeout(hang);
      reject(new Error(`npm start exited (${code}): ${stdout}${stderr}`));
    });
  });
  const args = JSON.parse(fs.readFileSync(record, 'utf8')) as string[];
  return { proc, stdout, folder: args[args.length - 1] };
}

/** Ctrl-C: start ends code-server and the emulator and exits 0. */
async function stop(s: Started): Promise<void> {
  const code = await new Promise<number | null>(resolve => {
    s.proc.removeAllListeners('exit');
    s.proc.once('exit', c => resolve(c));
    s.proc.kill('SIGINT');
  });
  assert.equal(code, 0);
}

const examples = path.join(ROOT, 'examples');
const TRIED = 'bad-missing-slash-star.bucket-policy.json';

describe('npm start opens a copy of examples/', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a quick fix tried in the demo changes the copy, kept across restarts, never examples/', async () => {
    const original = fs.readFileSync(path.join(examples, TRIED), 'utf8');
    const workspace = path.join(startDir, 'workspace');

    const first = await start();
    try {
      assert.equal(first.folder, workspace, 'code-server opens the copy');
      assert.deepEqual(fs.readdirSync(workspace).sort(), fs.readdirSync(examples).sort());
      assert.match(first.stdout, /copied \(first start\): \d+ files\. Edits and quick fixes change the copy, never examples\//);
      assert.match(
        first.stdout,
        new RegExp(`^ {4}${TRIED.replace(/\./g, '\\.')}$`, 'm'),
        'the bad examples are listed by their names in the copy',
      );
      // What a quick fix does: the editor saves the open file.
      fs.writeFileSync(path.join(first.folder, TRIED), original.replace('"Version"', '"Version" ').replace(/\n$/, '\n\n'));
    } finally {
      await stop(first);
    }
    assert.equal(fs.readFileSync(path.join(examples, TRIED), 'utf8'), original, 'examples/ is untouched');

    const again = await start();
    try {
      assert.equal(again.folder, workspace);
      assert.notEqual(fs.readFileSync(path.join(workspace, TRIED), 'utf8'), original, 'the edit survives a restart');
      assert.match(
        again.stdout,
        /kept from the last start, with your edits \(1 file differs from examples\/\); npm start -- --reset-examples makes a fresh copy/,
      );
    } finally {
      await stop(again);
    }

    const fresh = await start(['--reset-examples']);
    try {
      assert.equal(fresh.folder, workspace);
      assert.equal(fs.readFileSync(path.join(workspace, TRIED), 'utf8'), original, '--reset-examples starts over from examples/');
      assert.match(fresh.stdout, /a fresh copy \(--reset-examples\)/);
    } finally {
      await stop(fresh);
    }
  });
});
