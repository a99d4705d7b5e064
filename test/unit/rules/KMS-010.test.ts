import { kms010 } from '../../../core/rules/kms/KMS-010-s3-service-principal';
import { KEY_ARN, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const service = (principal: string, effect = 'Allow', resource = '"*"') =>
  `{"Sid": "S3Use", "Effect": "${effect}", "Principal": {"Service": ${principal}}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": ${resource}}`;

ruleTester(kms010, {
  valid: [
    { name: "CloudTrail's service principal", code: keyPolicy(rootStatement, service('"cloudtrail.amazonaws.com"')) },
    { name: "a Deny naming S3's principal", code: keyPolicy(rootStatement, service('"s3.amazonaws.com"', 'Deny')) },
    {
      name: "the S3 log delivery principal is not this rule's",
      code: keyPolicy(rootStatement, service('"logging.s3.amazonaws.com"')),
    },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example",
      code: keyPolicy(rootStatement, service('"s3.amazonaws.com"')),
      errors: [
        {
          target: '"s3.amazonaws.com"',
          severity: 'warning',
          messageId: 'servicePrincipal',
          message:
            /^Statement "S3Use" grants the S3 service principal, which does nothing for SSE-KMS uploads\. For SSE-KMS, S3 calls KMS with the requester's identity, so this grant does nothing for uploads and downloads \(and is not officially supported\)\. Grant kms:GenerateDataKey and kms:Decrypt to the writer and reader roles instead, with "kms:ViaService": "s3\.REGION\.amazonaws\.com"\.$/,
        },
      ],
    },
    {
      name: 'in a list of services; the key ARN gives the Region',
      code: keyPolicy(
        rootStatement,
        service('["cloudtrail.amazonaws.com", "s3.amazonaws.com"]', 'Allow', JSON.stringify(KEY_ARN)),
      ),
      errors: [
        {
          target: '"s3.amazonaws.com"',
          messageId: 'servicePrincipal',
          message: /"kms:ViaService": "s3\.us-east-1\.amazonaws\.com"\.$/,
        },
      ],
    },
  ],
});
