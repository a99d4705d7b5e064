#!/usr/bin/env node
// Bundles the client, the language server and the CLI with esbuild (one file each, in dist/).
// `--production` minifies and drops source maps (used by `npm run package`); `--watch` rebuilds
// on every change (`npm run watch`).
// The client bundle must not hold the engine: the editor talks to it through the language server.
// The build fails when any module of core/, server/ or cli/ ends up in it.
import { build, context } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** Folders whose code must never be bundled into the editor client. */
const NOT_IN_CLIENT = ['core/', 'server/', 'cli/'];
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

const bundles = [
  { ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client/extension.js', external: ['vscode'], metafile: true },
  { ...common, entryPoints: ['server/server.ts'], outfile: 'dist/server/server.js' },
  { ...common, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['emulator/src/cli.ts'], outfile: 'dist/emulator.js' },
];

/** Fails when the client bundle holds code of a layer it must reach only through the server. */
function checkClient(metafile) {
  const wrong = Object.keys(metafile.inputs).filter(i => NOT_IN_CLIENT.some(d => i.startsWith(d)));
  if (wrong.length) {
    throw new Error(
      `the client bundle includes ${wrong.length} module(s) it must reach through the language server: ${wrong.slice(0, 5).join(', ')}`,
    );
  }
}

try {
  // The Terraform parser's WebAssembly (core/templates/hcl-parse.ts looks beside the bundle, and
  // one folder up: dist/cli.js and dist/server/server.js both find dist/*.wasm).
  const require = createRequire(import.meta.url);
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(root, 'dist/web-tree-sitter.wasm'));
  copyFileSync(
    path.join(path.dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json')), 'tree-sitter-terraform.wasm'),
    path.join(root, 'dist/tree-sitter-terraform.wasm'),
  );
  if (watch) {
    const contexts = await Promise.all(bundles.map(b => context(b)));
    await Promise.all(contexts.map(c => c.watch()));
    console.log('build: watching client, server, cli and emulator sources (Ctrl+C to stop)');
  } else {
    const [client] = await Promise.all(bundles.map(b => build(b)));
    checkClient(client.metafile);
    chmodSync(path.join(root, 'dist/cli.js'), 0o755);
    console.log(`build: dist/ (client, server, cli, emulator) in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
  }
} catch (e) {
  // esbuild has already printed the located errors.
  console.error(`build failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  process.exit(1);
}
