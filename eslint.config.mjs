// Lint: the layer boundaries (who may import whom) and the TypeScript checks tsc does not make.
// The layers and their arrows are described in docs/design/architecture.md; this file enforces them,
// so moving an import across a boundary fails `npm run lint` (part of `npm test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import paths a layer must not use; each message says what to do instead. */
const layer = (name, forbidden) => ({
  name: `layer/${name}`,
  files: [`${name}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map(({ group, message, allowTypeImports }) => ({
          group,
          message,
          ...(allowTypeImports ? { allowTypeImports: true } : {}),
        })),
      },
    ],
  },
});

const EDITOR = ['vscode', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageclient', 'vscode-languageclient/*'];
const up = dir => [`../${dir}`, `../${dir}/*`, `../../${dir}`, `../../${dir}/*`, `../../../${dir}/*`];

const noEditor = {
  group: EDITOR,
  message: 'The engine, rules, AWS access code and CLI never import the editor or the LSP library.',
};
const noLanguageServer = {
  group: ['vscode-languageserver', 'vscode-languageserver/*'],
  message: 'The client speaks LSP through vscode-languageclient.',
};
const noVscode = { group: ['vscode'], message: 'The language server never imports vscode.' };
const not = (dirs, message, allowTypeImports = false) => ({ group: dirs.flatMap(up), message, allowTypeImports });

export default tseslint.config(
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    ignores: [
      'node_modules/',
      'out/',
      'out-*/',
      'dist/',
      '.vscode-test/',
      '.cache/',
      'core/knowledge/generated/',
      'test/fixtures/',
      'examples/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      // tsc (strict, noUnused*) already checks these.
      '@typescript-eslint/no-unused-vars': 'off',
      'no-undef': 'off',
      // Deliberate: JSON-RPC and AWS answers are unknown until checked.
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  layer('shared', [
    noEditor,
    not(['core', 'protocol', 'aws', 'server', 'client', 'cli'], 'shared/ imports nothing of ours: every layer imports it.'),
  ]),
  layer('core', [
    noEditor,
    not(['aws', 'server', 'client', 'cli'], 'core/ (engine, rules, policy, knowledge) imports only shared/.'),
    not(['protocol'], 'core/ may build wire types (import type from protocol/), nothing else.', true),
  ]),
  layer('protocol', [
    noEditor,
    not(['aws', 'server', 'client', 'cli'], 'protocol/ holds names and wire types only.'),
    not(['core'], 'protocol/ may name core types (import type) but never runs core code.', true),
  ]),
  layer('aws', [
    noEditor,
    not(['server', 'client', 'cli'], 'aws/ is shared by the CLI and the editor: it imports shared/ and protocol/ only.'),
    not(
      ['core'],
      'aws/ never runs the engine: it takes a Judge (the CLI judges with core/, the editor through the server).',
      true,
    ),
  ]),
  layer('server', [noVscode, not(['aws', 'client', 'cli'], 'The language server imports core/, protocol/ and shared/.')]),
  layer('client', [
    noLanguageServer,
    not(['core', 'server', 'cli'], 'The editor client reaches the engine only through the language server (protocol/).'),
  ]),
  layer('cli', [noEditor, not(['server', 'client'], 'The CLI runs core/ directly and reads AWS through aws/.')]),
  {
    // Tests and benchmarks reach into every layer on purpose, and the in-editor tests use vscode.
    // Some tests load JSON schemas and CommonJS-only packages with require().
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
