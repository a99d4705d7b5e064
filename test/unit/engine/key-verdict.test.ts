// The key-policy verdict (docs/design/engine.md#bucket-verdict), case by case. Expectations are written by hand from the
// KMS facts in docs/design/aws-facts.md section 4, not from running the code; every witness is re-evaluated.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyVerdictSummary } from '../../../shared/summary';
import { analyzeKeyPolicy, keyPolicyVerdict, keyRequestFromWitness } from '../../../core/engine/key-verdict';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import type { KeyPolicyVerdict } from '../../../shared/types';
import { parsePolicy } from '../../../core/policy/parse';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;
const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const PARTNER = '444455556666';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const rootStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'kms:*',
  Resource: '*',
};
const verdictOf = (text: string): KeyPolicyVerdict => keyPolicyVerdict(parsePolicy(text));

/** Every witness must be allowed by the policy when replayed (the verdict's claim). */
function assertWitnessesHold(text: string, v: KeyPolicyVerdict): void {
  const doc = parsePolicy(text);
  for (const w of [v.openToOtherAccounts.witness, v.openToAnonymous.witness, v.s3CanUse.witness ?? null]) {
    if (!w) continue;
    assert.equal(evaluatePolicy(doc, keyRequestFromWitness(w)).decision, 'allow', `witness not allowed: ${JSON.stringify(w)}`);
  }
}

describe('key-policy verdict', () => {
  test('AWS default key policy: root administers, not open, S3 can use it through the account', () => {
    const text = policy(rootStatement);
    const v = verdictOf(text);
    assert.equal(v.kind, 'key-policy');
    assert.equal(v.complete, true);
    assert.equal(v.lockout, false);
    assert.deepEqual(v.administrators, [ROOT]);
    assert.equal(v.openToOtherAccounts.value, false);
    assert.equal(v.openToOtherAccounts.witness, null);
    assert.equal(v.openToAnonymous.value, false);
    assert.equal(v.s3CanUse.value, true);
    assert.equal(v.s3CanUse.viaService, 's3.us-east-1.amazonaws.com');
    assertWitnessesHold(text, v);
  });

  test('account given as a bare ID counts as the account principal', () => {
    const v = verdictOf(policy({ ...rootStatement, Principal: { AWS: ACCOUNT } }));
    assert.equal(v.lockout, false);
    assert.deepEqual(v.administrators, [ROOT]);
  });

  test('lock-out: only crypto actions for an app role, nobody can call PutKeyPolicy', () => {
    const text = policy({
      Effect: 'Allow',
      Principal: { AWS: APP },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    });
    const v = verdictOf(text);
    assert.equal(v.lockout, true);
    assert.deepEqual(v.administrators, []);
    assert.equal(v.s3CanUse.value, true);
    assertWitnessesHold(text, v);
  });

  test('lock-out: a Deny of kms:PutKeyPolicy to everyone beats the root statement', () => {
    const v = verdictOf(policy(rootStatement, { Effect: 'Deny', Principal: '*', Action: 'kms:PutKeyPolicy', Resource: '*' }));
    assert.equal(v.lockout, true);
    assert.deepEqual(v.administrators, []);
  });

  test('a key administrator role with kms:Put* (no root statement)', () => {
    const v = verdictOf(
      policy({
        Effect: 'Allow',
        Principal: { AWS: ADMIN },
        Action: ['kms:Create*', 'kms:Describe*', 'kms:Put*', 'kms:ScheduleKeyDeletion'],
        Resource: '*',
      }),
    );
    assert.equal(v.lockout, false);
    assert.deepEqual(v.administrators, [ADMIN]);
  });

  test('Principal "*" without conditions is open to other accounts and to anonymous callers', () => {
    const text = policy(rootStatement, {
      Effect: 'Allow',
      Principal: '*',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    const v = verdictOf(text);
    assert.equal(v.openToOtherAccounts.value, true);
    assert.equal(v.openToAnonymous.value, true);
    const w = v.openToOtherAccounts.witness!;
    assert.match(String(w.principal), /^arn:aws:iam::\d{12}:role\/other-principal$/);
    assert.notEqual(String(w.principal).split(':')[4], ACCOUNT);
    assert.match(String(w.action), /^kms:(Decrypt|GenerateDataKey)/);
    assert.equal(v.openToAnonymous.witness!.principal, 'anonymous');
    assertWitnessesHold(text, v);
  });

  test('Principal "*" scoped with kms:CallerAccount is not open', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      }),
    );
    assert.equal(v.openToOtherAccounts.value, false);
    assert.equal(v.openToAnonymous.value, false);
    assert.equal(v.s3CanUse.value, true);
    assert.equal(v.s3CanUse.viaService, 's3.eu-west-1.amazonaws.com');
  });

  test('Principal "*" scoped with kms:ViaService only is still open to other accounts', () => {
    const text = policy(rootStatement, {
      Effect: 'Allow',
      Principal: '*',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    const v = verdictOf(text);
    assert.equal(v.openToOtherAccounts.value, true);
    assert.equal(v.openToOtherAccounts.witness!['kms:ViaService'], 's3.us-east-1.amazonaws.com');
    assertWitnessesHold(text, v);
  });

  test('Principal "*" scoped with aws:PrincipalOrgID: the organisation counts as named', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    );
    assert.equal(v.openToOtherAccounts.value, false);
    assert.equal(v.openToAnonymous.value, false);
  });

  test('cross-account grant to a named partner account is not "open": the account is named', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      }),
    );
    assert.equal(v.openToOtherAccounts.value, false);
    assert.equal(v.s3CanUse.value, true);
  });

  test('S3 cannot use the key: ViaService in the wrong format (s3.amazonaws.com) and no root statement', () => {
    const text = policy(
      { Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:PutKeyPolicy', Resource: '*' },
      {
        Effect: 'Allow',
        Principal: { AWS: APP },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.amazonaws.com' } },
      },
    );
    const v = verdictOf(text);
    assert.equal(v.s3CanUse.value, false);
    assert.equal(v.s3CanUse.viaService, null);
  });

  test('S3 cannot use the key: uploader gets only kms:Encrypt', () => {
    const v = verdictOf(
      policy(
        { Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:PutKeyPolicy', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Encrypt', Resource: '*' },
      ),
    );
    assert.equal(v.s3CanUse.value, false);
  });

  test('S3 cannot use the key: GenerateDataKey for one role, Decrypt for another', () => {
    const v = verdictOf(
      policy(
        { Effect: 'Allow', Principal: { AWS: ADMIN }, Action: ['kms:PutKeyPolicy', 'kms:Decrypt'], Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:GenerateDataKey', Resource: '*' },
      ),
    );
    assert.equal(v.s3CanUse.value, false);
  });

  test('a Deny of use outside S3 (kms:ViaService StringNotEquals) leaves S3 use allowed', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Deny',
        Principal: '*',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringNotEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' } },
      }),
    );
    assert.equal(v.s3CanUse.value, true);
    assert.equal(v.s3CanUse.viaService, 's3.eu-central-1.amazonaws.com');
  });

  test('the key region comes from a key ARN in Resource', () => {
    const a = analyzeKeyPolicy(
      parsePolicy(
        policy({ ...rootStatement, Resource: `arn:aws:kms:ap-southeast-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }),
      ),
    );
    assert.equal(a.region, 'ap-southeast-2');
    assert.equal(a.verdict.s3CanUse.viaService, 's3.ap-southeast-2.amazonaws.com');
  });

  test('CloudTrail key policy: the service principal is not an outside account', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } },
      }),
    );
    assert.equal(v.openToOtherAccounts.value, false);
    assert.equal(v.openToAnonymous.value, false);
    assert.equal(v.lockout, false);
  });

  test('an empty or statement-less policy: locked out, nothing open, S3 cannot use it', () => {
    const v = verdictOf('{"Version": "2012-10-17", "Statement": []}');
    assert.deepEqual(
      [v.lockout, v.openToOtherAccounts.value, v.openToAnonymous.value, v.s3CanUse.value],
      [true, false, false, false],
    );
  });

  test('a policy variable the request cannot supply makes the verdict incomplete', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/owner}' } },
      }),
    );
    assert.equal(v.complete, false);
    assert.equal(v.lockout, false);
  });

  test('500 statements each naming another administrator: every one is listed, in order, and the work stays linear', () => {
    const admins = Array.from({ length: 500 }, (_, i) => `arn:aws:iam::${String(200000000000 + i)}:role/admin-${i}`);
    const statements = admins.map((a, i) => ({
      Sid: `Admin${i}`,
      Effect: 'Allow',
      Principal: { AWS: a },
      Action: ['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    }));
    const doc = parsePolicy(policy(rootStatement, ...statements));
    const a = analyzeKeyPolicy(doc);
    assert.equal(a.verdict.complete, true);
    assert.deepEqual(a.verdict.administrators, ['arn:aws:iam::111122223333:root', ...admins]);
    // Each administrator's questions read its own statement and the root statement, not all 501.
    assert.ok(a.steps < 50 * admins.length, `${a.steps} statement checks`);
  });

  test('syntax errors or statements left out mark the verdict incomplete, as for bucket verdicts', () => {
    const broken = `{"Version":"2012-10-17","Statement":[${JSON.stringify(rootStatement)},] ,,, }`;
    const d = parsePolicy(broken);
    assert.ok(d.syntaxErrors.length > 0);
    assert.equal(keyPolicyVerdict(d).complete, false);
    const many = parsePolicy(
      policy(
        rootStatement,
        ...Array.from({ length: 1002 }, (_, i) => ({
          Sid: `S${i}`,
          Effect: 'Allow',
          Principal: { AWS: ROOT },
          Action: 'kms:Decrypt',
          Resource: '*',
        })),
      ),
    );
    assert.ok(many.truncated);
    assert.equal(keyPolicyVerdict(many).complete, false);
    assert.equal(verdictOf(policy(rootStatement)).complete, true);
  });

  test('the work cap marks the verdict incomplete instead of running on', () => {
    const v = keyPolicyVerdict(parsePolicy(policy(rootStatement)), { maxSteps: 2 });
    assert.equal(v.complete, false);
  });

  test('Principal "*" limited by aws:PrincipalOrgID: open to the organisation, and the summary says so', () => {
    const v = verdictOf(
      policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    );
    assert.equal(v.openToOtherAccounts.value, false);
    assert.deepEqual(v.openToOrganization.organizations, ['o-a1b2c3d4e5']);
    assert.equal(v.openToOrganization.witness?.['aws:PrincipalOrgID'], 'o-a1b2c3d4e5');
    assert.notEqual(v.openToOrganization.witness?.principal, ROOT, 'the witness is an account the policy does not name');
    assert.match(keyVerdictSummary(v), /· Open to organisation o-a1b2c3d4e5 \(every account in it\) ·/);
    assert.equal(verdictOf(policy(rootStatement)).openToOrganization.value, false);
  });

  test('summary line', () => {
    assert.equal(
      keyVerdictSummary(verdictOf(policy(rootStatement))),
      'Admins: account 111122223333 · Not open to other accounts · S3 can use it (s3.us-east-1.amazonaws.com)',
    );
    assert.match(
      keyVerdictSummary(verdictOf(policy({ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }))),
      /^Admins: none \(lock-out\) · Open to anonymous callers · S3 cannot use it/,
    );
  });

  test('an account the engine uses for "any other account" (999999999999) is read as the account the policy names', () => {
    // The same policies with their accounts renamed must get the same verdict, renamed: the engine
    // picks its stand-in for "another account" among the IDs the policy does not name.
    const shapes = (owner: string, partner: string) => [
      policy({ ...rootStatement, Principal: { AWS: `arn:aws:iam::${owner}:root` } }),
      policy(
        { ...rootStatement, Principal: { AWS: `arn:aws:iam::${owner}:root` } },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: 'kms:Decrypt', Resource: '*' },
      ),
      policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${owner}:role/App` }, Action: 'kms:Decrypt', Resource: '*' }),
    ];
    const usual = shapes(ACCOUNT, PARTNER);
    for (const [owner, partner] of [
      ['999999999999', PARTNER],
      [ACCOUNT, '999999999999'],
      ['999999999999', '999999999998'],
    ]) {
      const renamed = shapes(owner, partner);
      usual.forEach((text, i) => {
        // Accounts as roles: the owner, the partner, and any other (the engine's stand-in, whatever its ID).
        const roles = (v: KeyPolicyVerdict, o: string, p: string) =>
          JSON.stringify(v).replace(/\d{12}/g, id => (id === o ? 'OWNER' : id === p ? 'PARTNER' : 'OTHER'));
        const expected = roles(verdictOf(text), ACCOUNT, PARTNER);
        const v = verdictOf(renamed[i]);
        assert.equal(roles(v, owner, partner), expected, `policy ${i} with owner ${owner} and partner ${partner}`);
        assertWitnessesHold(renamed[i], v);
      });
    }
  });
});
