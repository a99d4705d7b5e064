import assert from 'node:assert/strict';
import { it } from 'node:test';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import { witnessToRequest } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { enc013 } from '../../../core/rules/encryption/ENC-013-principal-star-denies-services';
import { SSE, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';

const L = 'arn:aws:s3:::logs';
const allowService = (service: string) =>
  `{"Sid": "AllowLogDelivery", "Effect": "Allow", "Principal": {"Service": "${service}"}, "Action": "s3:PutObject", "Resource": "${L}/*", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}`;
const denyPut = (condition: string, principal = '"*"') =>
  `{"Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": ${principal}, "Action": "s3:PutObject", "Resource": "${L}/*", "Condition": ${condition}}`;
const nullTrue = `{"Null": {"${SSE}": "true"}}`;

const denied = (text: string, principal: string) =>
  evaluatePolicy(
    parsePolicy(text),
    witnessToRequest({
      principal,
      action: 's3:PutObject',
      resource: `${L}/log`,
      'aws:SecureTransport': true,
      's3:TlsVersion': '1.3',
    }),
  ).decision === 'explicit-deny';

const logging = policy(allowService('logging.s3.amazonaws.com'), denyPut(nullTrue));
const loggingFixed = policy(
  allowService('logging.s3.amazonaws.com'),
  denyPut(`{"Null": {"${SSE}": "true"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}`),
);
const flowLogs = policy(
  allowService('delivery.logs.amazonaws.com'),
  denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms"}}`, '{"AWS": "*"}'),
);
const flowLogsFixed = policy(
  allowService('delivery.logs.amazonaws.com'),
  denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}`, '{"AWS": "*"}'),
);

ruleTester(enc013, {
  valid: [
    { name: 'the Deny exempts AWS services', code: loggingFixed },
    { name: 'no service writes to the bucket', code: policy(denyPut(nullTrue)) },
    {
      name: 'default-friendly Deny: header-less delivery is not denied',
      code: policy(
        allowService('logging.s3.amazonaws.com'),
        denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms"}, "Null": {"${SSE}": "false"}}`),
      ),
    },
    {
      name: 'a Deny for one role only',
      code: policy(allowService('logging.s3.amazonaws.com'), denyPut(nullTrue, '{"AWS": "arn:aws:iam::111122223333:role/app"}')),
    },
  ],
  invalid: [
    {
      name: 'server access logging under a header-required Deny',
      code: logging,
      errors: [
        {
          target: '"*"',
          severity: 'warning',
          messageId: 'deniesService',
          message:
            /^Statement "DenyUnencrypted" also denies uploads by logging\.s3\.amazonaws\.com \(no encryption header\)\. It applies to every principal, and statement "AllowLogDelivery" lets logging\.s3\.amazonaws\.com write to the bucket: AWS services deliver objects without an encryption header \(S3 server access logging was reported denied/,
        },
      ],
      fixAll: 'unchanged',
      output: loggingFixed,
    },
    {
      name: 'VPC Flow Logs delivery under a KMS-only Deny written with {"AWS": "*"}',
      code: flowLogs,
      errors: [
        { target: '{"AWS": "*"}', messageId: 'deniesService', message: /also denies uploads by delivery\.logs\.amazonaws\.com/ },
      ],
      fixAll: 'unchanged',
      output: flowLogsFixed,
    },
    {
      name: 'several delivering services, one finding per Deny',
      code: policy(
        allowService('logging.s3.amazonaws.com'),
        allowService('delivery.logs.amazonaws.com').replace('AllowLogDelivery', 'AllowFlowLogs'),
        denyPut(nullTrue),
      ),
      errors: [{ target: '"*"', messageId: 'deniesService', message: /logging\.s3\.amazonaws\.com/ }],
    },
  ],
});

tableSuite('ENC-013 fixes re-analysed', () => {
  it('the service delivers again; anonymous and IAM callers without the header stay denied', () => {
    assert.equal(denied(logging, 'logging.s3.amazonaws.com'), true);
    assert.equal(denied(loggingFixed, 'logging.s3.amazonaws.com'), false);
    assert.equal(denied(loggingFixed, 'anonymous'), true);
    assert.equal(denied(loggingFixed, 'arn:aws:iam::111122223333:role/app'), true);
    assert.equal(denied(flowLogsFixed, 'delivery.logs.amazonaws.com'), false);
    assert.equal(denied(flowLogsFixed, 'anonymous'), true);
  });
});
