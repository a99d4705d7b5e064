// Bucket-policy verdicts (docs/design/engine.md#bucket-verdict). Every expectation below is written by hand from docs/design/engine.md
// and docs/design/aws-facts.md; every witness the engine returns is re-evaluated with the evaluator and must get
// through (not explicitly denied), and for "partly-denied" the request that makes it so must be
// denied over HTTP and not over HTTPS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import type { BucketVerdict, Witness } from '../../../shared/types';
import {
  analyzeBucket,
  bucketVerdicts,
  encryptionSummary,
  explainRequests,
  policyBuckets,
  requestToWitness,
  witnessToRequest,
  type BucketAnalysis,
} from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import type { PolicyDocument } from '../../../core/policy/model';

// ---------------------------------------------------------------------------------------------
// Policy fragments

type Json = Record<string, unknown>;
const B = 'arn:aws:s3:::b';
const O = 'arn:aws:s3:::b/*';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ACCOUNT_ROOT = 'arn:aws:iam::111122223333:root';
const SSE = 's3:x-amz-server-side-encryption';
const SSE_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const SSE_C = 's3:x-amz-server-side-encryption-customer-algorithm';

const policy = (...statements: Json[]): PolicyDocument =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2));
const deny = (fields: Json): Json => ({ Effect: 'Deny', Principal: '*', ...fields });
/** The canonical TLS-001 statement, with its parts replaceable. */
const denyHttp = (fields: Json = {}): Json =>
  deny({ Sid: 'DenyHttp', Action: 's3:*', Resource: [B, O], Condition: { Bool: { 'aws:SecureTransport': 'false' } }, ...fields });
const denyPut = (condition: Json, fields: Json = {}): Json =>
  deny({ Action: 's3:PutObject', Resource: O, Condition: condition, ...fields });
const denyTlsBelow = (version: unknown, fields: Json = {}): Json =>
  deny({ Action: 's3:*', Resource: [B, O], Condition: { NumericLessThan: { 's3:TlsVersion': version } }, ...fields });

// ---------------------------------------------------------------------------------------------
// Expectations

const D = 'denied';
const N = 'not-denied';
type Uploads = Record<string, typeof D | typeof N>;

/** Upload classes as `sse`, `sse/named` (the one key the policy names) or `sse/other`. */
function uploadsOf(v: BucketVerdict): Uploads {
  const out: Uploads = {};
  for (const u of v.encryption.uploads)
    out[u.kmsKey === null ? u.sse : `${u.sse}/${u.kmsKey === 'other' ? 'other' : 'named'}`] = u.decision;
  return out;
}

/** Nine classes for a policy that names one key, seven otherwise. */
function uploads(
  none: string,
  aes: string,
  kms: string,
  kmsOther: string,
  dsse: string,
  dsseOther: string,
  sseC: string,
  named?: { kms: string; dsse: string },
): Uploads {
  const out: Record<string, string> = { none, AES256: aes, 'aws:kms': kms };
  if (named) out['aws:kms/named'] = named.kms;
  out['aws:kms/other'] = kmsOther;
  out['aws:kms:dsse'] = dsse;
  if (named) out['aws:kms:dsse/named'] = named.dsse;
  out['aws:kms:dsse/other'] = dsseOther;
  out['SSE-C'] = sseC;
  return out as Uploads;
}

const decisionOf = (doc: PolicyDocument, w: Witness) => evaluatePolicy(doc, witnessToRequest(w)).decision;

/** Every witness gets through; "partly-denied" comes with a request denied over HTTP only. */
function checkWitnesses(doc: PolicyDocument, a: BucketAnalysis): void {
  const v = a.verdict;
  const t = v.transport;
  if (t.http === 'denied') assert.equal(t.witness, null);
  else {
    assert.ok(t.witness, 'an HTTP witness');
    assert.equal(t.witness['aws:SecureTransport'], false);
    assert.notEqual(decisionOf(doc, t.witness), 'explicit-deny', `HTTP witness ${JSON.stringify(t.witness)} must get through`);
  }
  if (t.http === 'partly-denied') {
    assert.ok(a.httpCause, 'a request denied because of HTTP');
    assert.notEqual(decisionOf(doc, a.httpCause), 'explicit-deny', 'over HTTPS it gets through');
    const overHttp: Witness = { ...a.httpCause, 'aws:SecureTransport': false };
    delete overHttp['s3:TlsVersion'];
    assert.equal(decisionOf(doc, overHttp), 'explicit-deny', 'over HTTP it is denied');
  } else assert.equal(a.httpCause, null);
  for (const u of v.encryption.uploads) {
    if (u.decision === 'denied') {
      assert.equal(u.witness, null);
      continue;
    }
    const w = u.witness;
    assert.ok(w, `a witness for ${u.sse}/${u.kmsKey}`);
    assert.equal(w.action, 's3:PutObject');
    assert.equal(w['aws:SecureTransport'], true);
    assert.equal(w['s3:TlsVersion'], '1.3');
    assert.equal(w[SSE], u.sse === 'none' || u.sse === 'SSE-C' ? undefined : u.sse);
    assert.equal(w[SSE_C], u.sse === 'SSE-C' ? 'AES256' : undefined);
    if (u.kmsKey === null) assert.equal(w[SSE_KEY_ID], undefined);
    else if (u.kmsKey === 'other') assert.ok(typeof w[SSE_KEY_ID] === 'string' && w[SSE_KEY_ID] !== KEY);
    else assert.equal(w[SSE_KEY_ID], u.kmsKey);
    assert.notEqual(decisionOf(doc, w), 'explicit-deny', `upload witness ${JSON.stringify(w)} must get through`);
  }
}

function analyze(doc: PolicyDocument, bucket = 'b', maxSteps?: number): BucketAnalysis {
  const a = analyzeBucket(doc, bucket, { maxSteps });
  assert.ok(a, 'the allowance pays for the request classes');
  checkWitnesses(doc, a);
  return a;
}
const verdict = (...statements: Json[]): BucketVerdict => analyze(policy(...statements)).verdict;

const ALL_OPEN = uploads(N, N, N, N, N, N, N);

// ---------------------------------------------------------------------------------------------

describe('verdict: encryption in transit', () => {
  it('the TLS-001 statement denies every HTTP request', () => {
    const v = verdict(denyHttp());
    assert.equal(v.complete, true);
    assert.deepEqual(v.transport, { http: 'denied', minTlsVersion: null, witness: null });
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
    assert.equal(v.encryption.summary, 'unrestricted');
  });

  it('a TLS Deny on BUCKET/* only is partly-denied, with the docs/design/engine.md witness on the bucket ARN (TLS-002)', () => {
    const a = analyze(policy(denyHttp({ Resource: O })));
    assert.equal(a.verdict.transport.http, 'partly-denied');
    assert.deepEqual(a.verdict.transport.witness, {
      principal: 'anonymous',
      action: 's3:ListBucket',
      resource: B,
      'aws:SecureTransport': false,
    });
    assert.match(String(a.httpCause?.resource), /^arn:aws:s3:::b\//);
  });

  it('a TLS Deny on the bucket ARN only leaves object requests over HTTP (MIS-002)', () => {
    const v = verdict(denyHttp({ Resource: B }));
    assert.equal(v.transport.http, 'partly-denied');
    assert.match(String(v.transport.witness?.resource), /^arn:aws:s3:::b\/.+/);
  });

  it('two TLS Denies, one per ARN, together deny every HTTP request', () => {
    const v = verdict(denyHttp({ Sid: 'Objects', Resource: O }), denyHttp({ Sid: 'Bucket', Resource: B }));
    assert.equal(v.transport.http, 'denied');
  });

  it('a TLS Deny on s3:GetObject only leaves other actions over HTTP (TLS-004)', () => {
    const v = verdict(denyHttp({ Action: 's3:GetObject' }));
    assert.equal(v.transport.http, 'partly-denied');
    assert.notEqual(v.transport.witness?.action, 's3:GetObject');
  });

  it('a TLS Deny for s3:PutObject only is partly-denied (uploads need HTTPS, reads do not)', () => {
    const v = verdict(denyHttp({ Action: 's3:PutObject', Resource: O }));
    assert.equal(v.transport.http, 'partly-denied');
    assert.notEqual(v.transport.witness?.action, 's3:PutObject');
  });

  it('JSON false and the string "false" are the same (EVAL-007, TLS-006)', () => {
    const v = verdict(denyHttp({ Condition: { Bool: { 'aws:SecureTransport': false } } }));
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.complete, true);
  });

  it('BoolIfExists behaves as Bool: aws:SecureTransport is always present (TLS-006)', () => {
    const v = verdict(denyHttp({ Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }));
    assert.equal(v.transport.http, 'denied');
  });

  it('condition key names are case-insensitive (EVAL-005)', () => {
    const v = verdict(denyHttp({ Condition: { Bool: { 'aws:securetransport': 'false' } } }));
    assert.equal(v.transport.http, 'denied');
  });

  it('wrong polarity ("true") denies HTTPS, not HTTP: nothing is denied because of HTTP (TLS-005)', () => {
    const v = verdict(denyHttp({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }));
    assert.equal(v.transport.http, 'allowed');
    assert.equal(v.transport.minTlsVersion, null);
    // Every upload goes over HTTPS, so every one is denied.
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D));
    assert.equal(v.encryption.summary, 'mixed');
  });

  it('a misspelt key (aws:SecureTransports) is never in a request: the Deny never fires (MIS-001)', () => {
    const v = verdict(denyHttp({ Condition: { Bool: { 'aws:SecureTransports': 'false' } } }));
    assert.equal(v.transport.http, 'allowed');
  });

  it('an "Allow if HTTPS" is not enforcement (TLS-003): HTTP allowed, nothing denied', () => {
    const v = verdict({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: O,
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    });
    assert.equal(v.transport.http, 'allowed');
    assert.deepEqual(v.transport.witness && Object.keys(v.transport.witness).slice(0, 3), ['principal', 'action', 'resource']);
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
  });

  it('a Deny that fires over HTTP and HTTPS alike does not count (unconditional Deny → "denied", not caused by HTTP)', () => {
    const v = verdict(deny({ Action: 's3:*', Resource: [B, O] }));
    assert.equal(v.transport.http, 'denied');
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D));
  });

  it('an SSE Deny alone is no HTTP enforcement: "allowed"', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }));
    assert.equal(v.transport.http, 'allowed');
  });

  it('a TLS Deny limited to one account is partly-denied; an anonymous caller gets through', () => {
    const v = verdict(denyHttp({ Principal: { AWS: ACCOUNT_ROOT } }));
    assert.equal(v.transport.http, 'partly-denied');
    assert.equal(v.transport.witness?.principal, 'anonymous');
  });

  it('NotPrincipal exempts the named account root from a TLS Deny (GRM-006)', () => {
    const { Principal: _p, ...rest } = denyHttp();
    const v = verdict({ ...rest, NotPrincipal: { AWS: ACCOUNT_ROOT } });
    assert.equal(v.transport.http, 'partly-denied');
    assert.equal(v.transport.witness?.principal, ACCOUNT_ROOT);
  });

  it('NotAction: a TLS Deny on everything but s3:GetObject leaves GetObject over HTTP', () => {
    const { Action: _a, ...rest } = denyHttp();
    const v = verdict({ ...rest, NotAction: 's3:GetObject' });
    assert.equal(v.transport.http, 'partly-denied');
    assert.equal(v.transport.witness?.action, 's3:GetObject');
  });

  it('NotResource: a TLS Deny on everything but public/* leaves those objects over HTTP', () => {
    const { Resource: _r, ...rest } = denyHttp();
    const v = verdict({ ...rest, NotResource: 'arn:aws:s3:::b/public/*' });
    assert.equal(v.transport.http, 'partly-denied');
    assert.match(String(v.transport.witness?.resource), /^arn:aws:s3:::b\/public\//);
  });

  it('an aws:PrincipalOrgID exemption: partly-denied, the witness carries the organisation', () => {
    const v = verdict(
      denyHttp({
        Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123xyz' } },
      }),
    );
    assert.equal(v.transport.http, 'partly-denied');
    assert.equal(v.transport.witness?.['aws:PrincipalOrgID'], 'o-abc123xyz');
    assert.notEqual(v.transport.witness?.principal, 'anonymous', 'anonymous callers belong to no organisation');
  });

  it('an aws:SourceVpce exemption: partly-denied, the witness carries the endpoint', () => {
    const v = verdict(
      denyHttp({
        Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
      }),
    );
    assert.equal(v.transport.http, 'partly-denied');
    assert.equal(v.transport.witness?.['aws:SourceVpce'], 'vpce-1a2b3c4d');
  });

  it('an aws:PrincipalArn ArnNotLike exemption: the witness is a principal the pattern matches', () => {
    const v = verdict(
      denyHttp({
        Condition: {
          Bool: { 'aws:SecureTransport': 'false' },
          ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app-*' },
        },
      }),
    );
    assert.equal(v.transport.http, 'partly-denied');
    // A role acts through its sessions; a session's aws:PrincipalArn is its role's ARN.
    assert.match(String(v.transport.witness?.principal), /^arn:aws:sts::111122223333:assumed-role\/app-[^/]+\/session$/);
  });

  it("Deny with NotPrincipal naming a role and its account: the role's sessions are denied, not spared (IAM-UG NotPrincipal)", () => {
    const admin = 'arn:aws:iam::111122223333:role/admin';
    const notAdmin = (names: string[]) =>
      verdict({
        Effect: 'Deny',
        NotPrincipal: { AWS: names },
        Action: 's3:*',
        Resource: [B, O],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    // Role and account only: a session of the role is not spared, so its HTTP requests are denied;
    // what gets through is the account's root user, whom the account ARN spares.
    const roleOnly = notAdmin([admin, ACCOUNT_ROOT]);
    assert.equal(roleOnly.transport.witness?.principal, ACCOUNT_ROOT);
    // The session named as well (with its role and account): that session is spared.
    const session = 'arn:aws:sts::111122223333:assumed-role/admin/session';
    const withSession = notAdmin([session, admin, ACCOUNT_ROOT]);
    assert.equal(withSession.transport.http, 'partly-denied');
    assert.ok([session, ACCOUNT_ROOT].includes(String(withSession.transport.witness?.principal)));
    // Evaluated directly: a session of the role is denied under the first policy, spared under the second.
    const req = (names: string[]) =>
      evaluatePolicy(policy({ Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: [B, O] }), {
        principal: { kind: 'aws', arn: session, account: '111122223333' },
        action: 's3:GetObject',
        resource: `${B}/k`,
        context: {},
      }).decision;
    assert.equal(req([admin, ACCOUNT_ROOT]), 'explicit-deny');
    assert.equal(req([session, admin, ACCOUNT_ROOT]), 'implicit-deny');
  });

  it('a resource pattern with a wildcard in the bucket name covers the bucket and its objects', () => {
    const v = verdict(denyHttp({ Resource: 'arn:aws:s3:::b*' }));
    assert.equal(v.transport.http, 'denied');
  });
});

describe('verdict: minimum TLS version (TLS-007)', () => {
  it('NumericLessThan 1.2 (string) → "1.2"; HTTP is not covered by it', () => {
    const v = verdict(denyTlsBelow('1.2'));
    assert.equal(v.transport.minTlsVersion, '1.2');
    // Over HTTP s3:TlsVersion is absent and NumericLessThan is false then (docs/design/aws-facts.md#table-0-2).
    assert.equal(v.transport.http, 'allowed');
  });

  it('NumericLessThan 1.2 (JSON number) together with the TLS-001 statement', () => {
    const v = verdict(denyHttp(), denyTlsBelow(1.2, { Sid: 'DenyOldTls' }));
    assert.deepEqual(v.transport, { http: 'denied', minTlsVersion: '1.2', witness: null });
  });

  it('NumericLessThan 1.3 → "1.3"', () => {
    assert.equal(verdict(denyTlsBelow('1.3')).transport.minTlsVersion, '1.3');
  });

  it('a TLS-version Deny on BUCKET/* only leaves TLS 1.0 to bucket calls → null', () => {
    assert.equal(verdict(denyTlsBelow('1.2', { Resource: O })).transport.minTlsVersion, null);
  });

  it('NumericLessThanIfExists also denies HTTP (the key is absent there)', () => {
    const v = verdict(
      deny({ Action: 's3:*', Resource: [B, O], Condition: { NumericLessThanIfExists: { 's3:TlsVersion': '1.2' } } }),
    );
    assert.deepEqual(v.transport, { http: 'denied', minTlsVersion: '1.2', witness: null });
  });

  it('no s3:TlsVersion condition → null', () => {
    assert.equal(verdict(denyHttp()).transport.minTlsVersion, null);
  });
});

describe('verdict: encryption at rest', () => {
  it('the classic pair Null + StringNotEquals AES256 (ENC-003): SSE-S3 only', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'AES256' } }), denyPut({ Null: { [SSE]: 'true' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, N, D, D, D, D, D));
    assert.equal(v.encryption.summary, 'sse-s3-only');
  });

  it('StringNotEquals aws:kms alone already denies header-less uploads (ENC-003)', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, N, N, D, D, D));
    assert.equal(v.encryption.summary, 'sse-kms-only');
  });

  it('Null "true" only: any algorithm, header required; SSE-C carries no such header', () => {
    const v = verdict(denyPut({ Null: { [SSE]: 'true' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, N, N, N, N, N, D));
    assert.equal(v.encryption.summary, 'encrypted-header-required');
  });

  it('default-friendly StringNotEqualsIfExists + Null "false" (ENC-004): header-less and SSE-C get through', () => {
    const v = verdict(denyPut({ StringNotEqualsIfExists: { [SSE]: 'aws:kms' }, Null: { [SSE]: 'false' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, D, N, N, D, D, N));
    assert.equal(v.encryption.summary, 'mixed');
  });

  it('default-friendly with the SSE-C ban: SSE-KMS only, header-less left to default encryption', () => {
    const v = verdict(
      denyPut({ StringNotEqualsIfExists: { [SSE]: 'aws:kms' }, Null: { [SSE]: 'false' } }),
      denyPut({ Null: { [SSE_C]: 'false' } }),
    );
    assert.deepEqual(uploadsOf(v), uploads(N, D, N, N, D, D, D));
    assert.equal(v.encryption.summary, 'sse-kms-only');
  });

  it('key pinning with StringNotEquals on the key id (ENC-009): only the named key, with either KMS algorithm', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE_KEY_ID]: KEY } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D, { kms: N, dsse: N }));
    assert.equal(v.encryption.summary, 'sse-kms-key-pinned');
    assert.equal(v.encryption.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey === KEY)?.witness?.[SSE_KEY_ID], KEY);
  });

  it('key pinning with ArnNotEquals: the same', () => {
    const v = verdict(denyPut({ ArnNotEquals: { [SSE_KEY_ID]: KEY } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D, { kms: N, dsse: N }));
  });

  it('ArnNotEqualsIfExists (AWS example) adds nothing for a negated operator: aws:kms without key id is denied (ENC-009)', () => {
    const v = verdict(denyPut({ ArnNotEqualsIfExists: { [SSE_KEY_ID]: KEY } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D, { kms: N, dsse: N }));
    assert.equal(v.encryption.summary, 'sse-kms-key-pinned');
  });

  it('default-friendly pin (ArnNotEqualsIfExists + Null "false") only stops other keys; algorithms stay open', () => {
    const v = verdict(denyPut({ ArnNotEqualsIfExists: { [SSE_KEY_ID]: KEY }, Null: { [SSE_KEY_ID]: 'false' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, N, N, D, N, D, N, { kms: N, dsse: N }));
    assert.equal(v.encryption.summary, 'unrestricted');
  });

  it('the strict template (aws:kms + pinned key + SSE-C ban + TLS) leaves exactly aws:kms with the key', () => {
    const doc = policy(
      denyHttp(),
      denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }),
      denyPut({ ArnNotEqualsIfExists: { [SSE_KEY_ID]: KEY } }),
      denyPut({ Null: { [SSE_C]: 'false' } }),
    );
    const v = analyze(doc).verdict;
    assert.equal(v.complete, true);
    assert.equal(v.transport.http, 'denied');
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D, { kms: N, dsse: D }));
    assert.equal(v.encryption.summary, 'sse-kms-key-pinned');
  });

  it('DSSE only: StringNotEquals aws:kms:dsse', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms:dsse' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, N, N, D));
    assert.equal(v.encryption.summary, 'dsse-only');
  });

  it('one value list for several algorithms (ENC-007): aws:kms and aws:kms:dsse both pass', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: ['aws:kms', 'aws:kms:dsse'] } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, N, N, N, N, D));
    assert.equal(v.encryption.summary, 'sse-kms-only');
  });

  it('two separate negated statements (ENC-007 mistake) deny every upload', () => {
    const v = verdict(
      denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }),
      denyPut({ StringNotEquals: { [SSE]: 'aws:kms:dsse' } }),
    );
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D));
  });

  it('SSE-C required (Null customer-algorithm "true"): only SSE-C uploads pass (ENC-011)', () => {
    const v = verdict(denyPut({ Null: { [SSE_C]: 'true' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, N));
    assert.equal(v.encryption.summary, 'mixed');
  });

  it('SSE-C banned (Null customer-algorithm "false"): everything else passes', () => {
    const v = verdict(denyPut({ Null: { [SSE_C]: 'false' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, N, N, N, N, N, D));
    assert.equal(v.encryption.summary, 'unrestricted');
  });

  it('StringEquals inside a Deny (ENC-006) denies exactly the compliant uploads', () => {
    const v = verdict(denyPut({ StringEquals: { [SSE]: 'aws:kms' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, N, D, D, N, N, N));
    assert.equal(v.encryption.summary, 'mixed');
  });

  it('Null on the key id only (ENC-010): some key id is required, any key, either KMS algorithm', () => {
    const v = verdict(denyPut({ Null: { [SSE_KEY_ID]: 'true' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, N, D, N, D));
    assert.equal(v.encryption.summary, 'sse-kms-only');
  });

  it('a typo in the value (AES-256, ENC-001) makes StringNotEquals deny every upload', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'AES-256' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D));
  });

  it('a zero-width space in the key (GRM-016) makes a Null "true" Deny fire on every upload', () => {
    const v = verdict(denyPut({ Null: { 's3:x-amz-server-side\u200b-encryption\u200b-customer-algorithm': 'true' } }));
    assert.deepEqual(uploadsOf(v), uploads(D, D, D, D, D, D, D));
  });

  it('ForAnyValue:StringNotEquals on the single-valued header lets header-less uploads through (EVAL-004)', () => {
    const v = verdict(denyPut({ 'ForAnyValue:StringNotEquals': { [SSE]: 'aws:kms' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, D, N, N, D, D, N));
  });

  it('an SSE Deny limited to one account leaves anonymous uploads open', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }, { Principal: { AWS: ACCOUNT_ROOT } }));
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
    assert.equal(v.encryption.uploads[0].witness?.principal, 'anonymous');
    assert.equal(v.encryption.summary, 'unrestricted');
  });

  it('exempting AWS services (ENC-013 fix): log delivery may upload without a header', () => {
    const v = verdict(denyPut({ Null: { [SSE]: 'true' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } }));
    assert.deepEqual(uploadsOf(v), uploads(N, N, N, N, N, N, N));
    assert.equal(v.encryption.uploads[0].witness?.principal, 'logging.s3.amazonaws.com');
    assert.equal(v.encryption.uploads[0].witness?.['aws:PrincipalIsAWSService'], 'true');
  });

  it('an SSE Deny on one prefix leaves other keys open', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }, { Resource: 'arn:aws:s3:::b/uploads/*' }));
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
    assert.doesNotMatch(String(v.encryption.uploads[0].witness?.resource), /^arn:aws:s3:::b\/uploads\//);
  });

  it('an aws:SourceIp exemption: uploads from inside the CIDR are not denied', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: 'aws:kms' }, NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }));
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
    assert.equal(v.encryption.uploads[0].witness?.['aws:SourceIp'], '10.0.0.0');
  });

  it('an Allow with an SSE condition enforces nothing (ENC-005)', () => {
    const v = verdict({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/ingest' },
      Action: 's3:PutObject',
      Resource: O,
      Condition: { StringEquals: { [SSE]: 'aws:kms' } },
    });
    assert.deepEqual(uploadsOf(v), ALL_OPEN);
    assert.equal(v.transport.http, 'allowed');
    assert.equal(v.encryption.summary, 'unrestricted');
  });
});

describe('verdict: buckets, completeness, witnesses', () => {
  it('several buckets → several verdicts, each with its own statements', () => {
    const doc = policy(
      denyHttp({ Resource: ['arn:aws:s3:::alpha', 'arn:aws:s3:::alpha/*'] }),
      denyHttp({ Sid: 'BetaObjects', Resource: 'arn:aws:s3:::beta/*' }),
    );
    assert.deepEqual(policyBuckets(doc), ['alpha', 'beta']);
    const vs = bucketVerdicts(doc);
    assert.deepEqual(
      vs.map(v => [v.bucket, v.transport.http]),
      [
        ['alpha', 'denied'],
        ['beta', 'partly-denied'],
      ],
    );
    assert.deepEqual(vs[1].transport.witness, {
      principal: 'anonymous',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::beta',
      'aws:SecureTransport': false,
    });
    for (const v of vs) checkWitnesses(doc, analyzeBucket(doc, v.bucket)!);
  });

  it('bucketName selects one bucket, even one the policy does not name', () => {
    const doc = policy(denyHttp());
    const [v] = bucketVerdicts(doc, { bucketName: 'elsewhere' });
    assert.equal(v.bucket, 'elsewhere');
    assert.equal(v.transport.http, 'allowed');
    assert.equal(bucketVerdicts(doc, { bucketName: 'b' }).length, 1);
  });

  it('a policy variable the request lacks makes the verdict incomplete (never guessed)', () => {
    const v = verdict(denyPut({ StringNotEquals: { [SSE]: '${aws:username}' } }));
    assert.equal(v.complete, false);
  });

  it('an unusable statement (Effect "deny", GRM-003) makes the verdict incomplete', () => {
    const v = verdict(denyHttp(), denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } }, { Effect: 'deny' }));
    assert.equal(v.complete, false);
    assert.equal(v.transport.http, 'denied');
  });

  it('the work cap marks the verdict incomplete', () => {
    // The request classes take about ten steps of it; the questions need more than the rest.
    const a = analyze(policy(denyHttp(), denyPut({ StringNotEquals: { [SSE]: 'aws:kms' } })), 'b', 15);
    assert.equal(a.exhausted, true);
    assert.equal(a.verdict.complete, false);
  });

  it('a witness survives requestToWitness → witnessToRequest', () => {
    const w: Witness = {
      principal: 'arn:aws:iam::111122223333:role/app',
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::b/k',
      'aws:SecureTransport': true,
      's3:TlsVersion': '1.3',
      [SSE]: 'aws:kms',
    };
    const req = witnessToRequest(w);
    assert.deepEqual(req.principal, { kind: 'aws', arn: 'arn:aws:iam::111122223333:role/app', account: '111122223333' });
    assert.equal(req.context['aws:securetransport'], 'true');
    assert.equal(req.context['aws:principalaccount'], '111122223333');
    assert.deepEqual(requestToWitness(req, new Set()), w);
  });

  it('encryptionSummary: header-less uploads do not change an algorithm category', () => {
    const classes = (open: string[]) =>
      (['none', 'AES256', 'aws:kms', 'aws:kms:dsse', 'SSE-C'] as const).map(
        sse => ({ sse, kmsKey: null, decision: open.includes(sse) ? N : D, witness: null }) as const,
      );
    assert.equal(encryptionSummary(classes(['none', 'aws:kms'])), 'sse-kms-only');
    assert.equal(encryptionSummary(classes(['aws:kms'])), 'sse-kms-only');
    assert.equal(encryptionSummary(classes(['none', 'AES256', 'aws:kms', 'aws:kms:dsse'])), 'unrestricted');
    assert.equal(encryptionSummary(classes(['AES256', 'aws:kms', 'aws:kms:dsse', 'SSE-C'])), 'encrypted-header-required');
    assert.equal(encryptionSummary(classes(['AES256', 'aws:kms'])), 'mixed');
  });

  it('explainRequests lists each request class with its decision and the deciding statements', () => {
    const doc = policy(denyHttp({ Resource: O }), {
      Sid: 'AllowList',
      Effect: 'Allow',
      Principal: { AWS: ACCOUNT_ROOT },
      Action: 's3:ListBucket',
      Resource: B,
    });
    const rows = explainRequests(doc, 'b');
    const find = (p: Json) => rows.find(r => Object.entries(p).every(([k, v]) => r.request[k] === v));
    assert.deepEqual(find({ principal: 'anonymous', action: 's3:ListBucket', resource: B, 'aws:SecureTransport': false }), {
      request: { principal: 'anonymous', action: 's3:ListBucket', resource: B, 'aws:SecureTransport': false },
      decision: 'implicit-deny',
      statements: [],
    });
    assert.deepEqual(find({ principal: 'anonymous', action: 's3:GetObject', 'aws:SecureTransport': false })?.statements, [
      'DenyHttp',
    ]);
    assert.equal(
      find({ principal: 'anonymous', action: 's3:GetObject', 'aws:SecureTransport': false })?.decision,
      'explicit-deny',
    );
    assert.deepEqual(find({ principal: ACCOUNT_ROOT, action: 's3:ListBucket', 'aws:SecureTransport': true })?.statements, [
      'AllowList',
    ]);
    for (const r of rows) assert.equal(evaluatePolicy(doc, witnessToRequest(r.request)).decision, r.decision);
  });
});
