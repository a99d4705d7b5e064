import assert from 'node:assert/strict';
import { it } from 'node:test';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import { witnessToRequest } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { enc014 } from '../../../core/rules/encryption/ENC-014-multipart-header-conditions';
import { B, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';

const allowPut = (condition: string, action = 's3:PutObject') =>
  `{"Sid": "CrossAccountWrites", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": "${action}", "Resource": "${B}/*", "Condition": ${condition}}`;
const denyPut = (condition: string) =>
  `{"Sid": "RequireOwnerControl", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": ${condition}}`;
const acl = '{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}';

const denied = (text: string, headers: Record<string, string>) =>
  evaluatePolicy(
    parsePolicy(text),
    witnessToRequest({
      principal: 'arn:aws:iam::222233334444:role/writer',
      action: 's3:PutObject',
      resource: `${B}/part`,
      'aws:SecureTransport': true,
      ...headers,
    }),
  ).decision === 'explicit-deny';

const denyAcl = policy(denyPut('{"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}'));
const denyAclFixed = policy(
  denyPut('{"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}, "Null": {"s3:x-amz-acl": "false"}}'),
);

ruleTester(enc014, {
  valid: [
    { name: 'an Allow without header conditions', code: policy(allowPut('{"StringEquals": {"aws:SourceVpce": "vpce-1"}}')) },
    { name: "a Deny that tolerates the header's absence", code: denyAclFixed },
    {
      name: 'IfExists: the Allow also covers requests without the header',
      code: policy(allowPut('{"StringEqualsIfExists": {"s3:x-amz-acl": "bucket-owner-full-control"}}')),
    },
    { name: 'not an upload', code: policy(allowPut(acl, 's3:GetObject')) },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: a cross-account Allow that requires x-amz-acl",
      code: policy(allowPut(acl)),
      errors: [
        {
          target: '"s3:x-amz-acl"',
          severity: 'warning',
          messageId: 'allowMissesParts',
          message:
            /^Statement "CrossAccountWrites" does not allow UploadPart requests: they never send x-amz-acl\. It allows s3:PutObject only with x-amz-acl: bucket-owner-full-control, but multipart uploads send that header only on CreateMultipartUpload\./,
        },
      ],
    },
    {
      name: 'a Deny that fires without the header denies UploadPart; the fix tolerates its absence',
      code: denyAcl,
      errors: [
        {
          target: '"s3:x-amz-acl"',
          messageId: 'denyBlocksParts',
          message: /denies s3:PutObject requests without x-amz-acl, which includes every UploadPart and CompleteMultipartUpload/,
        },
      ],
      fixAll: 'unchanged',
      output: denyAclFixed,
    },
    {
      name: 'grant headers too',
      code: policy(allowPut('{"StringEquals": {"s3:x-amz-grant-full-control": "id=abc"}}')),
      errors: [
        {
          target: '"s3:x-amz-grant-full-control"',
          messageId: 'allowMissesParts',
          message: /only with x-amz-grant-full-control: id=abc/,
        },
      ],
    },
  ],
});

tableSuite('ENC-014 fixes re-analysed', () => {
  it('parts (no header) pass; a wrong ACL is still denied', () => {
    assert.equal(denied(denyAcl, {}), true);
    assert.equal(denied(denyAclFixed, {}), false);
    assert.equal(denied(denyAclFixed, { 's3:x-amz-acl': 'public-read' }), true);
    assert.equal(denied(denyAclFixed, { 's3:x-amz-acl': 'bucket-owner-full-control' }), false);
  });
});
