// TPL-007: the key resource's policy against the bucket's writers and readers (the cross-document
// check of core/crossdoc.ts, inside one template).
import { ACCOUNT_TOKEN } from '../analyze';
import { BoundedCache, stringBytes } from '../../bounded-cache';
import { crossCheck, type KeyUseResult } from '../../engine/cross-check';

/**
 * Results by bucket policy and key policy text: a keystroke in one policy of a template leaves the
 * other pairs as they were, and each check runs the engine over both policies.
 */
const CHECKS = new BoundedCache<string, KeyUseResult[]>({ maxBytes: 8 * 1024 * 1024 });
import type { TemplateRule } from './types';
import { defaultEncryption, EXAMPLE_HEAD, firstLine, pinnedKeys } from './default-encryption';

const template = (keyStatement: string) => `${EXAMPLE_HEAD}  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: Admin
            Effect: Allow
            Principal:
              AWS: !Sub 'arn:aws:iam::\${AWS::AccountId}:root'
            Action: 'kms:*'
            Resource: '*'
${keyStatement}  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
            BucketKeyEnabled: true
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: PartnerWrites
            Effect: Allow
            Principal:
              AWS: arn:aws:iam::444455556666:role/partner-uploader
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-bucket/*
`;

export const tpl007: TemplateRule = {
  meta: {
    id: 'TPL-007',
    title: "Bucket's writers or readers cannot use the key",
    severity: 'warning',
    appliesTo: ['template'],
    why:
      'An SSE-KMS upload needs kms:GenerateDataKey and a download kms:Decrypt on the key, for the caller, through S3. ' +
      'When the bucket policy allows a principal to write or read but the key policy of the key the bucket uses does not let that principal use the key through S3, ' +
      'its requests fail with AccessDenied although the bucket policy allows them.',
    example: template(''),
    useInstead: template(`          - Sid: PartnerUsesKeyThroughS3
            Effect: Allow
            Principal:
              AWS: arn:aws:iam::444455556666:role/partner-uploader
            Action: [kms:GenerateDataKey, kms:Decrypt]
            Resource: '*'
            Condition:
              StringEquals:
                kms:ViaService: !Sub 's3.\${AWS::Region}.amazonaws.com'
`),
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys',
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      keyDenies: {
        summary: '{acts} by {who} fail: the key policy of {key} does not allow {action} through S3.',
        detail:
          'The bucket policy of {bucket} allows them, but the key policy of {key} does not allow {action} to them through S3. Allow {action} to them in the key policy with a kms:ViaService condition for S3{cross}.',
      },
      bucketKeyOnly: {
        summary: '{acts} by {who} work only {works} S3 Bucket Keys: the key policy of {key} misses one ARN.',
        detail:
          'The kms:EncryptionContext:aws:s3:arn condition in the key policy of {key} does not match the ARN S3 sends {fails} Bucket Keys. List both the bucket ARN and the bucket ARN with /* there.',
      },
    },
  },
  check(ctx) {
    for (const bucket of ctx.scan.buckets) {
      const def = defaultEncryption(bucket);
      for (const entry of ctx.policiesOf(bucket)) {
        const engine = ctx.engineOf(entry);
        if (!engine) continue;
        for (const v of entry.analysis?.verdicts ?? []) {
          const named = pinnedKeys(v);
          const candidates = named.length
            ? named
            : def.key && (def.algorithm === 'aws:kms' || def.algorithm === 'aws:kms:dsse')
              ? [def.key]
              : [];
          for (const keyValue of candidates) {
            const key = ctx.keyNamed(keyValue);
            const keyEntry = key && ctx.keyPolicyOf(key);
            const keyEngine = keyEntry && ctx.engineOf(keyEntry);
            if (!key || !keyEntry || !keyEngine) continue;
            const cacheKey = `${engine.bucketName}\0${engine.stackKeyArn}\0${engine.doc.text}\0${keyEngine.doc.text}`;
            let results = CHECKS.get(cacheKey);
            if (!results) {
              try {
                results = crossCheck(engine.doc, engine.bucketName, engine.stackKeyArn, keyEngine.doc).results;
              } catch {
                continue;
              }
              CHECKS.set(cacheKey, results, stringBytes(cacheKey) + 256 * results.length);
            }
            for (const r of results) {
              if (r.withoutBucketKey && r.withBucketKey) continue;
              // "Principals of the stack's account" when the key policy never names the stack's account
              // (a Terraform module names its account by value, or not at all): whether they are the
              // key's account is unknown, and an unknown is never the only reason for a finding.
              if (
                r.principal.kind === 'aws' &&
                r.principal.account === ACCOUNT_TOKEN &&
                !keyEngine.doc.text.includes(ACCOUNT_TOKEN)
              )
                continue;
              const acts = r.role === 'writer' ? 'Uploads' : 'Downloads';
              const who = ctx.displayName(r.label);
              const base = { acts, who, key: key.logicalId, bucket: v.bucket, action: r.action };
              const span = def.keySpan && ctx.keyNamed(def.key ?? '') === key ? def.keySpan : firstLine(keyEntry.span, ctx.text);
              if (!r.withoutBucketKey && !r.withBucketKey) {
                const cross =
                  r.principal.kind === 'aws' && r.principal.account !== engine.stackAccount
                    ? '; cross-account use also needs an IAM policy in its own account'
                    : '';
                ctx.report({ target: { kind: 'key-settings', key }, span, messageId: 'keyDenies', data: { ...base, cross } });
              } else {
                ctx.report({
                  target: { kind: 'key-settings', key },
                  span,
                  messageId: 'bucketKeyOnly',
                  data: { ...base, works: r.withBucketKey ? 'with' : 'without', fails: r.withBucketKey ? 'without' : 'with' },
                });
              }
            }
          }
        }
      }
    }
  },
};
