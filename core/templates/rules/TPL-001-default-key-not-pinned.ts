// TPL-001: the bucket's default encryption uses a KMS key that its policy does not let uploads name.
import type { TemplateRule } from './types';
import {
  defaultEncryption,
  EXAMPLE_HEAD,
  kmsWithoutKeyAllowed,
  noHeaderAllowed,
  otherKeysDenied,
  pinnedKeys,
} from './default-encryption';

export const tpl001: TemplateRule = {
  meta: {
    id: 'TPL-001',
    title: 'Default encryption key is not the key the bucket policy pins',
    severity: 'warning',
    appliesTo: ['template'],
    why:
      'S3 checks a bucket policy against the headers of each request, not against the encryption the object ends up with. ' +
      "An upload that names no key (or no encryption at all) is encrypted with the bucket's default key, so when the policy pins key A but default encryption uses key B, " +
      'objects land under B although the policy reads as "only A"; when the policy also denies uploads that name no key, the default key is never used and every client must name A.',
    example: `${EXAMPLE_HEAD}  KeyA:
    Type: AWS::KMS::Key
  KeyB:
    Type: AWS::KMS::Key
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt KeyB.Arn
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyOtherKeys
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-bucket/*
            Condition:
              StringNotEqualsIfExists:
                s3:x-amz-server-side-encryption-aws-kms-key-id: !GetAtt KeyA.Arn
`,
    useInstead: `${EXAMPLE_HEAD}  KeyA:
    Type: AWS::KMS::Key
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt KeyA.Arn
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyOtherKeys
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-bucket/*
            Condition:
              StringNotEqualsIfExists:
                s3:x-amz-server-side-encryption-aws-kms-key-id: !GetAtt KeyA.Arn
`,
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      defaultKeyUsed: {
        summary: 'Default encryption uses {default}, but the policy of bucket {bucket} lets uploads name only {pinned}.',
        detail:
          'Uploads that name no key get through the policy and are encrypted under {default}, not {pinned}: S3 checks the request headers, not the key the object ends up with. ' +
          'Set KMSMasterKeyID to {pinned}, or pin {default} in the policy.',
      },
      defaultKeyUnused: {
        summary: 'Default encryption uses {default}, which the policy of bucket {bucket} never lets uploads use.',
        detail:
          'The policy denies uploads that name no key, so the default key {default} is never used and every client must name {pinned}. Set KMSMasterKeyID to {pinned} so the two agree.',
      },
    },
  },
  check(ctx) {
    for (const bucket of ctx.scan.buckets) {
      const def = defaultEncryption(bucket);
      if (!def.key || (def.algorithm !== 'aws:kms' && def.algorithm !== 'aws:kms:dsse')) continue;
      const defKey = ctx.keyNamed(def.key);
      for (const entry of ctx.policiesOf(bucket)) {
        if (entry.dependsOn?.length) continue;
        for (const v of entry.analysis?.verdicts ?? []) {
          // The policy pins keys: uploads naming another key are denied.
          if (!otherKeysDenied(v)) continue;
          const pinned = pinnedKeys(v);
          if (!pinned.length) continue;
          const same = pinned.some(p => p === def.key || (defKey && ctx.keyNamed(p) === defKey));
          if (same) continue;
          const used = noHeaderAllowed(v) || kmsWithoutKeyAllowed(v);
          ctx.report({
            target: { kind: 'bucket-settings', bucket },
            span: def.keySpan ?? def.span,
            messageId: used ? 'defaultKeyUsed' : 'defaultKeyUnused',
            severity: used ? 'warning' : 'info',
            data: { default: def.key, bucket: v.bucket, pinned: pinned.join(', ') },
          });
        }
      }
    }
  },
};
