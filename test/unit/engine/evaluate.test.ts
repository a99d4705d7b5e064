// Statement and policy evaluation. Expectations are written by hand from docs/design/engine.md#evaluation, docs/design/aws-facts.md
// EVAL-001/005/006, GRM-003/004/006/010 and the IAM User Guide (Principal, NotPrincipal).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, compileStatement, evaluatePolicy, statementApplies } from '../../../core/engine/evaluate';
import type { Applies, Request, RequestPrincipal } from '../../../shared/types';
import type { PolicyDocument, Statement } from '../../../core/policy/model';
import { parsePolicy } from '../../../core/policy/parse';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';

const anonymous: RequestPrincipal = { kind: 'anonymous' };
const aws = (arn: string): RequestPrincipal => ({ kind: 'aws', arn, account: arn.split(':')[4] });
const root = aws(`arn:aws:iam::${ACCOUNT}:root`);
const user = aws(`arn:aws:iam::${ACCOUNT}:user/Alice`);
const role = aws(`arn:aws:iam::${ACCOUNT}:role/App`);
const session = aws(`arn:aws:sts::${ACCOUNT}:assumed-role/App/job-1`);
const otherSession = aws(`arn:aws:sts::${ACCOUNT}:assumed-role/App/job-2`);
const otherRoleSession = aws(`arn:aws:sts::${ACCOUNT}:assumed-role/Other/job-1`);
const foreignRoot = aws(`arn:aws:iam::${OTHER}:root`);
const foreignSession = aws(`arn:aws:sts::${OTHER}:assumed-role/App/job-1`);
const logging: RequestPrincipal = { kind: 'service', service: 'logging.s3.amazonaws.com' };
const list = (...principals: RequestPrincipal[]): RequestPrincipal[] => principals;

function request(parts: Partial<Request> = {}): Request {
  return {
    principal: anonymous,
    action: 's3:PutObject',
    resource: 'arn:aws:s3:::b/k',
    context: { 'aws:securetransport': 'true' },
    ...parts,
  };
}

/** A policy; `version: null` leaves Version out. */
const policy = (statements: unknown[], version: string | null = '2012-10-17'): PolicyDocument =>
  parsePolicy(JSON.stringify(version === null ? { Statement: statements } : { Version: version, Statement: statements }));

/** One statement, completed with defaults that match everything. */
function statement(parts: Record<string, unknown>): Statement {
  const st = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*', ...parts };
  for (const [k, v] of Object.entries(st)) if (v === undefined) delete (st as Record<string, unknown>)[k];
  const doc = policy([st]);
  assert.equal(doc.statements.length, 1);
  return doc.statements[0];
}

const applies = (parts: Record<string, unknown>, req: Partial<Request> = {}, opts?: { variables?: boolean }): Applies =>
  statementApplies(statement(parts), request(req), opts);

// ---------------------------------------------------------------------------------------------
// Principal

describe('Principal', () => {
  const everyone = list(anonymous, root, user, role, session, foreignRoot, logging);

  it('"*" and {"AWS":"*"} match everyone, anonymous and service principals included', () => {
    for (const principal of everyone) {
      assert.equal(applies({ Principal: '*' }, { principal }), true);
      assert.equal(applies({ Principal: { AWS: '*' } }, { principal }), true);
      assert.equal(applies({ Principal: { AWS: ['*'] } }, { principal }), true);
    }
  });

  it('an account ID and the account root ARN both match every principal of that account', () => {
    for (const value of [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`]) {
      const p = { Principal: { AWS: value } };
      const expect = (principal: RequestPrincipal, expected: Applies): void =>
        assert.equal(applies(p, { principal }), expected, `${value} / ${JSON.stringify(principal)}`);
      for (const principal of list(root, user, role, session, otherRoleSession)) expect(principal, true);
      for (const principal of list(anonymous, foreignRoot, foreignSession, logging)) expect(principal, false);
    }
  });

  it('a role ARN matches the role and its sessions (with or without a role path), nothing else', () => {
    for (const value of [`arn:aws:iam::${ACCOUNT}:role/App`, `arn:aws:iam::${ACCOUNT}:role/team/App`]) {
      const p = { Principal: { AWS: value } };
      for (const principal of list(role, session, otherSession)) assert.equal(applies(p, { principal }), true, value);
      for (const principal of list(root, user, otherRoleSession, foreignSession, anonymous))
        assert.equal(applies(p, { principal }), false, value);
    }
  });

  it('a session ARN matches that session only', () => {
    const p = { Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/App/job-1` } };
    assert.equal(applies(p, { principal: session }), true);
    assert.equal(applies(p, { principal: otherSession }), false);
    assert.equal(applies(p, { principal: role }), false);
    assert.equal(applies(p, { principal: root }), false);
  });

  it('a user ARN matches that user exactly (the name part is case-sensitive)', () => {
    assert.equal(applies({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` } }, { principal: user }), true);
    assert.equal(applies({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` } }, { principal: user }), false);
    assert.equal(applies({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` } }, { principal: root }), false);
  });

  it('several principals are ORed, across types too', () => {
    const p = { Principal: { AWS: [OTHER, `arn:aws:iam::${ACCOUNT}:user/Alice`], Service: 'logging.s3.amazonaws.com' } };
    assert.equal(applies(p, { principal: foreignRoot }), true);
    assert.equal(applies(p, { principal: user }), true);
    assert.equal(applies(p, { principal: logging }), true);
    assert.equal(applies(p, { principal: role }), false);
  });

  it('Service matches that service principal only', () => {
    const p = { Principal: { Service: 'logging.s3.amazonaws.com' } };
    assert.equal(applies(p, { principal: logging }), true);
    assert.equal(applies(p, { principal: { kind: 'service', service: 'cloudtrail.amazonaws.com' } }), false);
    assert.equal(applies(p, { principal: root }), false);
    assert.equal(applies(p, { principal: anonymous }), false);
  });

  it('CanonicalUser and Federated match none of the request classes', () => {
    for (const principal of everyone) {
      assert.equal(
        applies(
          { Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' } },
          { principal },
        ),
        false,
      );
      assert.equal(applies({ Principal: { Federated: 'cognito-identity.amazonaws.com' } }, { principal }), false);
    }
  });

  it('the unique ID of a deleted role matches nobody', () => {
    assert.equal(applies({ Principal: { AWS: 'AROA1234567890EXAMPLE' } }, { principal: session }), false);
  });

  it('malformed principals are unknown', () => {
    const bad: unknown[] = [
      { AWS: `arn:aws:iam::${ACCOUNT}:role/app-*` },
      { AWS: 'arn:aws:iam::*:root' },
      { AWS: `arn:aws:iam::${ACCOUNT}:group/Admins` },
      { aws: ACCOUNT },
      { AWS: [] },
      {},
      'arn:aws:iam::111122223333:root',
      { AWS: 111122223333 },
    ];
    for (const p of bad) assert.equal(applies({ Principal: p }, { principal: root }), 'unknown', JSON.stringify(p));
  });

  it('Principal and NotPrincipal together, or neither, are unknown', () => {
    assert.equal(applies({ Principal: '*', NotPrincipal: { AWS: ACCOUNT } }, { principal: root }), 'unknown');
    assert.equal(applies({ Principal: undefined }, { principal: root }), 'unknown');
  });
});

describe('NotPrincipal', () => {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/App`;
  const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/App/job-1`;

  it('applies to everyone not named, anonymous included', () => {
    const p = { Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } };
    assert.equal(applies(p, { principal: anonymous }), true);
    assert.equal(applies(p, { principal: foreignRoot }), true);
    assert.equal(applies(p, { principal: logging }), true);
    assert.equal(applies(p, { principal: root }), false);
  });

  it('naming the account does not exempt its users and roles (AWS checks the account, then the user)', () => {
    const p = { Principal: undefined, NotPrincipal: { AWS: ACCOUNT } };
    assert.equal(applies(p, { principal: user }), true);
    assert.equal(applies(p, { principal: session }), true);
  });

  it('naming only the role does not exempt its sessions (GRM-006)', () => {
    assert.equal(applies({ Principal: undefined, NotPrincipal: { AWS: roleArn } }, { principal: session }), true);
    assert.equal(applies({ Principal: undefined, NotPrincipal: { AWS: [ACCOUNT, roleArn] } }, { principal: session }), true);
  });

  it('the account, the role and the session together exempt that session only', () => {
    const p = { Principal: undefined, NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, roleArn, sessionArn] } };
    assert.equal(applies(p, { principal: session }), false);
    assert.equal(applies(p, { principal: role }), false);
    assert.equal(applies(p, { principal: otherSession }), true);
    assert.equal(applies(p, { principal: user }), true);
  });

  it('the account and the user exempt that user', () => {
    const p = { Principal: undefined, NotPrincipal: { AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:user/Alice`] } };
    assert.equal(applies(p, { principal: user }), false);
    assert.equal(applies(p, { principal: root }), false);
    assert.equal(applies(p, { principal: aws(`arn:aws:iam::${ACCOUNT}:user/Bob`) }), true);
  });

  it('a service principal is exempt when named', () => {
    const p = { Principal: undefined, NotPrincipal: { Service: 'logging.s3.amazonaws.com' } };
    assert.equal(applies(p, { principal: logging }), false);
    assert.equal(applies(p, { principal: root }), true);
  });

  it('NotPrincipal "*" applies to nobody', () => {
    for (const principal of list(anonymous, root, session, logging))
      assert.equal(applies({ Principal: undefined, NotPrincipal: '*' }, { principal }), false);
  });
});

// ---------------------------------------------------------------------------------------------
// Action / NotAction

describe('Action / NotAction', () => {
  it('match case-insensitively, with * and ? globs', () => {
    for (const pattern of [
      's3:PutObject',
      's3:putobject',
      'S3:PUTOBJECT',
      's3:Put*',
      's3:*Object',
      's3:PutObjec?',
      '*',
      's3:*',
    ]) {
      assert.equal(applies({ Action: pattern }), true, pattern);
    }
    for (const pattern of ['s3:GetObject', 's3:Get*', 's3:PutObject?', 'kms:*', 's3:PutObjectAcl']) {
      assert.equal(applies({ Action: pattern }), false, pattern);
    }
  });
  it('a list matches when any item matches', () => {
    assert.equal(applies({ Action: ['s3:GetObject', 's3:putObject'] }), true);
    assert.equal(applies({ Action: ['s3:GetObject', 's3:ListBucket'] }), false);
  });
  it('NotAction applies to every action it does not name', () => {
    assert.equal(applies({ Action: undefined, NotAction: 's3:GetObject' }), true);
    assert.equal(applies({ Action: undefined, NotAction: 's3:getobject' }, { action: 's3:GetObject' }), false);
    assert.equal(applies({ Action: undefined, NotAction: ['s3:Get*', 's3:Put*'] }), false);
  });
  it('both or neither, empty lists and non-strings are unknown', () => {
    assert.equal(applies({ NotAction: 's3:GetObject' }), 'unknown');
    assert.equal(applies({ Action: undefined }), 'unknown');
    assert.equal(applies({ Action: [] }), 'unknown');
    assert.equal(applies({ Action: [42] }), 'unknown');
    assert.equal(applies({ Action: [42, 's3:PutObject'] }), true);
  });
});

// ---------------------------------------------------------------------------------------------
// Resource / NotResource

describe('Resource / NotResource', () => {
  it('match case-sensitively, with * and ? globs', () => {
    assert.equal(applies({ Resource: 'arn:aws:s3:::b/k' }), true);
    assert.equal(applies({ Resource: 'arn:aws:s3:::B/*' }), false);
    assert.equal(applies({ Resource: 'arn:aws:s3:::b/K' }), false);
    assert.equal(applies({ Resource: 'arn:aws:s3:::b/?' }), true);
    assert.equal(applies({ Resource: '*' }), true);
    assert.equal(applies({ Resource: 'arn:aws:s3:::b/*' }, { resource: 'arn:aws:s3:::b/deep/er/key' }), true);
  });
  it('BUCKET/* does not cover the bucket itself; the bucket ARN does not cover objects', () => {
    assert.equal(applies({ Resource: 'arn:aws:s3:::b/*' }, { resource: 'arn:aws:s3:::b', action: 's3:ListBucket' }), false);
    assert.equal(applies({ Resource: 'arn:aws:s3:::b' }, { resource: 'arn:aws:s3:::b/k' }), false);
    assert.equal(
      applies({ Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }, { resource: 'arn:aws:s3:::b', action: 's3:ListBucket' }),
      true,
    );
  });
  it('NotResource applies to every resource it does not name', () => {
    const p = { Resource: undefined, NotResource: 'arn:aws:s3:::b/public/*' };
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/private/x' }), true);
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/public/x' }), false);
  });
  it('policy variables are substituted in Resource', () => {
    const p = { Resource: 'arn:aws:s3:::b/home/${aws:username}/*' };
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/home/alice/x', context: { 'aws:username': 'alice' } }), true);
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/home/bob/x', context: { 'aws:username': 'alice' } }), false);
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/home/alice/x', context: {} }), 'unknown');
    assert.equal(applies(p, { resource: 'arn:aws:s3:::b/home/${aws:username}/x', context: {} }, { variables: false }), true);
  });
  it('a missing Resource: unknown for S3 (rejected), does not apply to a KMS key (GRM-010)', () => {
    assert.equal(applies({ Resource: undefined }), 'unknown');
    assert.equal(
      applies(
        { Resource: undefined, Action: 'kms:*' },
        { action: 'kms:Decrypt', resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234` },
      ),
      false,
    );
    assert.equal(
      applies(
        { Resource: '*', Action: 'kms:*' },
        { action: 'kms:Decrypt', resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234` },
      ),
      true,
    );
  });
  it('Resource and NotResource together are unknown', () => {
    assert.equal(applies({ NotResource: 'arn:aws:s3:::other/*' }), 'unknown');
  });
});

// ---------------------------------------------------------------------------------------------
// Effect, structure, conditions

describe('statement structure', () => {
  it('Effect must be exactly Allow or Deny (GRM-003); otherwise the statement is unusable', () => {
    for (const effect of ['deny', 'DENY', 'Denied', '', 1, undefined]) {
      assert.equal(applies({ Effect: effect }), 'unknown', String(effect));
      // Unusable even for requests it could never match.
      assert.equal(applies({ Effect: effect }, { action: 'kms:Decrypt' }), 'unknown', String(effect));
    }
    assert.equal(compileStatement(statement({ Effect: 'deny' })).effect, undefined);
    assert.equal(compileStatement(statement({ Effect: 'Allow' })).effect, 'Allow');
  });
  it('an element AWS does not know, or one written twice, makes the statement unusable', () => {
    assert.equal(applies({ Actions: 's3:*' }), 'unknown');
    const doc = parsePolicy(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Action":"s3:GetObject","Resource":"*"}]}',
    );
    assert.equal(statementApplies(doc.statements[0], request()), 'unknown');
  });
  it('a missing element is unknown, but another element that does not match still decides', () => {
    assert.equal(applies({ Principal: undefined }), 'unknown');
    assert.equal(applies({ Principal: undefined, Action: 's3:GetObject' }), false);
  });
  it('every part must match: the Condition too', () => {
    const p = { Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    assert.equal(applies(p, { context: { 'aws:securetransport': 'false' } }), true);
    assert.equal(applies(p, { context: { 'aws:securetransport': 'true' } }), false);
    assert.equal(applies({ ...p, Action: 's3:GetObject' }, { context: { 'aws:securetransport': 'false' } }), false);
  });
  it('an undecidable condition makes the statement unknown', () => {
    assert.equal(applies({ Condition: { StringEqualz: { 'x:k': 'v' } } }), 'unknown');
  });
  it('compiles each statement once', () => {
    const st = statement({});
    assert.equal(compileStatement(st), compileStatement(st));
    assert.notEqual(compileStatement(st, { variables: false }), compileStatement(st));
  });
});

// ---------------------------------------------------------------------------------------------
// Policies: EVAL-001

describe('evaluatePolicy (EVAL-001)', () => {
  const allowAll = { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' };
  const denyHttp = {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: 'arn:aws:s3:::b/*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  const denyUnencrypted = {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::b/*',
    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
  };
  const broken = { Effect: 'deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' };

  it('an applicable Deny beats any Allow, and every applicable Deny is listed', () => {
    const doc = policy([allowAll, denyHttp, denyUnencrypted]);
    assert.deepEqual(evaluatePolicy(doc, request({ context: { 'aws:securetransport': 'false' } })), {
      decision: 'explicit-deny',
      statements: [1, 2],
      undecided: false,
    });
    assert.deepEqual(evaluatePolicy(doc, request()), { decision: 'explicit-deny', statements: [2], undecided: false });
  });
  it('otherwise an applicable Allow allows', () => {
    const doc = policy([allowAll, denyHttp, denyUnencrypted]);
    const r = request({ context: { 'aws:securetransport': 'true', 's3:x-amz-server-side-encryption': 'aws:kms' } });
    assert.deepEqual(evaluatePolicy(doc, r), { decision: 'allow', statements: [0], undecided: false });
  });
  it('otherwise implicit deny', () => {
    const doc = policy([denyHttp]);
    assert.deepEqual(evaluatePolicy(doc, request()), { decision: 'implicit-deny', statements: [], undecided: false });
    assert.deepEqual(evaluatePolicy(policy([]), request()), { decision: 'implicit-deny', statements: [], undecided: false });
  });
  it('an unknown statement marks the evaluation undecided and is assumed not to apply', () => {
    assert.deepEqual(evaluatePolicy(policy([broken, allowAll]), request()), {
      decision: 'allow',
      statements: [1],
      undecided: true,
    });
    assert.deepEqual(evaluatePolicy(policy([broken]), request()), { decision: 'implicit-deny', statements: [], undecided: true });
    assert.deepEqual(evaluatePolicy(policy([denyUnencrypted, broken]), request()), {
      decision: 'explicit-deny',
      statements: [0],
      undecided: true,
    });
  });
  it('statement indexes are positions in the Statement array', () => {
    const doc = policy([allowAll, allowAll, denyHttp]);
    assert.deepEqual(evaluatePolicy(doc, request()).statements, [0, 1]);
  });
  it('policy variables only with Version 2012-10-17', () => {
    const st = { ...allowAll, Resource: 'arn:aws:s3:::b/${aws:username}/*' };
    const r = request({ resource: 'arn:aws:s3:::b/alice/k', context: { 'aws:username': 'alice' } });
    assert.equal(evaluatePolicy(policy([st]), r).decision, 'allow');
    assert.equal(evaluatePolicy(policy([st], '2008-10-17'), r).decision, 'implicit-deny');
    assert.equal(evaluatePolicy(policy([st], null), r).decision, 'implicit-deny');
    assert.equal(compilePolicy(policy([st], null)).variables, false);
    const literal = request({ resource: 'arn:aws:s3:::b/${aws:username}/k', context: {} });
    assert.equal(evaluatePolicy(policy([st], '2008-10-17'), literal).decision, 'allow');
  });
  it('the same document compiles once', () => {
    const doc = policy([allowAll]);
    assert.equal(compilePolicy(doc), compilePolicy(doc));
  });
  it('never throws on broken documents', () => {
    for (const text of [
      '',
      '{',
      '[]',
      '{"Statement": 5}',
      '{"Statement": [null, 1, "x", {}]}',
      '{"Statement": {"Effect": "Deny"}}',
    ]) {
      const e = evaluatePolicy(parsePolicy(text), request());
      assert.equal(e.decision, 'implicit-deny', text);
    }
  });
});
