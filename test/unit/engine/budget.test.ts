// One work allowance per analysis (issue 10, "Bounded work everywhere"): whatever a document holds —
// a thousand buckets, thousands of condition keys, a cross-document check over thousands of
// principals — the engine stops at the allowance, says the verdict is incomplete, and the analysis
// carries one information diagnostic naming the limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, LIMIT_CODE } from '../../../core/analyze';
import { crossCheck } from '../../../core/engine/cross-check';
import { Budget } from '../../../core/engine/budget';
import { enumerateRequests, type Level } from '../../../core/engine/requests/levels';
import { bucketVerdicts, MAX_BUCKET_VERDICTS } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import type { Request } from '../../../shared/types';

const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('work allowance', () => {
  it('a slice draws from its budget and stops at its own limit without exhausting the budget', () => {
    const budget = new Budget(10);
    const slice = budget.slice(4);
    let taken = 0;
    while (slice.take()) taken++;
    assert.equal(taken, 4);
    assert.ok(slice.exhausted);
    assert.equal(budget.used, 4);
    assert.ok(!budget.exhausted);
    const big = budget.slice(100);
    let more = 0;
    while (big.take()) more++;
    assert.equal(more, 6);
    assert.ok(big.exhausted && budget.exhausted);
  });

  it('a policy naming 300 buckets: verdicts for the first MAX_BUCKET_VERDICTS, drawn from one allowance', () => {
    const resources = Array.from({ length: 300 }, (_, i) => [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`]).flat();
    const doc = parsePolicy(
      policy([
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: resources,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: resources,
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        },
      ]),
    );
    const all = bucketVerdicts(doc);
    assert.equal(all.length, MAX_BUCKET_VERDICTS);
    assert.ok(all.every(v => v.complete));
    // An allowance for a few buckets' worth of work: the verdicts stop there, none is guessed.
    const budget = new Budget(8_000);
    const verdicts = bucketVerdicts(doc, { budget });
    assert.ok(budget.used <= budget.max, `${budget.used} steps`);
    assert.equal(budget.exhausted, true);
    assert.ok(verdicts.length > 0 && verdicts.length < MAX_BUCKET_VERDICTS, `${verdicts.length} verdicts`);
    assert.deepEqual(
      verdicts.map(v => v.bucket),
      all.slice(0, verdicts.length).map(v => v.bucket),
    );
    assert.ok(
      verdicts.slice(0, -1).every(v => v.complete),
      'the buckets before the last are decided',
    );
    const a = analyze(policy(JSON.parse(doc.text).Statement), 'x.bucket-policy.json');
    assert.deepEqual(
      a.findings.filter(f => f.ruleId === LIMIT_CODE).map(f => f.message.split(';')[0]),
      ['This policy names 300 buckets'],
    );
  });

  it('an exhausted allowance gives one information diagnostic naming the limit', () => {
    const text = policy([
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      },
    ]);
    const a = analyze(text, 'x.bucket-policy.json', { maxSteps: 10 });
    const limits = a.findings.filter(f => f.ruleId === LIMIT_CODE);
    assert.equal(limits.length, 1);
    assert.equal(limits[0].severity, 'info');
    assert.match(limits[0].message, /^Analysis stopped early: this policy needs more than 10 evaluation steps/);
    assert.ok(a.verdicts?.some(v => !v.complete));
    assert.deepEqual(a.ruleFailures, []);
    const full = analyze(text, 'x.bucket-policy.json');
    assert.equal(full.findings.filter(f => f.ruleId === LIMIT_CODE).length, 0, 'the default allowance is enough for this policy');
  });

  it('the cross-document check stops at the allowance and never reports an unchecked user as failing', () => {
    const principals = Array.from({ length: 3000 }, (_, i) => `arn:aws:iam::111122223333:role/app-${i}`);
    const bucketDoc = parsePolicy(
      policy([
        {
          Effect: 'Allow',
          Principal: { AWS: principals },
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: 'arn:aws:s3:::b/*',
        },
      ]),
    );
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    // Allowed only when twelve tags all hold one value: the search tries every combination first.
    const denies = Array.from({ length: 12 }, (_, i) => ({
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { StringNotEquals: { [`aws:PrincipalTag/t${i}`]: 'a' } },
    }));
    const keyDoc = parsePolicy(
      policy([
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        ...denies,
      ]),
    );
    const check = crossCheck(bucketDoc, 'b', keyArn, keyDoc);
    assert.equal(check.complete, false);
    assert.ok(check.results.length < 6001, `${check.results.length} results`);
  });

  it('enumerates 20,000 levels without deepening the stack', () => {
    const levels: Level[] = Array.from({ length: 20_000 }, (_, i) => ({
      name: `k${i}`,
      dims: [`k${i}`],
      *assign(req: Request) {
        (req.context as Record<string, string>)[`k${i}`] = 'v';
        yield;
      },
    }));
    let leaves = 0;
    for (const r of enumerateRequests(levels, {
      principal: { kind: 'anonymous' },
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      context: {},
    })) {
      leaves++;
      assert.equal(Object.keys(r.context).length, 20_000);
    }
    assert.equal(leaves, 1);
  });
});
