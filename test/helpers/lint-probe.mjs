// Lints snippets of code as if they were files at given paths, with the project's ESLint
// configuration, in one process: reads [{ filePath, code }] as JSON on stdin, writes
// [{ filePath, rules: [ruleId…] }] on stdout. Used by test/unit/layers.test.ts.
import { ESLint } from 'eslint';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath });
  out.push({ filePath, rules: (result?.messages ?? []).map(m => m.ruleId ?? m.message) });
}
process.stdout.write(JSON.stringify(out));
