// The built CLI on generated hostile files (test/fuzz/hostile.ts, the same cases `npm run fuzz`
// runs): none may crash, hang, escape its memory bound or print raw ESC bytes, a good file beside
// hostile ones still gets its result, and a hostile file is analysed or named with a reason. The hang guard is a generous deadline, not a timing
// assertion; the 1-second budget per case is measured by `npm run fuzz`.
// Before the issue 10 fixes it failed (hangs, unbounded reads, raw ESC); S3EG_FUZZ_SHORT=0 skips it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CASE_MEMORY_LIMIT_MB, runCliCase, STDERR_FLOOD_BYTES } from '../fuzz/cli-fuzz';
import { writeHostileFiles } from '../fuzz/hostile';

const ENABLED = process.env.S3EG_FUZZ_SHORT !== '0';
const HANG_GUARD_MS = 10_000;

describe('CLI on hostile files', { skip: ENABLED ? false : 'S3EG_FUZZ_SHORT=0' }, () => {
  if (!ENABLED) return;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-hostile-test-'));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));
  // 30 wildcards is the case; 100 and 1,000 go to `npm run fuzz` (each can hang until the guard).
  const cases = writeHostileFiles(folder).filter(c => !/wildcards-(100|1000)-/.test(c.name));
  for (const c of cases) {
    it(`${c.name}: ${c.about}`, { timeout: HANG_GUARD_MS + 5000 }, async () => {
      const r = await runCliCase(c, HANG_GUARD_MS);
      assert.equal(r.hung, false, `still running after ${HANG_GUARD_MS} ms`);
      assert.equal(r.memoryExceeded, false, `RSS over ${CASE_MEMORY_LIMIT_MB} MB`);
      assert.equal(r.crashed, false, r.crashReason);
      assert.ok([0, 1, 2].includes(r.exitCode ?? -1), `exit code ${r.exitCode}`);
      assert.equal(r.escInStdout, false, 'raw ESC bytes on stdout');
      assert.equal(r.escInStderr, false, 'raw ESC bytes on stderr');
      assert.ok(r.stderrBytes <= STDERR_FLOOD_BYTES, `${r.stderrBytes} bytes of stderr`);
      assert.equal(r.missingResult, undefined, `no result printed for ${r.missingResult}`);
      assert.deepEqual(r.unmentioned, [], 'hostile files skipped without a word');
    });
  }
});
