// S3 API operation names people write in Action, and the IAM action that authorises each.
import { splitAction } from './tables';

/**
 * S3 API operation names that people put in `Action` by mistake, mapped to the IAM action that
 * authorises them. None of these is an IAM action itself (every key is checked against the
 * generated table in the unit tests). Sources, all AWS documentation:
 * - CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload → s3:PutObject;
 *   ListParts → s3:ListMultipartUploadParts; ListMultipartUploads → s3:ListBucketMultipartUploads:
 *   S3 User Guide, "Multipart upload API and permissions" (mpuoverview).
 * - CopyObject → s3:PutObject on the destination (it also needs s3:GetObject on the source):
 *   API reference CopyObject / S3 User Guide directory-buckets-objects-copy.
 * - PostObject → s3:PutObject: API reference "POST Object" requires WRITE on the bucket, which
 *   the ACL-to-policy mapping (acl-overview) equates with s3:PutObject; presigned POST uploads
 *   fail without s3:PutObject (github.com/aws/aws-sdk-js/issues/3975). Less direct than the others.
 * - HeadObject → s3:GetObject: API reference HeadObject ("To use HEAD, you must have the
 *   s3:GetObject permission").
 * - HeadBucket → s3:ListBucket: API reference HeadBucket.
 * - ListObjectsV2 → s3:ListBucket: API reference ListObjectsV2. ListObjects (v1) → s3:ListBucket:
 *   same permission per the SAR description of s3:ListBucket and the ACL mapping (READ on bucket).
 * - ListObjectVersions → s3:ListBucketVersions: API reference ListObjectVersions ("Be aware of the
 *   name difference").
 * - DeleteObjects → s3:DeleteObject (plus s3:DeleteObjectVersion for versioned deletes):
 *   API reference DeleteObjects.
 * - ListBuckets → s3:ListAllMyBuckets: API reference ListBuckets.
 * - GetBucketEncryption → s3:GetEncryptionConfiguration, PutBucketEncryption →
 *   s3:PutEncryptionConfiguration: API reference of each; DeleteBucketEncryption →
 *   s3:PutEncryptionConfiguration: S3 User Guide, "Required permissions for Amazon S3 API
 *   operations" (using-with-s3-policy-actions).
 * GetObjectAttributes is deliberately absent: `s3:GetObjectAttributes` is a real IAM action.
 */
export const API_NAME_TO_ACTION: Readonly<Record<string, string>> = Object.freeze({
  CompleteMultipartUpload: 's3:PutObject',
  CopyObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteObjects: 's3:DeleteObject',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  ListBuckets: 's3:ListAllMyBuckets',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListParts: 's3:ListMultipartUploadParts',
  PostObject: 's3:PutObject',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
});

/** The IAM action authorising an S3 API operation name (`CreateMultipartUpload`, `s3:HeadObject`). */
export function apiNameToAction(name: string): string | undefined {
  const parts = splitAction(name);
  if (parts && parts[0] !== 's3') return undefined;
  const op = (parts ? parts[1] : name).toLowerCase();
  for (const [api, action] of Object.entries(API_NAME_TO_ACTION)) if (api.toLowerCase() === op) return action;
  return undefined;
}
