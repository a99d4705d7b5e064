#!/usr/bin/env node
// `npm run watch`: rebuilds the extension, the language server, the CLI and the emulator on every
// change (esbuild, scripts/build.mjs --watch) and type-checks in the background (tsc --watch,
// no output files). Reload the extension host window (or restart the server:
// "S3 Encryption: Restart Language Server") to pick up a rebuilt server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [
  spawn(process.execPath, ['scripts/build.mjs', '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit', '--watch', '--preserveWatchOutput'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  ),
];
const stop = () => {
  for (const c of children) c.kill();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', code => code && code !== 0 && console.error(`watch: a child exited with ${code}`));
