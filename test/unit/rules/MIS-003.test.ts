import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze, runRule } from '../../../core/analyze';
import { Budget, DEFAULT_MAX_STEPS } from '../../../core/engine/budget';
import { compilePolicy } from '../../../core/engine/evaluate';
import { clearLockouts, lockoutDenies } from '../../../core/engine/lockout';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { mis003 } from '../../../core/rules/mistakes/MIS-003-lockout-deny';
import { EXAMPLES } from '../../helpers/paths';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const BOTH = '["arn:aws:s3:::b", "arn:aws:s3:::b/*"]';
const deny = (condition: string | undefined, o: { sid?: string; principal?: string; action?: string; resource?: string } = {}) =>
  `{"Sid": "${o.sid ?? 'Lock'}", "Effect": "Deny", ${o.principal ?? '"Principal": "*"'}, "Action": ${o.action ?? '"s3:*"'}, "Resource": ${o.resource ?? BOTH}${condition ? `, "Condition": ${condition}` : ''}}`;
const allowAdmin = `{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:*", "Resource": ${BOTH}}`;
const httpsDeny = deny('{"Bool": {"aws:SecureTransport": "false"}}', { sid: 'DenyInsecureTransport' });
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const recovery =
  /An explicit Deny overrides every Allow, administrators' included; recovery then needs the account's root user, which can always get, put or delete the bucket policy\./;

const invalid: InvalidCase[] = [
  {
    name: 'inverted aws:SecureTransport with "s3:*" on both ARNs: error with a denied request by the administrator; the fix flips the value',
    code: policy(deny('{"Bool": {"aws:SecureTransport": "true"}}'), allowAdmin),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message:
          /^Statement "Lock" locks everyone out of bucket "b"\. It locks out every caller: it denies everyone every S3 action on bucket "b" whenever the request uses HTTPS \("Bool": \{"aws:SecureTransport": "true"\}\), which every ordinary request matches\. For example, arn:aws:sts::111122223333:assumed-role\/Admin\/session calling s3:GetObject on arn:aws:s3:::b\/example over HTTPS \(s3:TlsVersion = 1\.3\) is denied by this statement\. An explicit Deny overrides every Allow, administrators' included; .*root user.*Deny when "aws:SecureTransport" is "false" \(requests over HTTP\) instead; TLS-005 reports the inverted test itself\.$/,
      },
    ],
    fixAll: 'output',
    output: policy(deny('{"Bool": {"aws:SecureTransport": "false"}}'), allowAdmin),
  },
  {
    name: 'a non-object entry before the Deny in the Statement array (regression: a TypeError once)',
    code: policy('"not a statement"', deny('{"Bool": {"aws:SecureTransport": "true"}}')),
    errors: [{ target: '"Deny"', severity: 'error', messageId: 'lockout', message: recovery }],
  },
  {
    name: 'a JSON true stays a JSON Boolean; multi-line layout is kept',
    code: `{\n  "Statement": [\n    ${deny('{"Bool": {"aws:SecureTransport": true}}')}\n  ]\n}`,
    errors: [{ target: '"Deny"', severity: 'error', messageId: 'lockout', message: recovery }],
    fixAll: 'output',
    output: `{\n  "Statement": [\n    ${deny('{"Bool": {"aws:SecureTransport": false}}')}\n  ]\n}`,
  },
  {
    name: '"Null" on the SSE header with "s3:*": every call but the uploads that send it; no automatic fix',
    code: policy(httpsDeny, deny('{"Null": {"s3:x-amz-server-side-encryption": "true"}}', { sid: 'RequireSse' }), allowAdmin),
    errors: [
      {
        target: '"Deny"',
        occurrence: 2,
        severity: 'error',
        messageId: 'lockout',
        message:
          /^Statement "RequireSse" locks everyone out of bucket "b"\. It locks out every caller: it denies everyone every S3 action on bucket "b" whenever the request has no s3:x-amz-server-side-encryption header .*Only uploads \(s3:PutObject\) can send the encryption headers.*Only well-formed uploads \(s3:PutObject with aws:kms\) get past it\..*Narrow its Action to "s3:PutObject".*No automatic fix/,
      },
    ],
    fixAll: 'output',
    output: policy(httpsDeny, deny('{"Null": {"s3:x-amz-server-side-encryption": "true"}}', { sid: 'RequireSse' }), allowAdmin),
  },
  {
    name: 'a negated SSE test with "s3:*" and a misspelt value: uploads are denied too',
    code: policy(deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "ams:kms"}}')),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message: /That test is true whenever the request has no s3:x-amz-server-side-encryption header\.(?!.*get past it)/,
      },
    ],
  },
  {
    name: 'StringNotEquals aws:SourceVpce: a warning, softer (unless every caller uses the endpoint)',
    code: policy(deny('{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}', { sid: 'OnlyFromVpce' }), allowAdmin),
    errors: [
      {
        target: '"Deny"',
        severity: 'warning',
        messageId: 'networkLockout',
        message:
          /^Statement "OnlyFromVpce" may lock out callers that do not come through VPC endpoint vpce-1a2b3c4d\. It denies every ordinary request that does not come through VPC endpoint vpce-1a2b3c4d: .*For example, arn:aws:sts::111122223333:assumed-role\/Admin\/session calling s3:GetObject .* is denied by this statement\. Unless every caller, including administrators and AWS services, uses that endpoint, this locks them out\. An explicit Deny overrides every Allow.*root user/,
      },
    ],
  },
  {
    name: 'NotIpAddress aws:SourceIp: the same warning for a network path',
    code: policy(deny('{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}')),
    errors: [
      {
        target: '"Deny"',
        severity: 'warning',
        messageId: 'networkLockout',
        message: /does not come from 10\.0\.0\.0\/8.*uses that network path/,
      },
    ],
  },
  {
    name: 'a negated test on a misspelt key is always true: error, names the key it should be',
    code: policy(deny('{"StringNotEquals": {"aws:SourceVpcee": "vpce-1a2b3c4d"}}'), allowAdmin),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message:
          /"aws:SourceVpcee" is not a condition key AWS knows \(did you mean "aws:SourceVpce"\?\): it is never in a request, so that test is always true\..*Correct the condition key "aws:SourceVpcee"\./,
      },
    ],
  },
  {
    name: 'NotPrincipal naming only the role: its sessions (and everyone else) are denied',
    code: policy(deny(undefined, { principal: '"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}' })),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message:
          /^Statement "Lock" locks everyone out of bucket "b"\. It locks out every caller: it denies everyone except arn:aws:iam::111122223333:role\/Admin every S3 action on bucket "b" unconditionally.*For example, arn:aws:sts::111122223333:assumed-role\/Admin\/session calling.*session ARNs.*GRM-006/,
      },
    ],
  },
  {
    name: 'NotPrincipal naming the account and the role but no session: everyone but the root user is locked out',
    code: policy(
      deny(undefined, {
        principal: '"NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/Admin"]}',
      }),
    ),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message:
          /^Statement "Lock" locks everyone but the root user out of bucket "b"\. It locks out every caller except the account root user/,
      },
    ],
  },
  {
    name: 'aws:SourceAccount is only in requests AWS services make: a negated test denies every principal',
    code: policy(deny('{"StringNotEquals": {"aws:SourceAccount": "111122223333"}}')),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message: /aws:SourceAccount is only in requests an AWS service makes/,
      },
    ],
  },
  {
    name: '"Null": {"aws:SecureTransport": "false"} is always true',
    code: policy(deny('{"Null": {"aws:SecureTransport": "false"}}')),
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message: /aws:SecureTransport is in every request.*always true.*No automatic fix/,
      },
    ],
  },
  {
    name: 'a TLS-version Deny with a mistyped version ("13" for "1.3") denies TLS 1.3 too',
    code: policy(httpsDeny, deny('{"NumericLessThan": {"s3:TlsVersion": "13"}}', { sid: 'DenyOldTls' })),
    errors: [
      {
        target: '"Deny"',
        occurrence: 2,
        severity: 'error',
        messageId: 'lockout',
        message:
          /^Statement "DenyOldTls" locks everyone out of bucket "b"\. It locks out every caller: .*when "NumericLessThan": \{"s3:TlsVersion": "13"\}/,
      },
    ],
  },
  {
    name: 'an unconditional Deny of everything, for the bucket a setting names',
    code: policy(deny(undefined, { resource: '"*"' })),
    bucketName: 'from-settings',
    errors: [
      {
        target: '"Deny"',
        severity: 'error',
        messageId: 'lockout',
        message: /on bucket "from-settings" unconditionally.*arn:aws:s3:::from-settings\/example/,
      },
    ],
  },
];

ruleTester(mis003, {
  valid: [
    { name: 'the standard HTTPS Deny', code: policy(httpsDeny, allowAdmin) },
    {
      name: 'SSE upload Denies on s3:PutObject (strict, pinned key, SSE-C ban, Null header)',
      code: policy(
        deny(`{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`, {
          action: '"s3:PutObject"',
          resource: '"arn:aws:s3:::b/*"',
        }),
        deny(`{"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "${KEY}"}}`, {
          action: '"s3:PutObject"',
          resource: '"arn:aws:s3:::b/*"',
        }),
        deny('{"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}', {
          action: '"s3:PutObject"',
          resource: '"arn:aws:s3:::b/*"',
        }),
        deny('{"Null": {"s3:x-amz-server-side-encryption": "true"}}', {
          action: '"s3:PutObject"',
          resource: '"arn:aws:s3:::b/*"',
        }),
      ),
    },
    { name: 'a TLS-version Deny', code: policy(httpsDeny, deny('{"NumericLessThan": {"s3:TlsVersion": "1.2"}}')) },
    {
      name: 'everyone but the administrators (ArnNotLike aws:PrincipalArn)',
      code: policy(deny('{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin"}}'), allowAdmin),
    },
    {
      name: 'NotPrincipal with the account, the role and the session',
      code: policy(
        deny(undefined, {
          principal:
            '"NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/Admin", "arn:aws:sts::111122223333:assumed-role/Admin/alice"]}',
        }),
      ),
    },
    {
      name: 'an organization perimeter: principals of the organization are not denied',
      code: policy(deny('{"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}')),
    },
    {
      name: 'an IP block list (IpAddress) denies only those addresses',
      code: policy(deny('{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}')),
    },
    {
      name: 'a VPC-endpoint Deny that exempts the administrators',
      code: policy(
        deny(
          '{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin"}}',
        ),
        allowAdmin,
      ),
    },
    {
      name: "an inverted test on the objects only (TLS-005's): the bucket policy can still be changed",
      code: policy(deny('{"Bool": {"aws:SecureTransport": "true"}}', { resource: '"arn:aws:s3:::b/*"' })),
    },
    {
      name: 'a Deny for one account only',
      code: policy(deny(undefined, { principal: '"Principal": {"AWS": "arn:aws:iam::444455556666:root"}' })),
    },
    { name: 'a Deny on one prefix only', code: policy(deny(undefined, { resource: '"arn:aws:s3:::b/private/*"' })) },
    {
      name: 'a Deny of the policy actions only (an immutable policy)',
      code: policy(deny(undefined, { action: '["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]', resource: '"arn:aws:s3:::b"' })),
    },
    { name: '"Effect": "deny" is not a Deny AWS accepts (GRM-003)', code: policy(deny(undefined).replace('"Deny"', '"deny"')) },
  ],
  invalid,
});

tableSuite('MIS-003 on the shipped examples and fixed policies', () => {
  for (const file of fs.readdirSync(EXAMPLES).filter(f => f.endsWith('.bucket-policy.json'))) {
    it(`reports nothing on examples/${file}`, () => {
      const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      const a = analyze(text, path.join(EXAMPLES, file), {}, [mis003]);
      assert.deepEqual(a.ruleFailures, []);
      assert.deepEqual(
        a.findings.filter(f => f.ruleId === 'MIS-003').map(f => f.message),
        [],
      );
    });
  }
  for (const c of invalid) {
    if (c.output === undefined || c.output === c.code) continue;
    it(`the fixed policy no longer locks anyone out: ${c.name}`, () => {
      assert.deepEqual(runRule(mis003, parsePolicy(c.output!), 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});

tableSuite('MIS-003 work stays bounded', () => {
  // A 20 KB-class policy: many named principals and object prefixes, and one lockout Deny.
  const tenants = Array.from(
    { length: 120 },
    (_, i) =>
      `{"Sid": "Tenant${i}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1111222233${String(i % 100).padStart(2, '0')}:role/app-${i}"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/tenant-${i}/*", "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}`,
  );
  const lock = deny('{"Bool": {"aws:SecureTransport": "true"}}', {
    principal: '"NotPrincipal": {"AWS": ["arn:aws:iam::111122223300:root", "arn:aws:iam::111122223300:role/app-0"]}',
  });
  for (const [name, text] of [
    ['without a lockout', policy(httpsDeny, ...tenants)],
    ['with a lockout', policy(lock, httpsDeny, ...tenants)],
  ] as const) {
    it(`a few hundred statement checks at most, ${name}`, () => {
      const doc = parsePolicy(text);
      let checks = 0;
      for (const s of compilePolicy(doc).statements) {
        const applies = s.applies;
        (s as { applies: typeof applies }).applies = r => {
          checks++;
          return applies(r);
        };
      }
      const findings = runRule(mis003, doc, 'bucket-policy', {});
      assert.equal(findings.length, name === 'with a lockout' ? 1 : 0);
      assert.ok(checks <= 600, `${checks} checks`);
    });
  }
});

describe('a sweep that found no lock-out is reused across versions', () => {
  const steps = (text: string): { found: number; used: number } => {
    const budget = new Budget(DEFAULT_MAX_STEPS);
    const found = lockoutDenies(parsePolicy(text), budget, 'b').length;
    return { found, used: budget.used };
  };
  const safe = policy(httpsDeny, allowAdmin);
  const locked = policy(deny(undefined), allowAdmin);

  it('draws the steps it took again, and finds the same', () => {
    clearLockouts();
    const first = steps(safe);
    assert.ok(first.used > 0, 'the sweep did some work');
    assert.deepEqual(steps(safe), first);
    // An edit in the Allow statement: nothing the sweep reads changed.
    assert.deepEqual(steps(safe.replace('role/Admin', 'role/Admins')), first);
  });

  it('sweeps again when a Deny statement changed, and never keeps a lock-out', () => {
    clearLockouts();
    steps(safe);
    assert.equal(steps(locked).found, 1);
    assert.equal(steps(locked).found, 1);
    const changed = safe.replace('"false"', '"true"');
    clearLockouts();
    const fresh = steps(changed);
    steps(safe);
    assert.deepEqual(steps(changed), fresh);
  });
});
