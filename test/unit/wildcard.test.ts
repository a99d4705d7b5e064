// IAM wildcard matching: the same answers as a plain dynamic-programming matcher on random
// patterns, and a number of character steps that stays linear on the hostile patterns that made
// backtracking regular expressions take minutes (issue 10: `A0*A0*…` with 30+ wildcards).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../core/analyze';
import {
  compileArnParts,
  compileWildcard,
  containsWildcard,
  matchesWildcard,
  wildcardParts,
  wildcardSteps,
} from '../../core/policy/wildcard';
import { hasVariableSyntax, parseVariableBody, splitVariables } from '../../core/policy/variables';

/** Reference: dp[i][j] = pattern[0..i) matches value[0..j). O(n·m), obviously right. */
function reference(value: string, pattern: string, fieldSeparator?: string): boolean {
  const n = pattern.length;
  const m = value.length;
  let prev = new Array<boolean>(m + 1).fill(false);
  prev[0] = true;
  for (let i = 1; i <= n; i++) {
    const c = pattern[i - 1];
    const cur = new Array<boolean>(m + 1).fill(false);
    if (c === '*') cur[0] = prev[0];
    for (let j = 1; j <= m; j++) {
      const v = value[j - 1];
      if (c === '*') cur[j] = prev[j] || (cur[j - 1] && v !== fieldSeparator);
      else if (c === '?') cur[j] = prev[j - 1] && v !== fieldSeparator;
      else cur[j] = prev[j - 1] && v === c;
    }
    prev = cur;
  }
  return prev[m];
}

/** ArnLike: the first five colons separate fields that wildcards cannot cross; the sixth field may hold colons. */
function arnReference(value: string, pattern: string): boolean | undefined {
  const split = (s: string) => {
    const out: string[] = [];
    let rest = s;
    for (let i = 0; i < 5; i++) {
      const c = rest.indexOf(':');
      if (c < 0) return undefined;
      out.push(rest.slice(0, c));
      rest = rest.slice(c + 1);
    }
    out.push(rest);
    return out;
  };
  const p = split(pattern);
  if (!p) return undefined;
  const v = split(value);
  if (!v) return false;
  return p.every((f, i) => reference(v[i], f, i < 5 ? ':' : undefined));
}

describe('IAM wildcard matcher', () => {
  const alphabet = fc.constantFrom('a', 'b', '*', '?', ':', '/');
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/'), maxLength: 14 });
  const pattern = fc.string({ unit: alphabet, maxLength: 10 });

  it('answers as the reference matcher on random patterns and values', () => {
    fc.assert(
      fc.property(text, pattern, (v, p) => matchesWildcard(v, p) === reference(v, p)),
      { numRuns: 4000, seed: 10 },
    );
  });

  it('answers as the reference for ARN patterns, field by field', () => {
    const arnish = fc
      .tuple(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 3 }), { minLength: 6, maxLength: 6 }),
        fc.string({ unit: alphabet, maxLength: 6 }),
      )
      .map(([fields, tail]) => fields.join(':') + tail);
    const arnValue = fc
      .tuple(fc.array(fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 }), { minLength: 6, maxLength: 7 }), text)
      .map(([fields, tail]) => fields.join(':') + tail);
    fc.assert(
      fc.property(arnValue, arnish, (v, p) => compileArnParts(wildcardParts(p))?.test(v) === arnReference(v, p)),
      { numRuns: 3000, seed: 11 },
    );
    assert.equal(compileArnParts(wildcardParts('arn:aws:s3')), undefined, 'fewer than six fields');
  });

  it('ignores case only when asked', () => {
    assert.ok(compileWildcard('S3:get*', { ignoreCase: true }).test('s3:GetObject'));
    assert.ok(!compileWildcard('S3:get*').test('s3:GetObject'));
  });

  const stepsFor = (value: string, p: string): { steps: number; result: boolean } => {
    const before = wildcardSteps();
    const result = compileWildcard(p).test(value);
    return { steps: wildcardSteps() - before, result };
  };

  for (const n of [30, 100, 1000]) {
    it(`${n} wildcards: steps stay linear in pattern + text (no backtracking)`, () => {
      const p = `arn:aws:s3:::xyz/${'A0*'.repeat(n)}`;
      const hostileValues = [
        `arn:aws:s3:::xyz/${'A0'.repeat(n - 1)}A1`, // one piece short: fails at the very end
        `arn:aws:s3:::xyz/${'A'.repeat(4 * n)}`, // no piece at all
        `arn:aws:s3:::xyz/${'A0x'.repeat(n)}`, // matches
        `arn:aws:s3:::xyz/${'A0'.repeat(n)}${'0'.repeat(5000)}`,
      ];
      for (const v of hostileValues) {
        const { steps, result } = stepsFor(v, p);
        assert.equal(result, reference(v, p), v.slice(0, 40));
        assert.ok(
          steps <= 4 * (p.length + v.length),
          `${steps} steps for a ${p.length}-character pattern and a ${v.length}-character value`,
        );
      }
      // With ? the bound is pattern × text; it still never explodes.
      const q = `*${'A?*'.repeat(n)}B`;
      const v = 'A'.repeat(3 * n);
      const { steps, result } = stepsFor(v, q);
      assert.equal(result, false);
      assert.ok(steps <= q.length * v.length + q.length + v.length, `${steps} steps`);
    });
  }

  for (const [where, statement] of [
    [
      'Resource',
      (pat: string) => ({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::xyz', `arn:aws:s3:::xyz/${pat}`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ],
    [
      'NotResource',
      (pat: string) => ({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        NotResource: [`arn:aws:s3:::xyz/${pat}`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ],
    [
      'StringNotLike aws:PrincipalArn',
      (pat: string) => ({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::xyz/*',
        Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::111122223333:role/${pat}` } },
      }),
    ],
    [
      'ArnNotLike on the key id',
      (pat: string) => ({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::xyz/*',
        Condition: {
          ArnNotLike: { 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:eu-west-1:111122223333:key/${pat}` },
        },
      }),
    ],
  ] as const) {
    it(`a whole analysis with 30 wildcards in ${where} takes a bounded number of matching steps`, () => {
      const text = JSON.stringify({ Version: '2012-10-17', Statement: [statement('A0*'.repeat(30))] });
      const before = wildcardSteps();
      const a = analyze(text, 'xyz.bucket-policy.json');
      const steps = wildcardSteps() - before;
      assert.deepEqual(a.ruleFailures, []);
      assert.ok(a.verdicts?.length === 1, 'a verdict was computed');
      assert.ok(steps < 2_000_000, `${steps} steps`);
    });
  }
});

describe('policy variables are found in linear time', () => {
  it('a value of 200,000 unclosed "${" is read without restarting at each one', { timeout: 20_000 }, () => {
    const value = '${'.repeat(200_000);
    assert.deepEqual(splitVariables(value), [{ kind: 'text', text: value }]);
    assert.equal(hasVariableSyntax(value), false);
    assert.equal(containsWildcard(value), false);
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: `arn:aws:s3:::b/${value}*`,
          Condition: { StringLike: { 'aws:userid': value } },
        },
      ],
    });
    const a = analyze(text, 'b.bucket-policy.json');
    assert.deepEqual(a.ruleFailures, []);
  });

  it('splits variables, escapes and defaults as IAM reads them', () => {
    assert.deepEqual(splitVariables("home/${aws:username}/${*}x${aws:PrincipalTag/team, 'none'}"), [
      { kind: 'text', text: 'home/' },
      { kind: 'variable', body: 'aws:username' },
      { kind: 'text', text: '/' },
      { kind: 'variable', body: '*' },
      { kind: 'text', text: 'x' },
      { kind: 'variable', body: "aws:PrincipalTag/team, 'none'" },
    ]);
    assert.deepEqual(parseVariableBody("  aws:PrincipalTag/team , 'a,b' "), { key: 'aws:principaltag/team', fallback: 'a,b' });
    assert.deepEqual(parseVariableBody('aws:username'), { key: 'aws:username' });
    assert.equal(parseVariableBody('a, b'), undefined);
    assert.equal(parseVariableBody("'a'"), undefined);
    assert.equal(parseVariableBody(''), undefined);
  });
});
