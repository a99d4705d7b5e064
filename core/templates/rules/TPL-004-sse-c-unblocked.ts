// TPL-004: SSE-C explicitly allowed by the bucket while nothing denies it.
import type { TemplateRule } from './types';
import { EXAMPLE_HEAD, firstLine, sseCAllowed } from './default-encryption';

const bucket = (blocked: string) => `${EXAMPLE_HEAD}  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
            BlockedEncryptionTypes:
              EncryptionType:
                - ${blocked}
`;

export const tpl004: TemplateRule = {
  meta: {
    id: 'TPL-004',
    title: 'SSE-C is unblocked and nothing denies it',
    severity: 'warning',
    appliesTo: ['template'],
    why:
      'Since April 2026 S3 blocks SSE-C uploads on new general purpose buckets; BlockedEncryptionTypes NONE turns that off. ' +
      'With SSE-C allowed and no bucket policy statement denying it, anyone who may upload can store objects under a key only they hold: ' +
      'the bucket owner, S3 features and other readers cannot read them, and nothing in AWS records the key.',
    example: bucket('NONE'),
    useInstead: bucket('SSE-C'),
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_BlockedEncryptionTypes.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      sseCUnblocked: {
        summary: 'Bucket {bucket} allows SSE-C uploads (BlockedEncryptionTypes NONE) and no policy denies them.',
        detail:
          'Set BlockedEncryptionTypes to SSE-C, or, if some workload needs SSE-C, say so with a bucket policy that allows it only to that workload.',
      },
    },
  },
  check(ctx) {
    for (const b of ctx.scan.buckets) {
      const blocked = b.encryption?.blockedEncryptionTypes;
      if (!blocked || blocked.value.includes('SSE-C') || !blocked.value.some(v => v.toUpperCase() === 'NONE')) continue;
      const policies = ctx.policiesOf(b);
      const verdicts = policies.flatMap(p => p.analysis?.verdicts ?? []);
      if (policies.some(p => p.dependsOn?.length)) continue;
      if (verdicts.length && !verdicts.every(sseCAllowed)) continue;
      ctx.report({
        target: { kind: 'bucket-settings', bucket: b },
        span: blocked.span ?? firstLine(b.span, ctx.text),
        messageId: 'sseCUnblocked',
        data: { bucket: b.bucketName ? b.bucketName.split('${?').join('${') : b.logicalId },
      });
    }
  },
};
