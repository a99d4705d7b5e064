// Requests in words (engine/wording.ts): the verb follows the decision, keys are abbreviated one way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluatePolicy } from '../../core/engine/evaluate';
import { witnessToRequest } from '../../core/engine/requests/witnesses';
import { explainRequests } from '../../core/engine/verdict';
import { describeRequest, KEY_POLICY, outcomeOf, requestClause, shortKeyArn } from '../../shared/wording';
import { parsePolicy } from '../../core/policy/parse';

describe('wording of requests', () => {
  const w = { principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', 'aws:SecureTransport': false };

  it('says denied, allowed or not denied, and never "can call"', () => {
    assert.equal(
      requestClause(w, 'denied'),
      'an anonymous caller calling s3:GetObject on arn:aws:s3:::b/k over HTTP is denied by this policy',
    );
    assert.equal(
      requestClause(w, 'allowed'),
      'an anonymous caller calling s3:GetObject on arn:aws:s3:::b/k over HTTP is allowed by this policy',
    );
    assert.match(
      requestClause(w, 'not-denied'),
      /is not denied by this policy \(it succeeds only if something else grants anonymous access/,
    );
    assert.match(
      requestClause({ ...w, principal: 'arn:aws:iam::111122223333:user/u' }, 'not-denied'),
      /\(the caller's own IAM policies decide\)$/,
    );
    assert.match(
      requestClause({ ...w, principal: 'logging.s3.amazonaws.com' }, 'not-denied'),
      /^the service logging\.s3\.amazonaws\.com calling .*\(the service's own permissions decide\)$/,
    );
    // KMS refuses what the key policy does not allow: "not denied" would mislead there.
    assert.equal(
      requestClause({ ...w, action: 'kms:Decrypt', resource: 'this key' }, 'not-denied', undefined, KEY_POLICY),
      'an anonymous caller calling kms:Decrypt on this key over HTTP is not allowed by the key policy (KMS refuses it unless a grant allows it)',
    );
    assert.equal(outcomeOf('explicit-deny'), 'denied');
    assert.equal(outcomeOf('allow'), 'allowed');
    assert.equal(outcomeOf('implicit-deny'), 'not-denied');
  });

  it('names the condition keys that matter, lists included', () => {
    assert.equal(
      describeRequest({ ...w, 'aws:SecureTransport': true, 's3:TlsVersion': '1.0', 'aws:PrincipalOrgPaths': [] }),
      'an anonymous caller calling s3:GetObject on arn:aws:s3:::b/k over HTTPS (s3:TlsVersion = 1.0, aws:PrincipalOrgPaths = (empty list))',
    );
  });

  it('abbreviates a key one way everywhere', () => {
    assert.equal(shortKeyArn('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'), 'key/1234abcd…');
    assert.equal(shortKeyArn('arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab'), 'key/mrk-1234abcd…');
    assert.equal(shortKeyArn('arn:aws:kms:eu-west-1:111122223333:alias/app-signing'), 'alias/app-signing');
    assert.equal(shortKeyArn('arn:aws:kms:eu-west-1:111122223333:key/custom-id'), 'key/custom-id');
    assert.equal(shortKeyArn('not-an-arn'), 'not-an-arn');
  });

  it('every explain row, replayed through the engine, has the decision its words say', () => {
    const principal = fc.constantFrom('"*"', '{"AWS": "arn:aws:iam::111122223333:role/app"}', '{"AWS": "111122223333"}');
    const condition = fc.constantFrom(
      '',
      ', "Condition": {"Bool": {"aws:SecureTransport": "false"}}',
      ', "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}',
    );
    const statement = fc
      .tuple(
        fc.constantFrom('Allow', 'Deny'),
        principal,
        fc.constantFrom('"s3:*"', '"s3:GetObject"', '"s3:PutObject"'),
        condition,
      )
      .map(
        ([e, p, a, c]) =>
          `{"Effect": "${e}", "Principal": ${p}, "Action": ${a}, "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]${c}}`,
      );
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), sts => {
        const doc = parsePolicy(`{"Version": "2012-10-17", "Statement": [${sts.join(',')}]}`);
        for (const row of explainRequests(doc, 'b', { maxRequests: 200 })) {
          const said = requestClause(row.request, outcomeOf(row.decision));
          const replayed = outcomeOf(evaluatePolicy(doc, witnessToRequest(row.request)).decision);
          const verb = said.includes(' is denied by')
            ? 'denied'
            : said.includes(' is allowed by')
              ? 'allowed'
              : said.includes(' is not denied by')
                ? 'not-denied'
                : undefined;
          assert.equal(verb, replayed, said);
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
