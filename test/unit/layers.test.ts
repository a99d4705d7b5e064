// The layer boundaries are the lint's, not the file headers': an import across a boundary fails
// `npm run lint`. Each case lints one import line as if it were in a file of the given layer, with
// the project's real ESLint configuration (eslint.config.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/paths';

const RESTRICTED = '@typescript-eslint/no-restricted-imports';

/** [file, import line, allowed?] */
const CASES: [string, string, boolean][] = [
  ['client/views/x.ts', "import { analyze } from '../../core/analyze';", false],
  ['client/views/x.ts', "import type { Analysis } from '../../core/analyze';", false],
  ['client/views/x.ts', "import { explainReport } from '../../server/features/x';", false],
  ['client/views/x.ts', "import { main } from '../../cli/main';", false],
  ['client/views/x.ts', "import { EXPLAIN_REQUEST } from '../../protocol/protocol';", true],
  ['client/views/x.ts', "import { fetchPosture } from '../../aws/posture';", true],
  ['client/views/x.ts', "import { createConnection } from 'vscode-languageserver/node';", false],
  ['core/engine/x.ts', "import * as vscode from 'vscode';", false],
  ['core/engine/x.ts', "import { createConnection } from 'vscode-languageserver/node';", false],
  ['core/engine/x.ts', "import { fetchPosture } from '../../aws/posture';", false],
  ['core/engine/x.ts', "import { escapeMarkdown } from '../../shared/escape';", true],
  ['core/x.ts', "import type { ExplainReport } from '../protocol/protocol';", true],
  ['core/x.ts', "import { EXPLAIN_REQUEST } from '../protocol/protocol';", false],
  ['shared/x.ts', "import { analyze } from '../core/analyze';", false],
  ['shared/x.ts', "import { EXPLAIN_REQUEST } from '../protocol/protocol';", false],
  ['protocol/x.ts', "import type { Analysis } from '../core/analyze';", true],
  ['protocol/x.ts', "import { analyze } from '../core/analyze';", false],
  ['aws/x.ts', "import type { Requirements } from '../core/requirements';", true],
  ['aws/x.ts', "import { analyze } from '../core/analyze';", false],
  ['aws/x.ts', "import { localJudge } from '../cli/local-judge';", false],
  ['aws/x.ts', "import * as vscode from 'vscode';", false],
  ['server/x.ts', "import * as vscode from 'vscode';", false],
  ['server/x.ts', "import { fetchPosture } from '../aws/posture';", false],
  ['server/features/x.ts', "import { analyze } from '../../core/analyze';", true],
  ['cli/x.ts', "import { explainReport } from '../server/features/x';", false],
  ['cli/x.ts', "import { analyze } from '../core/analyze';", true],
  ['cli/x.ts', "import { fetchPosture } from '../aws/posture';", true],
];

describe('layer boundaries (eslint.config.mjs)', () => {
  it('fail the lint for every import across a boundary, and only those', () => {
    const input = CASES.map(([file, line]) => ({ filePath: path.join(ROOT, file), code: `${line}\nexport const x = 1;\n` }));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'test', 'helpers', 'lint-probe.mjs')], {
      cwd: ROOT,
      input: JSON.stringify(input),
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const results = JSON.parse(r.stdout) as { filePath: string; rules: string[] }[];
    assert.equal(results.length, CASES.length);
    const wrong = CASES.filter(([, , allowed], i) => results[i].rules.includes(RESTRICTED) === allowed).map(
      ([file, line, allowed]) => `${file}: ${line} should ${allowed ? 'pass' : 'fail'}`,
    );
    assert.deepEqual(wrong, []);
  });
});
