// Entry point of the in-editor (end-to-end) suite. VS Code's extension host require()s the
// compiled file (out/test/e2e/index.js, passed as extensionTestsPath by scripts/vscode-test.mjs)
// and awaits run(); a rejection makes the run fail. It works the same under code-server
// (the default runner here) and under @vscode/test-electron.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  const grep = process.env.E2E_GREP; // e.g. E2E_GREP=diagnostics npm run test:e2e
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(failures => {
        // One machine-readable line for the runner's summary (`in-editor suite: ...`). The first
        // console.log argument must be a string: VS Code drops non-string first arguments.
        const { passes = 0, failures: failed = 0, pending = 0, duration = 0 } = runner.stats ?? {};
        console.log('[e2e-result] %s', JSON.stringify({ passes, failures: failed, pending, duration }));
        if (failures > 0) reject(new Error(`${failures} in-editor test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.error('[e2e] could not run the suite:', err);
      reject(err);
    }
  });
}
