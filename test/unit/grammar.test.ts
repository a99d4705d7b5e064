// The injection grammar as VS Code runs it: vscode-textmate with the Oniguruma regex engine (onig.wasm),
// the grammar injected into JSON as package.json says (injectTo), tokenizing a sample policy line by
// line. A minimal JSON base grammar with VS Code's scope names stands in for the built-in one
// (test/fixtures/grammar/json.tmLanguage.json), so the test needs nothing outside the repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { ROOT } from '../helpers/paths';

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { grammars: GrammarContribution[] };
};
const injection = pkg.contributes.grammars.find(g => g.injectTo)!;
const BASE = path.join(ROOT, 'test/fixtures/grammar/json.tmLanguage.json');

const ARN = 'constant.other.arn.s3eg';
const ACTION = 'support.function.action.s3eg';
const OPERATOR = 'keyword.operator.condition.s3eg';
const KEY = 'variable.other.condition-key.s3eg';
const OURS = [ARN, ACTION, OPERATOR, KEY];

interface Token {
  text: string;
  scopes: string[];
  line: number;
}

let registry: textmate.Registry;

async function tokenize(scopeName: string, text: string): Promise<Token[]> {
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName}`);
  const out: Token[] = [];
  let stack = textmate.INITIAL;
  text.split('\n').forEach((line, n) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes, line: n });
    stack = r.ruleStack;
  });
  return out;
}

/** The scopes of ours that the tokens with exactly this text carry (one entry per occurrence). */
function ourScopes(tokens: Token[], text: string): string[][] {
  const hits = tokens.filter(t => t.text === text);
  assert.ok(
    hits.length > 0,
    `a token "${text}" in ${JSON.stringify(tokens.filter(t => t.scopes.some(s => OURS.includes(s))).map(t => t.text))}`,
  );
  return hits.map(t => t.scopes.filter(s => OURS.includes(s)));
}

const SAMPLE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyInsecureTransport",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:*", "s3:PutObject", "kms:GenerateDataKey*", "s3:Get*"],
      "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/\${aws:username}/*"],
      "Condition": {
        "Bool": { "aws:SecureTransport": "false" },
        "NumericLessThan": { "s3:TlsVersion": "1.2" },
        "StringNotEqualsIfExists": { "s3:x-amz-server-side-encryption": "aws:kms" },
        "ArnNotEqualsIfExists": { "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
        "Null": { "s3:x-amz-server-side-encryption-customer-algorithm": "false" },
        "ForAnyValue:StringLike": { "kms:EncryptionContext:aws:s3:arn": ["arn:aws-cn:s3:::b"] },
        "StringEquals": { "aws:PrincipalTag/team": "payments", "kms:ViaService": "s3.us-east-1.amazonaws.com" }
      }
    },
    {
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/app" },
      "NotAction": "s3:DeleteBucket",
      "Resource": "*"
    }
  ]
}`;

describe('injection grammar (vscode-textmate + vscode-oniguruma)', () => {
  before(() => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }));
    registry = new textmate.Registry({
      onigLib,
      loadGrammar: async scopeName => {
        if (scopeName === injection.scopeName)
          return textmate.parseRawGrammar(fs.readFileSync(path.join(ROOT, injection.path), 'utf8'), injection.path);
        // The same base grammar under each scope package.json injects into (JSON and JSON with comments).
        if (injection.injectTo?.includes(scopeName)) {
          return textmate.parseRawGrammar(
            JSON.stringify({ ...JSON.parse(fs.readFileSync(BASE, 'utf8')), scopeName }),
            `${scopeName}.json`,
          );
        }
        return null;
      },
      getInjections: scopeName => pkg.contributes.grammars.filter(g => g.injectTo?.includes(scopeName)).map(g => g.scopeName),
    });
  });

  it('package.json injects it into JSON and JSON with comments', () => {
    assert.deepEqual([...(injection.injectTo ?? [])].sort(), ['source.json', 'source.json.comments']);
    assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, injection.path), 'utf8')).scopeName, injection.scopeName);
  });

  for (const scope of ['source.json', 'source.json.comments']) {
    it(`${scope}: ARNs, actions, condition operators and condition keys get their scopes, on top of the JSON ones`, async () => {
      const tokens = await tokenize(scope, SAMPLE);
      for (const arn of [
        'arn:aws:s3:::example-bucket',
        'arn:aws:s3:::example-bucket/*',
        'arn:aws:s3:::example-bucket/${aws:username}/*',
        'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'arn:aws-cn:s3:::b',
        'arn:aws:iam::111122223333:role/app',
      ]) {
        assert.deepEqual(ourScopes(tokens, arn), [[ARN]], arn);
      }
      for (const action of ['s3:*', 's3:PutObject', 'kms:GenerateDataKey*', 's3:Get*', 's3:DeleteBucket']) {
        assert.deepEqual(ourScopes(tokens, action), [[ACTION]], action);
      }
      for (const op of [
        'Bool',
        'NumericLessThan',
        'StringNotEqualsIfExists',
        'ArnNotEqualsIfExists',
        'Null',
        'ForAnyValue:StringLike',
        'StringEquals',
      ]) {
        assert.deepEqual(ourScopes(tokens, op), [[OPERATOR]], op);
      }
      for (const key of [
        'aws:SecureTransport',
        's3:TlsVersion',
        's3:x-amz-server-side-encryption',
        's3:x-amz-server-side-encryption-aws-kms-key-id',
        's3:x-amz-server-side-encryption-customer-algorithm',
        'kms:EncryptionContext:aws:s3:arn',
        'aws:PrincipalTag/team',
        'kms:ViaService',
      ]) {
        assert.deepEqual(ourScopes(tokens, key), [[KEY]], key);
      }
      // Ours are added inside the JSON scopes, never instead of them.
      const put = tokens.find(t => t.text === 's3:PutObject')!;
      assert.ok(put.scopes.includes('string.quoted.double.json'), put.scopes.join(' '));
      const tls = tokens.find(t => t.text === 's3:TlsVersion')!;
      assert.ok(tls.scopes.includes('support.type.property-name.json'), tls.scopes.join(' '));
    });
  }

  it('leaves everything else alone: element names, plain values, header values such as aws:kms, service names', async () => {
    const tokens = await tokenize('source.json', SAMPLE);
    for (const plain of [
      'Version',
      '2012-10-17',
      'Statement',
      'Effect',
      'Deny',
      'Condition',
      'aws:kms',
      'false',
      'payments',
      's3.us-east-1.amazonaws.com',
      'AWS',
      '*',
    ]) {
      for (const scopes of ourScopes(tokens, plain)) assert.deepEqual(scopes, [], plain);
    }
  });

  it('does not mark up ordinary JSON or comments', async () => {
    const text =
      '{\n  // s3:PutObject and arn:aws:s3:::b in a comment\n  "scripts": { "test:unit": "node --test", "lint": "eslint:recommended" }\n}';
    const tokens = await tokenize('source.json.comments', text);
    assert.deepEqual(
      tokens.filter(t => t.scopes.some(s => OURS.includes(s))).map(t => t.text),
      [],
    );
  });
});
