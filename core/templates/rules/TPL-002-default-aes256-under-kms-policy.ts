// TPL-002: the policy requires SSE-KMS, but uploads without a header get through and the default is SSE-S3.
import type { TemplateRule } from './types';
import { aes256Denied, defaultEncryption, EXAMPLE_HEAD, noHeaderAllowed } from './default-encryption';

const POLICY = `  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyOtherEncryption
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-bucket/*
            Condition:
              StringNotEquals:
                s3:x-amz-server-side-encryption: aws:kms
              'Null':
                s3:x-amz-server-side-encryption: 'false'
`;

export const tpl002: TemplateRule = {
  meta: {
    id: 'TPL-002',
    title: 'Policy rejects SSE-S3 but default encryption is SSE-S3',
    severity: 'warning',
    appliesTo: ['template'],
    why:
      "A policy that denies uploads naming any encryption other than aws:kms, but lets uploads that name none through, relies on the bucket's default encryption for those. " +
      'When the default is AES256 (or the bucket sets none: S3 then encrypts new objects with SSE-S3), every upload without a header is stored with SSE-S3, not SSE-KMS.',
    example: `${EXAMPLE_HEAD}  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
${POLICY}`,
    useInstead: `${EXAMPLE_HEAD}  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
            BucketKeyEnabled: true
${POLICY}`,
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      aes256Default: {
        summary: 'The policy of bucket {bucket} denies SSE-S3 uploads, yet uploads without a header get the default {algorithm}.',
        detail:
          'The policy lets uploads that name no encryption through, and S3 encrypts them with the default encryption, {algorithm} (SSE-S3){implicit}. ' +
          'Set SSEAlgorithm to aws:kms (with a KMSMasterKeyID and BucketKeyEnabled), or deny uploads without the header.',
      },
    },
  },
  check(ctx) {
    for (const bucket of ctx.scan.buckets) {
      const def = defaultEncryption(bucket);
      if (def.algorithm !== 'AES256') continue;
      for (const entry of ctx.policiesOf(bucket)) {
        if (entry.dependsOn?.length) continue;
        for (const v of entry.analysis?.verdicts ?? []) {
          // The policy rejects uploads that ask for SSE-S3, yet lets through those that ask for nothing: they get SSE-S3 anyway.
          if (!aes256Denied(v) || !noHeaderAllowed(v)) continue;
          ctx.report({
            target: { kind: 'bucket-settings', bucket },
            span: def.span,
            messageId: 'aes256Default',
            data: {
              bucket: v.bucket,
              algorithm: def.algorithm,
              implicit: def.explicit ? '' : ', which S3 applies when the bucket sets none',
            },
          });
        }
      }
    }
  },
};
