// Which S3 operation a request is, from its method, whether it names an object, its query
// parameters and headers: the same dispatch S3 does (the SDK's `x-id=` query is a hint only).
import type { Quirks } from './types';

/** Calls that change state: the `write` pseudo-call of a fault matches every one. */
export const WRITE_CALLS = new Set([
  'CreateBucket',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutPublicAccessBlock',
  'DeletePublicAccessBlock',
  'PutBucketVersioning',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
  'PutBucketInventoryConfiguration',
  'DeleteBucketInventoryConfiguration',
  'PutObject',
  'CopyObject',
  'DeleteObject',
  'UpdateObjectEncryption',
  'PutObjectTagging',
  'PutObjectAcl',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:PutKeyPolicy',
  'CreateJob',
  'UpdateJobStatus',
]);

export function classifyS3(
  method: string,
  hasKey: boolean,
  q: URLSearchParams,
  headers: Record<string, unknown>,
  quirks: Quirks,
): string | null {
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (!hasKey) {
    switch (method) {
      case 'HEAD':
        return 'HeadBucket';
      case 'GET':
        if (q.has('location')) return 'GetBucketLocation';
        if (q.has('encryption')) return 'GetBucketEncryption';
        if (q.has('policy')) return 'GetBucketPolicy';
        if (q.has('publicAccessBlock')) return 'GetPublicAccessBlock';
        if (q.has('versioning')) return 'GetBucketVersioning';
        if (q.has('object-lock')) return 'GetObjectLockConfiguration';
        if (q.has('ownershipControls')) return 'GetBucketOwnershipControls';
        if (q.has('inventory')) return q.has('id') ? 'GetBucketInventoryConfiguration' : 'ListBucketInventoryConfigurations';
        if (q.has('versions')) return 'ListObjectVersions';
        if (q.has('uploads')) return 'ListMultipartUploads';
        if (q.get('list-type') === '2') return 'ListObjectsV2';
        return null;
      case 'PUT':
        if (q.has('encryption')) return 'PutBucketEncryption';
        if (q.has('policy')) return 'PutBucketPolicy';
        if (q.has('publicAccessBlock')) return 'PutPublicAccessBlock';
        if (q.has('versioning')) return 'PutBucketVersioning';
        if (q.has('ownershipControls')) return 'PutBucketOwnershipControls';
        if (q.has('inventory')) return 'PutBucketInventoryConfiguration';
        return [...q.keys()].length === 0 ? 'CreateBucket' : null;
      case 'DELETE':
        if (q.has('encryption')) return 'DeleteBucketEncryption';
        if (q.has('policy')) return 'DeleteBucketPolicy';
        if (q.has('publicAccessBlock')) return 'DeletePublicAccessBlock';
        if (q.has('ownershipControls')) return 'DeleteBucketOwnershipControls';
        if (q.has('inventory')) return 'DeleteBucketInventoryConfiguration';
        return null;
      default:
        return null;
    }
  }
  switch (method) {
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      if (q.has('tagging')) return 'GetObjectTagging';
      if (q.has('acl')) return 'GetObjectAcl';
      if (q.has('retention')) return 'GetObjectRetention';
      if (q.has('legal-hold')) return 'GetObjectLegalHold';
      if (q.has('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'PUT':
      if (q.has('encryption')) {
        // An S3-compatible store that does not know the call takes it for an upload (Quirks).
        if (quirks.updateObjectEncryptionAsPut) return 'PutObject';
        return 'UpdateObjectEncryption';
      }
      if (q.has('tagging')) return 'PutObjectTagging';
      if (q.has('acl')) return 'PutObjectAcl';
      if (q.has('retention') || q.has('legal-hold')) return null;
      if (q.has('partNumber') && q.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return null;
    case 'DELETE':
      if (q.has('uploadId')) return 'AbortMultipartUpload';
      if (q.has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    default:
      return null;
  }
}
