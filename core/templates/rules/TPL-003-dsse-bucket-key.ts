// TPL-003: DSSE-KMS default encryption with an S3 Bucket Key, which DSSE-KMS does not support.
import type { TemplateRule } from './types';
import { defaultEncryption, EXAMPLE_HEAD } from './default-encryption';

const bucket = (bucketKey: boolean) => `${EXAMPLE_HEAD}  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms:dsse
              KMSMasterKeyID: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
            BucketKeyEnabled: ${bucketKey}
`;

export const tpl003: TemplateRule = {
  meta: {
    id: 'TPL-003',
    title: 'S3 Bucket Key with DSSE-KMS',
    severity: 'warning',
    appliesTo: ['template'],
    why:
      'S3 Bucket Keys are not supported for dual-layer server-side encryption with KMS keys (DSSE-KMS): a template that sets both asks for something S3 does not do, ' +
      'and the KMS request cost the Bucket Key was meant to save is not saved.',
    example: bucket(true),
    useInstead: bucket(false),
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html',
      'https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-enableS3bucketkeys.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      dsseBucketKey: {
        summary: 'BucketKeyEnabled has no effect with DSSE-KMS: S3 Bucket Keys are not supported for aws:kms:dsse.',
        detail:
          'Set BucketKeyEnabled to false (or remove it), or use SSE-KMS (aws:kms) if a Bucket Key matters more than the second layer.',
      },
    },
  },
  check(ctx) {
    for (const b of ctx.scan.buckets) {
      const bk = b.encryption?.bucketKeyEnabled;
      if (defaultEncryption(b).algorithm !== 'aws:kms:dsse' || !bk?.value) continue;
      // false reads the same in YAML and JSON, quoted or not: CloudFormation takes the boolean or the string.
      ctx.report({
        target: { kind: 'bucket-settings', bucket: b },
        span: bk.span,
        messageId: 'dsseBucketKey',
        fixes: [
          { title: 'Set BucketKeyEnabled to false', edits: [{ span: bk.span, newText: 'false' }], preferred: true, safe: true },
        ],
      });
    }
  },
};
