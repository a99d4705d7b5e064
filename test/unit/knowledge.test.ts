import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  API_NAME_TO_ACTION,
  GLOBAL_CONDITION_KEYS,
  KNOWLEDGE_DATA_VERSION,
  actionsSupportingKey,
  allActions,
  allConditionKeys,
  allResourceTypes,
  apiNameToAction,
  editDistance,
  expandActionPattern,
  isKeyPrefixCovered,
  isKnownService,
  keyAppliesToAction,
  knownServices,
  lookupAction,
  lookupConditionKey,
  lookupResourceType,
  resourceTypesOf,
  suggestAction,
  suggestConditionKey,
} from '../../core/knowledge';
import { KMS } from '../../core/knowledge/generated/kms';
import { S3 } from '../../core/knowledge/generated/s3';

const SSE = 's3:x-amz-server-side-encryption';
const SSE_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const SSE_C = 's3:x-amz-server-side-encryption-customer-algorithm';

test('services', () => {
  assert.deepEqual([...knownServices], ['s3', 'kms']);
  assert.equal(isKnownService('s3'), true);
  assert.equal(isKnownService('KMS'), true);
  assert.equal(isKnownService('iam'), false);
  assert.equal(isKnownService('aws'), false);
  assert.equal(S3.dataVersion, KMS.dataVersion);
  assert.match(KNOWLEDGE_DATA_VERSION, /^\d+\.\d+\.\d+/);
});

test('lookupAction is case-insensitive and returns canonical names', () => {
  const put = lookupAction('s3:putobject');
  assert.ok(put);
  assert.equal(put.fullName, 's3:PutObject');
  assert.equal(put.name, 'PutObject');
  assert.equal(put.service, 's3');
  assert.equal(put.accessLevel, 'Write');
  assert.ok(put.resourceTypes.some(r => r.name === 'object'));
  assert.ok(put.conditionKeys.includes(SSE));
  assert.ok(put.conditionKeys.includes(SSE_KEY_ID));
  assert.ok(put.conditionKeys.includes(SSE_C));
  assert.equal(lookupAction('S3:PUTOBJECT')?.fullName, 's3:PutObject');
  assert.equal(lookupAction('kms:generatedatakey')?.fullName, 'kms:GenerateDataKey');
});

test('lookupAction rejects unknown actions, API names and other services', () => {
  assert.equal(lookupAction('s3:PutObjects'), undefined);
  assert.equal(lookupAction('s3:CreateMultipartUpload'), undefined);
  assert.equal(lookupAction('s3:UploadPart'), undefined);
  assert.equal(lookupAction('s3:CopyObject'), undefined);
  assert.equal(lookupAction('iam:PassRole'), undefined);
  assert.equal(lookupAction('PutObject'), undefined);
  assert.equal(lookupAction(':PutObject'), undefined);
  assert.equal(lookupAction('s3:'), undefined);
  assert.equal(lookupAction('s3:Put*'), undefined);
});

test('resource types separate object-level from bucket-level actions', () => {
  assert.deepEqual(resourceTypesOf('s3:ListBucket'), ['accesspoint', 'bucket']);
  assert.ok(resourceTypesOf('s3:GetObject')?.includes('object'));
  assert.ok(!resourceTypesOf('s3:GetObject')?.includes('bucket'));
  assert.ok(resourceTypesOf('s3:GetBucketPolicy')?.includes('bucket'));
  assert.ok(resourceTypesOf('s3:AbortMultipartUpload')?.includes('object'));
  assert.ok(resourceTypesOf('s3:DescribeJob')?.includes('job'));
  assert.ok(resourceTypesOf('s3:GetStorageLensConfiguration')?.includes('storagelensconfiguration'));
  assert.deepEqual(resourceTypesOf('s3:ListAllMyBuckets'), []);
  assert.deepEqual(resourceTypesOf('kms:Decrypt'), ['key']);
  assert.deepEqual(resourceTypesOf('kms:CreateKey'), []);
  assert.equal(resourceTypesOf('s3:Nope'), undefined);
  const decrypt = lookupAction('kms:Decrypt');
  assert.ok(decrypt);
  assert.equal(decrypt.resourceTypes[0].required, true);
  assert.equal(resourceTypesOf(decrypt)?.[0], 'key');
});

test('resource type table has ARN patterns', () => {
  assert.equal(lookupResourceType('s3', 'object')?.arn, 'arn:${Partition}:s3:::${BucketName}/${ObjectName}');
  assert.equal(lookupResourceType('S3', 'BUCKET')?.arn, 'arn:${Partition}:s3:::${BucketName}');
  assert.equal(lookupResourceType('kms', 'key')?.arn, 'arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}');
  assert.ok(lookupResourceType('kms', 'alias'));
  assert.equal(lookupResourceType('iam', 'role'), undefined);
  assert.ok(allResourceTypes('s3').length >= 10);
});

test('expandActionPattern handles * and ? case-insensitively', () => {
  const gets = expandActionPattern('s3:Get*').map(a => a.fullName);
  assert.ok(gets.length > 20, `only ${gets.length}`);
  assert.ok(gets.includes('s3:GetObject'));
  assert.ok(!gets.includes('s3:PutObject'));
  assert.ok(gets.every(n => n.startsWith('s3:Get')));
  assert.deepEqual(
    expandActionPattern('S3:get*').map(a => a.fullName),
    gets,
  );

  const objects = expandActionPattern('s3:*Object*').map(a => a.fullName);
  assert.ok(objects.includes('s3:PutObject') && objects.includes('s3:DeleteObjectVersion') && objects.includes('s3:GetObject'));
  assert.ok(!objects.includes('s3:ListBucket'));

  assert.deepEqual(
    expandActionPattern('s3:?etObject').map(a => a.fullName),
    ['s3:GetObject'],
  );
  assert.equal(expandActionPattern('*').length, allActions().length);
  assert.equal(expandActionPattern('*:*').length, allActions().length);
  assert.equal(expandActionPattern('s3:*').length, allActions('s3').length);
  assert.equal(expandActionPattern('kms:*').length, allActions('kms').length);
  assert.ok(expandActionPattern('kms:ReEncrypt*').some(a => a.fullName === 'kms:ReEncryptFrom'));
  assert.deepEqual(expandActionPattern('iam:*'), []);
  assert.deepEqual(expandActionPattern('Get*'), []);
  assert.deepEqual(expandActionPattern('s3:PutObjects'), []);
  assert.deepEqual(expandActionPattern('s3:Get.bject'), []);
});

test('condition key types follow the Service Authorization Reference', () => {
  const keyId = lookupConditionKey(SSE_KEY_ID);
  assert.ok(keyId);
  assert.equal(keyId.type, 'ARN');
  assert.equal(keyId.source, 's3');
  assert.equal(lookupConditionKey('s3:TlsVersion')?.type, 'Numeric');
  assert.equal(lookupConditionKey('s3:tlsversion')?.name, 's3:TlsVersion');
  assert.equal(lookupConditionKey(SSE)?.type, 'String');
  assert.equal(lookupConditionKey(SSE_C)?.type, 'String');
  assert.equal(lookupConditionKey('s3:signatureAge')?.type, 'Numeric');
  assert.equal(lookupConditionKey('s3:object-lock-retain-until-date')?.type, 'Date');
  assert.equal(lookupConditionKey('kms:ViaService')?.type, 'String');
  assert.equal(lookupConditionKey('kms:EncryptionContextKeys')?.type, 'ArrayOfString');
  assert.equal(lookupConditionKey('kms:EncryptionContextKeys')?.multivalued, true);
  assert.equal(lookupConditionKey('kms:BypassPolicyLockoutSafetyCheck')?.type, 'Bool');
});

test('global condition keys', () => {
  const st = lookupConditionKey('aws:SecureTransport');
  assert.ok(st);
  assert.equal(st.type, 'Bool');
  assert.equal(st.source, 'global');
  assert.equal(st.multivalued, false);
  assert.equal(lookupConditionKey('AWS:SECURETRANSPORT')?.name, 'aws:SecureTransport');
  assert.equal(lookupConditionKey('aws:SourceIp')?.type, 'IPAddress');
  assert.equal(lookupConditionKey('aws:PrincipalArn')?.type, 'ARN');
  assert.equal(lookupConditionKey('aws:CurrentTime')?.type, 'Date');
  assert.equal(lookupConditionKey('aws:MultiFactorAuthAge')?.type, 'Numeric');
  assert.equal(lookupConditionKey('aws:PrincipalOrgPaths')?.multivalued, true);
  assert.deepEqual(lookupConditionKey('aws:EpochTime')?.alsoAccepts, ['Numeric']);
  assert.equal(lookupConditionKey('aws:Referer')?.name, 'aws:referer');
  // aws:TagKeys also appears in the S3 table; the global entry wins.
  assert.equal(lookupConditionKey('aws:TagKeys')?.source, 'global');
  assert.equal(lookupConditionKey('aws:TagKeys')?.type, 'ArrayOfString');
  const cross = lookupConditionKey('lambda:SourceFunctionArn');
  assert.equal(cross?.source, 'global');
  assert.equal(cross?.crossService, true);
  assert.equal(lookupConditionKey('ec2:RoleDelivery')?.type, 'Numeric');
  assert.equal(lookupConditionKey('aws:RoleDelivery'), undefined);
  // Names are unique.
  const names = GLOBAL_CONDITION_KEYS.map(k => k.name.toLowerCase());
  assert.equal(new Set(names).size, names.length);
});

test('keys that do not exist', () => {
  assert.equal(lookupConditionKey('s3:x-amz-server-side-encryption-context'), undefined);
  assert.equal(lookupConditionKey('s3:x-amz-server-side-encryption-bucket-key-enabled'), undefined);
  assert.equal(lookupConditionKey('s3:x-amz-server-side-encryption-kms-key-id'), undefined);
  assert.equal(lookupConditionKey('x-amz-server-side-encryption'), undefined);
  assert.equal(lookupConditionKey('s3:SecureTransport'), undefined);
  assert.equal(lookupConditionKey('aws:SecureTransports'), undefined);
  assert.equal(lookupConditionKey(' aws:SecureTransport'), undefined);
  assert.equal(lookupConditionKey('s3:x-amz-server-side\u200b-encryption'), undefined);
  assert.equal(lookupConditionKey(''), undefined);
});

test('templated keys resolve with the caller suffix', () => {
  const ctx = lookupConditionKey('kms:EncryptionContext:Department');
  assert.ok(ctx);
  assert.equal(ctx.name, 'kms:EncryptionContext:Department');
  assert.equal(ctx.definition, 'kms:EncryptionContext:${EncryptionContextKey}');
  assert.equal(ctx.templated, true);
  assert.equal(ctx.source, 'kms');
  assert.equal(ctx.type, 'String');
  assert.equal(lookupConditionKey('KMS:encryptioncontext:aws:s3:arn')?.name, 'kms:EncryptionContext:aws:s3:arn');
  assert.equal(lookupConditionKey('kms:EncryptionContext:'), undefined);

  const tag = lookupConditionKey('aws:principaltag/CostCenter');
  assert.equal(tag?.name, 'aws:PrincipalTag/CostCenter');
  assert.equal(tag?.definition, 'aws:PrincipalTag/${TagKey}');
  assert.equal(tag?.source, 'global');
  assert.equal(lookupConditionKey('aws:RequestTag/env')?.source, 'global');
  assert.equal(lookupConditionKey('aws:ResourceTag/env')?.type, 'String');
  assert.equal(lookupConditionKey('s3:RequestObjectTag/classification')?.definition, 's3:RequestObjectTag/<key>');
  assert.equal(lookupConditionKey('s3:ExistingObjectTag/classification')?.source, 's3');
  assert.equal(lookupConditionKey('s3:BucketTag/team')?.name, 's3:BucketTag/team');
  assert.equal(lookupConditionKey('aws:PrincipalTag/'), undefined);
  // Plain keys win over templates that would also match.
  assert.equal(lookupConditionKey('s3:RequestObjectTagKeys')?.templated, false);
  assert.equal(lookupConditionKey('kms:RecipientAttestation:ImageSha384')?.templated, false);
  assert.equal(lookupConditionKey('kms:RecipientAttestation:PCR7')?.source, 'kms');
  assert.equal(lookupConditionKey('kms:RecipientAttestation:Bogus'), undefined);
});

test('key/action applicability', () => {
  assert.equal(keyAppliesToAction(SSE, 's3:PutObject'), true);
  assert.equal(keyAppliesToAction(SSE.toUpperCase(), 'S3:PUTOBJECT'), true);
  assert.equal(keyAppliesToAction(SSE_KEY_ID, 's3:ReplicateObject'), true);
  assert.equal(keyAppliesToAction(SSE, 's3:UpdateObjectEncryption'), true);
  assert.equal(keyAppliesToAction(SSE, 's3:GetObject'), false);
  assert.equal(keyAppliesToAction(SSE, 's3:ListBucket'), false);
  assert.equal(keyAppliesToAction('s3:TlsVersion', 's3:ListBucket'), true);
  assert.equal(keyAppliesToAction('aws:SecureTransport', 's3:ListBucket'), true);
  assert.equal(keyAppliesToAction('aws:SecureTransport', 'kms:Decrypt'), true);
  assert.equal(keyAppliesToAction('kms:EncryptionContext:Dept', 'kms:Decrypt'), true);
  assert.equal(keyAppliesToAction('kms:EncryptionContext:Dept', 'kms:CreateAlias'), false);
  assert.equal(keyAppliesToAction('kms:ViaService', 's3:PutObject'), false);
  // Resource-type keys count: s3:BucketTag is listed on the bucket and object types.
  assert.equal(keyAppliesToAction('s3:BucketTag/team', 's3:GetObject'), true);
  assert.equal(keyAppliesToAction('s3:x-amz-server-side-encryption-context', 's3:PutObject'), false);
  assert.equal(keyAppliesToAction(SSE, 's3:Nope'), false);
  const put = lookupAction('s3:PutObject');
  assert.ok(put);
  assert.equal(keyAppliesToAction(SSE_C, put), true);

  const sseActions = actionsSupportingKey(SSE).map(a => a.fullName);
  for (const a of ['s3:PutObject', 's3:ReplicateObject', 's3:BypassGovernanceRetention', 's3:UpdateObjectEncryption']) {
    assert.ok(sseActions.includes(a), a);
  }
  assert.ok(!sseActions.includes('s3:GetObject'));
  assert.equal(actionsSupportingKey('aws:SecureTransport').length, allActions().length);
  assert.deepEqual(actionsSupportingKey('s3:nope'), []);
});

test('suggestions', () => {
  assert.equal(suggestAction('s3:PutObjects'), 's3:PutObject');
  assert.equal(suggestAction('s3:GetObjet'), 's3:GetObject');
  assert.equal(suggestAction('s3:PutObejct'), 's3:PutObject');
  assert.equal(suggestAction('s3:putobject'), 's3:PutObject');
  assert.equal(suggestAction('s4:PutObject'), 's3:PutObject');
  assert.equal(suggestAction('kms:GenerateDataKeys'), 'kms:GenerateDataKey');
  assert.equal(suggestAction('PutObject'), 's3:PutObject');
  assert.equal(suggestAction('s3:CreateMultipartUpload'), 's3:PutObject');
  assert.equal(suggestAction('s3:Frobnicate'), undefined);
  assert.equal(suggestAction('ec2:RunInstances'), undefined);

  assert.equal(suggestConditionKey('aws:SecureTransports'), 'aws:SecureTransport');
  assert.equal(suggestConditionKey('aws:securetransport'), 'aws:SecureTransport');
  assert.equal(suggestConditionKey('s3:SecureTransport'), 'aws:SecureTransport');
  assert.equal(suggestConditionKey('x-amz-server-side-encryption'), SSE);
  assert.equal(suggestConditionKey('s3:x-amz-server-side-encryption-aws-kms-key'), SSE_KEY_ID);
  assert.equal(suggestConditionKey('s3:x-amz-server-side-encryption-kms-key-id'), SSE_KEY_ID);
  assert.equal(suggestConditionKey('s3:TLSversion'), 's3:TlsVersion');
  assert.equal(suggestConditionKey('aws:PrincipalTags/Team'), 'aws:PrincipalTag/Team');
  assert.equal(suggestConditionKey('kms:EncryptionContex:Department'), 'kms:EncryptionContext:Department');
  assert.equal(suggestConditionKey('aws:PrincipalTag'), 'aws:PrincipalTag/${TagKey}');
  assert.equal(suggestConditionKey('kms:EncryptionContext'), 'kms:EncryptionContext:${EncryptionContextKey}');
  assert.equal(suggestConditionKey('s3:x-amz-server-side-encryption-context'), undefined);
  assert.equal(suggestConditionKey('s3:x-amz-server-side-encryption-bucket-key-enabled'), undefined);
  assert.equal(suggestConditionKey('foo:bar'), undefined);
});

test('editDistance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3);
});

test('API operation names map to the IAM action that authorises them', () => {
  assert.equal(API_NAME_TO_ACTION.CreateMultipartUpload, 's3:PutObject');
  assert.equal(API_NAME_TO_ACTION.UploadPart, 's3:PutObject');
  assert.equal(API_NAME_TO_ACTION.HeadObject, 's3:GetObject');
  assert.equal(API_NAME_TO_ACTION.HeadBucket, 's3:ListBucket');
  assert.equal(API_NAME_TO_ACTION.ListObjectVersions, 's3:ListBucketVersions');
  assert.equal(apiNameToAction('s3:createmultipartupload'), 's3:PutObject');
  assert.equal(apiNameToAction('DeleteObjects'), 's3:DeleteObject');
  assert.equal(apiNameToAction('s3:PutBucketEncryption'), 's3:PutEncryptionConfiguration');
  assert.equal(suggestAction('s3:GetBucketEncryption'), 's3:GetEncryptionConfiguration');
  assert.equal(suggestAction('s3:ListBuckets'), 's3:ListAllMyBuckets');
  assert.equal(apiNameToAction('kms:CopyObject'), undefined);
  assert.equal(apiNameToAction('s3:PutObject'), undefined);
  for (const [api, action] of Object.entries(API_NAME_TO_ACTION)) {
    assert.equal(lookupAction(`s3:${api}`), undefined, `${api} is a real IAM action; it does not belong in the table`);
    assert.equal(lookupAction(action)?.fullName, action, `${action} is not a canonical IAM action`);
  }
});

test('generated tables are internally consistent', () => {
  for (const t of [S3, KMS]) {
    const nk = t.conditionKeys.length;
    const nr = t.resourceTypes.length;
    for (const [, , keys] of t.resourceTypes) for (const k of keys) assert.ok(k >= 0 && k < nk);
    for (const [name, level, rts, keys] of t.actions) {
      assert.ok(level >= 0 && level < t.accessLevels.length, name);
      for (const [rt, , rk] of rts) {
        assert.ok(rt >= 0 && rt < nr, name);
        for (const k of rk ?? []) assert.ok(k >= 0 && k < nk, name);
      }
      for (const k of keys) assert.ok(k >= 0 && k < nk, name);
    }
  }
  // Every key the tables name resolves through the public lookup.
  for (const k of allConditionKeys()) assert.ok(lookupConditionKey(k.definition), k.definition);
  for (const a of allActions()) for (const k of a.conditionKeys) assert.ok(lookupConditionKey(k), `${a.fullName}: ${k}`);
  assert.ok(isKeyPrefixCovered('aws:Foo') && isKeyPrefixCovered('S3:foo') && isKeyPrefixCovered('kms:x'));
  assert.ok(!isKeyPrefixCovered('sts:ExternalId') && !isKeyPrefixCovered('nocolon'));
});
