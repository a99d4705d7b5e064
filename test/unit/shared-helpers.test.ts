// The helpers the rules share: IAM wildcards, ARNs, and the text edits quick-fixes are made of.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountPrincipal,
  accountRootArn,
  assumedRoleSession,
  bucketArn,
  dominantPartition,
  formatS3Arn,
  iamIdentity,
  isArn,
  objectsArn,
  parseArn,
  parseS3Arn,
  policyBucket,
} from '../../core/policy/arn';
import { membersOf, parsePolicy } from '../../core/policy/parse';
import { compileWildcard, containsWildcard, hasWildcard, matchesWildcard } from '../../core/policy/wildcard';
import { insertMember, removeMember, removeMemberFix, removeWithComma } from '../../core/rules/edits';
import { applyEdits } from '../../core/rules/fixes';
import type { TextEditSpan } from '../../core/rules/types';

describe('IAM wildcards', () => {
  it('* matches any run, ? exactly one character, the rest literally', () => {
    assert.ok(matchesWildcard('s3:GetObject', 's3:Get*'));
    assert.ok(matchesWildcard('s3:Get', 's3:Get*'));
    assert.ok(matchesWildcard('aws:kms', 'aws:???'));
    assert.ok(!matchesWildcard('aws:kms:dsse', 'aws:???'));
    assert.ok(!matchesWildcard('abc', 'a.c'), '. is literal');
    assert.ok(matchesWildcard('a.c', 'a.c'));
    assert.ok(matchesWildcard('x(y)[z]{1}$^|+\\', 'x(y)[z]{1}$^|+\\'));
    assert.ok(matchesWildcard('a\nb', 'a*b'), '* crosses line breaks');
    assert.ok(matchesWildcard('a\nb', 'a?b'));
    assert.ok(matchesWildcard('ab', 'a**b'));
    assert.ok(!matchesWildcard('xab', 'a*b'), 'anchored at both ends');
  });
  it('is case-sensitive unless asked otherwise', () => {
    assert.ok(!matchesWildcard('S3:GETOBJECT', 's3:Get*'));
    assert.ok(matchesWildcard('S3:GETOBJECT', 's3:Get*', { ignoreCase: true }));
  });
  it('caches compiled patterns per case mode', () => {
    assert.equal(compileWildcard('s3:Put*'), compileWildcard('s3:Put*'));
    assert.notEqual(compileWildcard('s3:Put*'), compileWildcard('s3:Put*', { ignoreCase: true }));
  });
  it('tells raw wildcards from the ${*} and ${?} escapes', () => {
    assert.ok(hasWildcard('literal${*}'));
    assert.ok(!containsWildcard('literal${*}star${?}'));
    assert.ok(containsWildcard('home/${aws:username}/*'));
    assert.ok(!hasWildcard('s3:GetObject'));
  });
});

describe('ARNs', () => {
  it('parses the six fields, the resource keeping its colons and slashes', () => {
    assert.deepEqual(parseArn('arn:aws:iam::111122223333:role/a/b:c'), {
      partition: 'aws',
      service: 'iam',
      region: '',
      account: '111122223333',
      resource: 'role/a/b:c',
    });
    assert.equal(parseArn('arn:aws:iam::111122223333'), undefined);
    assert.ok(isArn('arn:a:b:c:d:e'));
    assert.ok(!isArn('arn:a:b:c:d'));
  });
  it('S3 bucket and object ARNs round-trip', () => {
    assert.deepEqual(parseS3Arn('arn:aws:s3:::b'), { partition: 'aws', bucket: 'b' });
    assert.deepEqual(parseS3Arn('arn:aws-cn:s3:::b/logs/*'), { partition: 'aws-cn', bucket: 'b', key: 'logs/*' });
    assert.deepEqual(parseS3Arn('arn:aws:s3:::a:b/c'), { partition: 'aws', bucket: 'a:b', key: 'c' });
    assert.equal(parseS3Arn('arn:aws:s3:us-east-1::b'), undefined);
    assert.equal(parseS3Arn('arn:aws:kms:us-east-1:111122223333:key/k'), undefined);
    for (const s of ['arn:aws:s3:::b', 'arn:aws:s3:::b/', 'arn:aws:s3:::b/k/*', 'arn:aws:s3:::'])
      assert.equal(formatS3Arn(parseS3Arn(s)!), s);
    assert.equal(bucketArn('aws', 'b'), 'arn:aws:s3:::b');
    assert.equal(objectsArn('aws-us-gov', 'b'), 'arn:aws-us-gov:s3:::b/*');
  });
  it('principal ARNs', () => {
    assert.equal(accountPrincipal(accountRootArn('aws', '111122223333')), '111122223333');
    assert.equal(accountPrincipal('111122223333'), '111122223333');
    assert.deepEqual(iamIdentity('arn:aws:iam::111122223333:role/path/App'), {
      kind: 'role',
      name: 'App',
      arn: { partition: 'aws', service: 'iam', region: '', account: '111122223333', resource: 'role/path/App' },
    });
    assert.deepEqual(assumedRoleSession('arn:aws:sts::111122223333:assumed-role/App/s-1'), {
      account: '111122223333',
      role: 'App',
    });
  });
  it('the bucket and partition a policy is about', () => {
    const doc = parsePolicy(
      '{"Statement": [{"Resource": ["arn:aws-cn:s3:::data", "arn:aws-cn:s3:::data/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET"]}]}',
    );
    assert.equal(policyBucket({ doc }), 'data');
    assert.equal(policyBucket({ doc, bucketName: 'other' }), 'other');
    assert.equal(dominantPartition(doc), 'aws-cn');
  });
});

describe('quick-fix text edits', () => {
  const apply = (text: string, ...edits: (TextEditSpan | undefined)[]) =>
    applyEdits(
      text,
      edits.map(e => e!),
    );
  const single = '{"Effect": "Deny", "Action": "s3:*"}';
  const multi = '{\n  "Effect": "Deny",\n  "Action": "s3:*"\n}';
  const root = (text: string) => parsePolicy(text).root!;

  it('inserts first, last or after a member, following the layout', () => {
    assert.equal(
      apply(single, insertMember(single, root(single), '"Sid": "S"', 'first')),
      '{"Sid": "S", "Effect": "Deny", "Action": "s3:*"}',
    );
    assert.equal(
      apply(single, insertMember(single, root(single), '"Resource": "*"')),
      '{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}',
    );
    assert.equal(
      apply(multi, insertMember(multi, root(multi), '"Sid": "S"', 'first')),
      '{\n  "Sid": "S",\n  "Effect": "Deny",\n  "Action": "s3:*"\n}',
    );
    assert.equal(
      apply(multi, insertMember(multi, root(multi), '"Resource": "*"')),
      '{\n  "Effect": "Deny",\n  "Action": "s3:*",\n  "Resource": "*"\n}',
    );
    assert.equal(apply('{}', insertMember('{}', root('{}'), '"A": 1', 'first')), '{"A": 1}');
  });
  it('finds members by position, so any Member of the object will do', () => {
    const effect = membersOf(root(multi))[0];
    assert.equal(
      apply(multi, insertMember(multi, root(multi), '"Principal": "*"', { after: effect })),
      '{\n  "Effect": "Deny",\n  "Principal": "*",\n  "Action": "s3:*"\n}',
    );
    // A member taken from a freshly built list (the case an identity lookup got wrong).
    assert.equal(apply(single, removeMember(root(single), membersOf(root(single))[1].key)), '{"Effect": "Deny"}');
    assert.equal(
      apply(single, removeMemberFix('', root(single), membersOf(root(single))[0].key)?.edits[0]),
      '{"Action": "s3:*"}',
    );
    assert.equal(removeMember(root(single), { value: 'x', span: { offset: 999, length: 1 }, node: root(single) }), undefined);
  });
  it('removes several items of one list without overlapping edits', () => {
    const text = '["a", "b", "c", "d"]';
    const spans = ['"a"', '"b"', '"c"', '"d"'].map(s => ({ offset: text.indexOf(s), length: s.length }));
    // Keep "b": items before it take their following comma, items after it their preceding one.
    assert.equal(
      apply(
        text,
        removeWithComma(spans, 0, 'next'),
        removeWithComma(spans, 2, 'previous'),
        removeWithComma(spans, 3, 'previous'),
      ),
      '["b"]',
    );
    assert.equal(apply(text, removeWithComma(spans, 3)), '["a", "b", "c"]');
  });
});
