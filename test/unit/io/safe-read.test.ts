import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { safeReadFile, safeReadFileSync, safeReadTextSync } from '../../../shared/safe-read';

describe('safe reads: only regular files within the limit, never blocking', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-safe-read-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'policy.json');
  fs.writeFileSync(file, '\ufeff{"Version": "2012-10-17"}');
  const fifo = path.join(dir, 'pipe.json');
  execFileSync('mkfifo', [fifo]);
  const big = path.join(dir, 'big.json');
  fs.writeFileSync(big, 'x'.repeat(5000));
  const link = path.join(dir, 'zero.json');
  fs.symlinkSync('/dev/zero', link);

  it('reads a regular file and drops the byte-order mark from its text', async () => {
    const sync = safeReadTextSync(file);
    assert.deepEqual(sync, { ok: true, text: '{"Version": "2012-10-17"}' });
    const r = await safeReadFile(file);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.size, Buffer.byteLength('\ufeff{"Version": "2012-10-17"}'));
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const r = safeReadFileSync(fifo);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'not-a-file');
    assert.match(!r.ok ? r.message : '', /named pipe/);
    const a = await safeReadFile(fifo);
    assert.equal(!a.ok && a.code, 'not-a-file');
  });

  it('refuses a device, also through a symbolic link (/dev/zero never ends)', async () => {
    for (const p of ['/dev/zero', link]) {
      const r = safeReadFileSync(p);
      assert.equal(!r.ok && r.code, 'not-a-file', p);
      assert.match(!r.ok ? r.message : '', /device/);
      const a = await safeReadFile(p);
      assert.equal(!a.ok && a.code, 'not-a-file', p);
    }
  });

  it('refuses a folder, a missing file and a file over the limit, each with its own reason', () => {
    const folder = safeReadFileSync(dir);
    assert.equal(!folder.ok && folder.code, 'not-a-file');
    const missing = safeReadFileSync(path.join(dir, 'nope.json'));
    assert.equal(!missing.ok && missing.code, 'not-found');
    const tooBig = safeReadFileSync(big, { maxBytes: 4096 });
    assert.equal(!tooBig.ok && tooBig.code, 'too-large');
    assert.match(!tooBig.ok ? tooBig.message : '', /5 KB, over the 4 KB limit/);
    assert.equal(safeReadFileSync(big, { maxBytes: 5000 }).ok, true);
  });
});
