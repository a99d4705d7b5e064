import { grm014 } from '../../../core/rules/grammar/GRM-014-sid';
import { ruleTester } from './rule-tester';

const st = (sid: string) =>
  `{"Sid": ${sid}, "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}`;
const bucket = (...sids: string[]) => `{"Statement": [${sids.map(st).join(', ')}]}`;
const ist = (sid: string) => `{"Sid": ${sid}, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`;
const identity = (...sids: string[]) => `{"Statement": [${sids.map(ist).join(', ')}]}`;

ruleTester(grm014, {
  valid: [
    {
      name: 'S3 examples use spaces, hyphens and periods',
      code: bucket('"Example permissions"', '"Access-to-specific-VPCE-only"', '"v1.2"'),
    },
    {
      name: 'KMS console Sids',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "kms:Describe*", "Resource": "*"}]}',
    },
    { name: 'alphanumeric identity Sids', kind: 'identity-policy', code: identity('"ReadObjects"', '"DenyHttp2"') },
    {
      name: 'statements without Sid',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}]}',
    },
    { name: 'Sids that differ only in case are different', code: bucket('"DenyHttp"', '"denyhttp"') },
  ],
  invalid: [
    {
      name: 'duplicate in a bucket policy',
      code: bucket('"DenyHttp"', '"Other"', '"DenyHttp"'),
      errors: [
        {
          target: '"DenyHttp"',
          occurrence: 2,
          messageId: 'duplicate',
          message: /already used by statement 1: findings and logs citing it become ambiguous\. AWS may accept it.*"DenyHttp2"/,
          severity: 'warning',
        },
      ],
      fixAll: 'output',
      output: bucket('"DenyHttp"', '"Other"', '"DenyHttp2"'),
    },
    {
      name: 'the counter skips names already taken',
      kind: 'key-policy',
      code:
        '{"Statement": [' +
        ['"Allow use"', '"Allow use2"', '"Allow use"']
          .map(
            s =>
              `{"Sid": ${s}, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"}`,
          )
          .join(', ') +
        ']}',
      errors: [{ target: '"Allow use"', occurrence: 2, severity: 'warning', messageId: 'duplicate', message: /"Allow use3"/ }],
    },
    {
      name: 'hyphen in an identity policy',
      kind: 'identity-policy',
      code: identity('"deny-http"'),
      errors: [
        {
          target: '"deny-http"',
          messageId: 'unsupportedCharactersRenamed',
          message: /only letters and digits.*Use "DenyHttp"/,
          severity: 'error',
        },
      ],
      fixAll: 'output',
      output: identity('"DenyHttp"'),
    },
    {
      name: 'spaces in an identity policy',
      kind: 'identity-policy',
      code: identity('"Allow read of reports"'),
      errors: [{ target: '"Allow read of reports"', messageId: 'unsupportedCharactersRenamed', severity: 'error' }],
      fixAll: 'output',
      output: identity('"AllowReadOfReports"'),
    },
    {
      name: 'duplicate in an identity policy',
      kind: 'identity-policy',
      code: identity('"Read"', '"Read"'),
      errors: [
        {
          target: '"Read"',
          occurrence: 2,
          messageId: 'duplicateInIdentityPolicy',
          message: /IAM requires unique Sids/,
          severity: 'error',
        },
      ],
      fixAll: 'output',
      output: identity('"Read"', '"Read2"'),
    },
    {
      name: 'duplicate with bad characters: renamed once, names stay unique',
      kind: 'identity-policy',
      code: identity('"deny-http"', '"deny-http"'),
      errors: [
        { target: '"deny-http"', occurrence: 1, messageId: 'unsupportedCharactersRenamed', message: /Use "DenyHttp"/ },
        { target: '"deny-http"', occurrence: 2, messageId: 'unsupportedCharactersRenamed', message: /Use "DenyHttp2"/ },
        { target: '"deny-http"', occurrence: 2, messageId: 'duplicateInIdentityPolicy', message: /already used/ },
      ],
      fixAll: 'output',
      output: identity('"DenyHttp"', '"DenyHttp2"'),
    },
    {
      name: 'renaming avoids an existing Sid',
      kind: 'identity-policy',
      code: identity('"DenyHttp"', '"deny_http"'),
      errors: [{ target: '"deny_http"', messageId: 'unsupportedCharactersRenamed', message: /Use "DenyHttp2"/ }],
      fixAll: 'output',
      output: identity('"DenyHttp"', '"DenyHttp2"'),
    },
    {
      name: 'nothing alphanumeric to keep: no fix',
      kind: 'identity-policy',
      code: identity('"--"'),
      errors: [{ target: '"--"', messageId: 'unsupportedCharacters', message: /Use only those characters/ }],
      fixAll: 'output',
      output: identity('"--"'),
    },
  ],
});
