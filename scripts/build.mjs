#!/usr/bin/env node
// Bundles the client, the language server and the CLI with esbuild (one file each, in dist/).
// `--production` minifies and drops source maps (used by `npm run package`).
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const t0 = Date.now();

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build works.
  mainFields: ['module', 'main'],
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

try {
  await Promise.all([
    build({ ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client/extension.js', external: ['vscode'] }),
    build({ ...common, entryPoints: ['server/server.ts'], outfile: 'dist/server/server.js' }),
    build({ ...common, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
    build({ ...common, entryPoints: ['emulator/src/cli.ts'], outfile: 'dist/emulator.js' }),
  ]);
  chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  // The Terraform parser's WebAssembly (core/templates/hcl-parse.ts looks beside the bundle, and
  // one folder up: dist/cli.js and dist/server/server.js both find dist/*.wasm).
  const require = createRequire(import.meta.url);
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(root, 'dist/web-tree-sitter.wasm'));
  copyFileSync(
    path.join(path.dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json')), 'tree-sitter-terraform.wasm'),
    path.join(root, 'dist/tree-sitter-terraform.wasm'),
  );
  console.log(`build: dist/ (client, server, cli, emulator) in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
} catch (e) {
  // esbuild has already printed the located errors.
  console.error(`build failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  process.exit(1);
}
