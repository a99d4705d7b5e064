// The pure parts of the Batch Operations plan (aws/batch.ts): manifest lines and their key
// encoding, the role ARN and trust policy reading, the cost estimate, the CreateJob request and its
// idempotency token. The calls themselves are tested against the emulator (batch.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BATCH_PRINCIPAL,
  bucketOfDescription,
  createJobRequest,
  estimateCost,
  jobDescription,
  jobSurprises,
  manifestKeyEncode,
  manifestLine,
  parseRoleArn,
  requestToken,
  trustsBatch,
  type BatchPlan,
} from '../../aws/batch';
import { csvRecords, detailOf, progressOf, progressText } from '../../aws/batch-jobs';
import { inventoryFields, schemaColumns } from '../../aws/batch-inventory';

const trust = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allowBatch = {
  Effect: 'Allow',
  Principal: { Service: BATCH_PRINCIPAL },
  Action: 'sts:AssumeRole',
};

function plan(over: Partial<BatchPlan> = {}): BatchPlan {
  return {
    account: '111122223333',
    accountSource: 'sts',
    bucket: 'data',
    region: 'us-east-1',
    prefix: '',
    versions: false,
    kmsKey: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    target: 'SSE-KMS',
    bucketKey: true,
    operation: 'update',
    operationName: 'S3UpdateObjectEncryption',
    manifest: {
      source: 'generated',
      bucket: 'data',
      key: 'm.csv',
      format: 'S3BatchOperations_CSV_20180820',
      fields: ['Bucket', 'Key'],
      objects: 3,
      replaces: false,
    },
    report: { bucket: 'reports', prefix: 'r', scope: 'AllTasks' },
    role: { arn: 'arn:aws:iam::111122223333:role/batch', trust: 'trusted', message: '' },
    cost: estimateCost(3, true),
    assumptions: [],
    warnings: [],
    blockers: [],
    clientRequestToken: 'tok',
    ...over,
  };
}

describe('batch manifest lines', () => {
  it('URL-encodes keys so that a path decoder and a form decoder read the same key', () => {
    const keys = [
      'plain/key.txt',
      'a b+c',
      'comma,key',
      'quote"key',
      'new\nline',
      'ünïcødé/日本',
      "it's (1)*!",
      '%41',
      'a?b#c&d=e',
    ];
    for (const key of keys) {
      const enc = manifestKeyEncode(key);
      assert.ok(!/[ ,"\n+]/.test(enc), `no CSV or form-significant character left in ${enc}`);
      assert.equal(decodeURIComponent(enc), key, 'path decoding gives the key back');
      assert.equal(new URLSearchParams(`k=${enc}`).get('k'), key, 'form decoding gives the key back');
    }
    assert.equal(manifestKeyEncode('dir/sub dir/file+1.txt'), 'dir/sub%20dir/file%2B1.txt');
  });

  it('writes bucket,key and bucket,key,versionId', () => {
    assert.equal(manifestLine('b', 'k 1'), 'b,k%201');
    assert.equal(manifestLine('b', 'k', 'v1'), 'b,k,v1');
  });
});

describe('batch role', () => {
  it('reads the account and the name (without its path) from a role ARN', () => {
    assert.deepEqual(parseRoleArn('arn:aws:iam::111122223333:role/batch'), { account: '111122223333', name: 'batch' });
    assert.deepEqual(parseRoleArn('arn:aws:iam::111122223333:role/service/ops/batch-role'), {
      account: '111122223333',
      name: 'batch-role',
    });
    assert.equal(parseRoleArn('arn:aws:iam::111122223333:user/alice'), null);
    assert.equal(parseRoleArn('batch'), null);
  });

  it('trusts a role whose policy lets the Batch Operations principal assume it', () => {
    assert.equal(trustsBatch(trust(allowBatch)).trusted, true);
    assert.equal(trustsBatch(encodeURIComponent(trust(allowBatch))).trusted, true, 'GetRole answers URL-encoded');
    assert.equal(
      trustsBatch(trust({ ...allowBatch, Principal: { Service: ['lambda.amazonaws.com', BATCH_PRINCIPAL] } })).trusted,
      true,
    );
    const conditional = trustsBatch(trust({ ...allowBatch, Condition: { StringEquals: { 'aws:SourceAccount': '1' } } }));
    assert.equal(conditional.trusted, true);
    assert.equal(conditional.conditional, true);
  });

  it('does not trust a role for another service, a denied principal, or a broken policy', () => {
    const other = trustsBatch(trust({ ...allowBatch, Principal: { Service: 'lambda.amazonaws.com' } }));
    assert.equal(other.trusted, false);
    assert.match(other.reason, /does not let batchoperations\.s3\.amazonaws\.com assume it/);
    assert.equal(trustsBatch(trust(allowBatch, { ...allowBatch, Effect: 'Deny' })).trusted, false);
    assert.equal(trustsBatch(trust({ ...allowBatch, Action: 's3:GetObject' })).trusted, false);
    assert.equal(trustsBatch('{not json').trusted, false);
    assert.equal(trustsBatch('{"Statement": 5}').trusted, false);
  });
});

describe('batch job request', () => {
  it('asks for UpdateObjectEncryption with the key, confirmation, the manifest and a report', () => {
    const req = createJobRequest(plan(), 'etag1');
    assert.equal(req.ConfirmationRequired, true);
    assert.equal(req.AccountId, '111122223333');
    assert.equal(req.ClientRequestToken, 'tok');
    assert.equal(req.RoleArn, 'arn:aws:iam::111122223333:role/batch');
    assert.deepEqual(req.Operation, {
      S3UpdateObjectEncryption: {
        ObjectEncryption: { SSEKMS: { KMSKeyArn: plan().kmsKey, BucketKeyEnabled: true } },
      },
    });
    assert.deepEqual(req.Manifest, {
      Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
      Location: { ObjectArn: 'arn:aws:s3:::data/m.csv', ETag: 'etag1' },
    });
    assert.deepEqual(req.Report, {
      Enabled: true,
      Bucket: 'arn:aws:s3:::reports',
      Format: 'Report_CSV_20180820',
      Prefix: 'r',
      ReportScope: 'AllTasks',
    });
    assert.equal(bucketOfDescription(req.Description), 'data');
  });

  it('asks for a copy onto the bucket with SSE-KMS for the copy operation', () => {
    const req = createJobRequest(plan({ operation: 'copy', operationName: 'S3PutObjectCopy' }), 'e');
    assert.deepEqual(req.Operation, {
      S3PutObjectCopy: {
        TargetResource: 'arn:aws:s3:::data',
        MetadataDirective: 'COPY',
        NewObjectMetadata: { SSEAlgorithm: 'KMS' },
        SSEAwsKmsKeyId: plan().kmsKey,
        BucketKeyEnabled: true,
      },
    });
  });

  it('asks for a copy with SSE-S3 (AES256), no key and no Bucket Key, for an SSE-S3 target', () => {
    const req = createJobRequest(
      plan({ operation: 'copy', operationName: 'S3PutObjectCopy', target: 'SSE-S3', kmsKey: '', bucketKey: false }),
      'e',
    );
    assert.deepEqual(req.Operation, {
      S3PutObjectCopy: {
        TargetResource: 'arn:aws:s3:::data',
        MetadataDirective: 'COPY',
        NewObjectMetadata: { SSEAlgorithm: 'AES256' },
      },
    });
    assert.match(req.Description ?? '', / to SSE-S3$/);
  });

  it('gives an inventory manifest no Fields (its manifest.json describes the columns)', () => {
    const req = createJobRequest(
      plan({ manifest: { ...plan().manifest, source: 'inventory', format: 'S3InventoryReport_CSV_20161130' } }),
      'e',
    );
    assert.deepEqual(req.Manifest?.Spec, { Format: 'S3InventoryReport_CSV_20161130' });
  });

  it('makes the same token for the same plan and another for any change that matters', () => {
    const { clientRequestToken: _t, ...p } = plan();
    const a = requestToken(p, 'etag');
    assert.equal(requestToken(p, 'etag'), a);
    assert.ok(a.length >= 1 && a.length <= 64, 'CreateJob takes 1 to 64 characters');
    assert.notEqual(requestToken(p, 'other-etag'), a);
    assert.notEqual(requestToken({ ...p, kmsKey: `${p.kmsKey}0` }, 'etag'), a);
    assert.notEqual(requestToken({ ...p, role: { ...p.role, arn: 'arn:aws:iam::111122223333:role/x' } }, 'etag'), a);
  });

  it('keeps its description within CreateJob limits and reads the bucket back', () => {
    const long = plan({ prefix: 'p'.repeat(400) });
    assert.ok(jobDescription(long).length <= 256);
    assert.equal(bucketOfDescription(jobDescription(long)), 'data');
    assert.equal(bucketOfDescription('some other job'), null);
  });
});

describe('batch cost', () => {
  it('adds the job fee, the per-object fee and KMS requests', () => {
    const c = estimateCost(1_000_000, false);
    // $0.25 + $1 per million + $5 per million requests + 1,000,000 KMS requests at $0.03 per 10,000.
    assert.equal(c.total, 0.25 + 1 + 5 + 3);
    const withKey = estimateCost(1_000_000, true);
    assert.ok(withKey.total !== null && c.total !== null && withKey.total < c.total);
    assert.equal(estimateCost(null, true).total, null);
  });
});

describe('batch job reading', () => {
  it('turns ProgressSummary into done/total and a percentage', () => {
    assert.deepEqual(progressOf({ TotalNumberOfTasks: 200, NumberOfTasksSucceeded: 49, NumberOfTasksFailed: 1 }), {
      total: 200,
      succeeded: 49,
      failed: 1,
      percent: 25,
    });
    assert.deepEqual(progressOf(undefined), { total: null, succeeded: 0, failed: 0, percent: null });
    assert.equal(progressOf({ TotalNumberOfTasks: 0 }).percent, 100);
    assert.equal(
      progressText(progressOf({ TotalNumberOfTasks: 2000, NumberOfTasksSucceeded: 1500, NumberOfTasksFailed: 3 })),
      '1,503/2,000 (75%), 3 failed',
    );
  });

  it('reads completion report lines, quoted messages included', () => {
    const text = 'b,k%201,,succeeded,200,,Successful\r\nb,"a,b",v1,failed,400,InvalidRequest,"say ""no"", then stop"\n\n';
    assert.deepEqual(csvRecords(text), [
      ['b', 'k%201', '', 'succeeded', '200', '', 'Successful'],
      ['b', 'a,b', 'v1', 'failed', '400', 'InvalidRequest', 'say "no", then stop'],
    ]);
  });

  it('reads a job description: target key, report place, waiting for confirmation', () => {
    const d = detailOf({
      JobId: 'j1',
      Status: 'Suspended',
      ConfirmationRequired: true,
      Description: jobDescription(plan()),
      Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: 'arn:k', BucketKeyEnabled: true } } } },
      Report: { Enabled: true, Bucket: 'arn:aws:s3:::reports', Prefix: 'p', ReportScope: 'AllTasks' },
      ProgressSummary: { TotalNumberOfTasks: 3, NumberOfTasksSucceeded: 0, NumberOfTasksFailed: 0 },
    });
    assert.equal(d.bucket, 'data');
    assert.equal(d.operation, 'S3UpdateObjectEncryption');
    assert.equal(d.kmsKey, 'arn:k');
    assert.deepEqual(d.report, { bucket: 'reports', prefix: 'p', scope: 'AllTasks', enabled: true });
    assert.equal(d.confirmationRequired, true);
    assert.equal(d.progress.total, 3);
  });
});

describe('inventory rows', () => {
  it('reads quoted inventory fields, doubled quotes and empty ones included', () => {
    assert.deepEqual(inventoryFields('"b","a%20b","","SSE-S3"'), ['b', 'a%20b', '', 'SSE-S3']);
    assert.deepEqual(inventoryFields('"b","say ""hi""",12'), ['b', 'say "hi"', '12']);
    assert.deepEqual(inventoryFields('b,k'), ['b', 'k']);
    assert.deepEqual(schemaColumns('Bucket, Key, VersionId, IsLatest, IsDeleteMarker, EncryptionStatus'), [
      'Bucket',
      'Key',
      'VersionId',
      'IsLatest',
      'IsDeleteMarker',
      'EncryptionStatus',
    ]);
  });
});

describe('a created job checked against its plan', () => {
  const asked = {
    JobId: 'j1',
    Status: 'Suspended' as const,
    ConfirmationRequired: true,
    Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: plan().kmsKey } } } },
    Manifest: {
      Spec: { Format: 'S3BatchOperations_CSV_20180820' as const },
      Location: { ObjectArn: 'arn:aws:s3:::data/m.csv', ETag: 'e1' },
    },
  };
  it('finds nothing wrong with the job asked for', () => {
    assert.deepEqual(jobSurprises(plan(), asked, 'e1'), []);
    assert.deepEqual(jobSurprises(plan(), { ...asked, Status: 'Preparing' }, 'e1'), []);
  });
  it('stops on a job not held for confirmation, another key or operation, another manifest', () => {
    assert.match(
      jobSurprises(plan(), { ...asked, Status: 'Active' }, 'e1')[0],
      /did not hold the job for confirmation \(it is Active\).*jobs --cancel j1 --yes/,
    );
    assert.match(jobSurprises(plan(), { ...asked, ConfirmationRequired: false }, 'e1')[0], /did not hold the job/);
    assert.match(
      jobSurprises(
        plan(),
        { ...asked, Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: 'arn:other' } } } } },
        'e1',
      )[0],
      /key is arn:other/,
    );
    assert.match(
      jobSurprises(plan(), { ...asked, Operation: { S3PutObjectAcl: {} } }, 'e1')[0],
      /operation is not S3UpdateObjectEncryption/,
    );
    assert.match(jobSurprises(plan(), asked, 'e2')[0], /manifest ETag is e1, not e2/);
    assert.deepEqual(jobSurprises(plan(), undefined, 'e1'), ['DescribeJob answered without the job']);
  });
});
