// Bucket settings the remediation code writes, and the bucket reads that go with objects (S3 REST/XML):
//
// - PutBucketEncryption (`PUT /b?encryption`): SSEAlgorithm AES256 | aws:kms | aws:kms:dsse,
//   KMSMasterKeyID (KMS only), BucketKeyEnabled, BlockedEncryptionTypes (`SSE-C` or `NONE`); answers 200.
//   Like every configuration PUT, it needs Content-MD5 or an x-amz-checksum-* header (the SDK sends one).
// - DeleteBucketEncryption: 204; the bucket falls back to SSE-S3, as AWS buckets do since 2023.
// - PutBucketPolicy: the body must be a JSON object (MalformedPolicy otherwise) of at most 20 KB
//   (PolicyTooLarge… AWS answers MalformedPolicy with a size message); 204. DeleteBucketPolicy: 204.
// - PutPublicAccessBlock / DeletePublicAccessBlock: 200 / 204.
// - GetBucketVersioning / PutBucketVersioning (Enabled | Suspended; Object Lock buckets cannot suspend).
// - GetObjectLockConfiguration (ObjectLockConfigurationNotFoundError without Object Lock).
// - GetBucketOwnershipControls / PutBucketOwnershipControls (OwnershipControlsNotFoundError).
// - CreateBucket (`PUT /b`): a new empty bucket (SSE-S3, SSE-C blocked, BucketOwnerEnforced, as AWS
//   makes buckets since April 2026); BucketAlreadyOwnedByYou when it exists.
import { createHash } from 'node:crypto';
import type { BucketState } from './state';
import { type Account, el, element, elements, header, type Reply, type S3Request, S3_NS } from './wire';

const POLICY_MAX_BYTES = 20 * 1024;

/** S3 requires Content-MD5 (or, since 2025, a flexible checksum) on configuration writes; checks what is sent. */
export function checkIntegrity(r: S3Request, reply: Reply): boolean {
  const md5 = header(r, 'content-md5');
  if (md5 !== undefined) {
    if (createHash('md5').update(r.body).digest('base64') !== md5) {
      reply.error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      return false;
    }
    return true;
  }
  if (Object.keys(r.headers).some(h => h.startsWith('x-amz-checksum-')) || r.trailers['x-amz-checksum-crc32']) return true;
  reply.error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
  return false;
}

const malformedXml = (reply: Reply) =>
  reply.error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

export function createBucket(acct: Account, r: S3Request, reply: Reply): void {
  if (acct.buckets.has(r.bucket))
    return reply.error(
      409,
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: r.bucket },
    );
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(r.bucket))
    return reply.error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: r.bucket });
  const region = element(r.body.toString('utf8'), 'LocationConstraint') || 'us-east-1';
  acct.buckets.set(r.bucket, {
    settings: {
      name: r.bucket,
      region,
      created: new Date().toISOString(),
      encryption: { algorithm: 'AES256', blockedEncryptionTypes: ['SSE-C'] },
      publicAccessBlock: true,
    },
    objects: new Map(),
    uploads: new Map(),
    inventory: new Map(),
  });
  reply.empty(200, { Location: `/${r.bucket}` });
}

/** Bucket-level calls other than the reads emulator.ts answers itself; the bucket exists. */
export function bucketCall(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const s = b.settings;
  const text = () => r.body.toString('utf8');
  switch (call) {
    case 'PutBucketEncryption': {
      if (!checkIntegrity(r, reply)) return;
      const xml = text();
      const rules = elements(xml, 'Rule', 2);
      if (rules.length !== 1) return malformedXml(reply);
      const rule = rules[0];
      const alg = element(rule, 'SSEAlgorithm');
      if (alg !== 'AES256' && alg !== 'aws:kms' && alg !== 'aws:kms:dsse') return malformedXml(reply);
      const keyId = element(rule, 'KMSMasterKeyID');
      if (keyId !== undefined && alg === 'AES256')
        return reply.error(
          400,
          'InvalidArgument',
          'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
          {
            ArgumentName: 'ApplyServerSideEncryptionByDefault',
          },
        );
      const bke = element(rule, 'BucketKeyEnabled');
      if (bke !== undefined && bke !== 'true' && bke !== 'false') return malformedXml(reply);
      const blocked = elements(elements(rule, 'BlockedEncryptionTypes', 1)[0] ?? '', 'EncryptionType', 10).map(x => x.trim());
      if (blocked.some(x => x !== 'SSE-C' && x !== 'NONE')) return malformedXml(reply);
      const previous = s.encryption;
      s.encryption = {
        algorithm: alg,
        ...(keyId ? { kmsKeyId: keyId } : {}),
        bucketKeyEnabled: bke === 'true',
        // Left out of the request: the bucket keeps what it had (AWS changes the blocked types only when named).
        ...(blocked.length
          ? { blockedEncryptionTypes: blocked as ('SSE-C' | 'NONE')[] }
          : previous?.blockedEncryptionTypes
            ? { blockedEncryptionTypes: previous.blockedEncryptionTypes }
            : {}),
      };
      return reply.empty(200);
    }
    case 'DeleteBucketEncryption':
      s.encryption = undefined;
      return reply.empty(204);
    case 'PutBucketPolicy': {
      if (!checkIntegrity(r, reply)) return;
      if (r.body.length > POLICY_MAX_BYTES)
        return reply.error(
          400,
          'PolicyTooLarge',
          `Policy exceeds the maximum allowed document size of ${POLICY_MAX_BYTES} bytes.`,
        );
      const t = text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !t.trimStart().startsWith('{'))
        return reply.error(400, 'MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
      if (
        !Array.isArray((parsed as { Statement?: unknown }).Statement) &&
        typeof (parsed as { Statement?: unknown }).Statement !== 'object'
      )
        return reply.error(400, 'MalformedPolicy', 'Missing required field Statement');
      s.policy = t;
      return reply.empty(204);
    }
    case 'DeleteBucketPolicy':
      s.policy = null;
      return reply.empty(204);
    case 'PutPublicAccessBlock': {
      if (!checkIntegrity(r, reply)) return;
      const xml = text();
      if (!xml.includes('<PublicAccessBlockConfiguration')) return malformedXml(reply);
      const v = (n: string) => element(xml, n) === 'true';
      s.publicAccessBlock = {
        blockPublicAcls: v('BlockPublicAcls'),
        ignorePublicAcls: v('IgnorePublicAcls'),
        blockPublicPolicy: v('BlockPublicPolicy'),
        restrictPublicBuckets: v('RestrictPublicBuckets'),
      };
      return reply.empty(200);
    }
    case 'DeletePublicAccessBlock':
      s.publicAccessBlock = null;
      return reply.empty(204);
    case 'GetBucketVersioning':
      return reply.xml(`<VersioningConfiguration xmlns="${S3_NS}">${el('Status', s.versioning)}</VersioningConfiguration>`);
    case 'PutBucketVersioning': {
      const status = element(text(), 'Status');
      if (status !== 'Enabled' && status !== 'Suspended') return malformedXml(reply);
      if (status === 'Suspended' && s.objectLock)
        return reply.error(
          409,
          'InvalidBucketState',
          'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
        );
      s.versioning = status;
      return reply.empty(200);
    }
    case 'GetObjectLockConfiguration': {
      if (!s.objectLock)
        return reply.error(
          404,
          'ObjectLockConfigurationNotFoundError',
          'Object Lock configuration does not exist for this bucket',
          {
            BucketName: s.name,
          },
        );
      const d = s.objectLock.defaultRetention;
      return reply.xml(
        `<ObjectLockConfiguration xmlns="${S3_NS}"><ObjectLockEnabled>Enabled</ObjectLockEnabled>` +
          (d ? `<Rule><DefaultRetention>${el('Mode', d.mode)}${el('Days', d.days)}</DefaultRetention></Rule>` : '') +
          `</ObjectLockConfiguration>`,
      );
    }
    case 'GetBucketOwnershipControls': {
      const o = s.ownership === undefined ? 'BucketOwnerEnforced' : s.ownership;
      if (o === null)
        return reply.error(404, 'OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', {
          BucketName: s.name,
        });
      return reply.xml(`<OwnershipControls xmlns="${S3_NS}"><Rule>${el('ObjectOwnership', o)}</Rule></OwnershipControls>`);
    }
    case 'PutBucketOwnershipControls': {
      if (!checkIntegrity(r, reply)) return;
      const o = element(text(), 'ObjectOwnership');
      if (o !== 'BucketOwnerEnforced' && o !== 'BucketOwnerPreferred' && o !== 'ObjectWriter') return malformedXml(reply);
      s.ownership = o;
      return reply.empty(200);
    }
    case 'DeleteBucketOwnershipControls':
      s.ownership = null;
      return reply.empty(204);
  }
  reply.error(501, 'NotImplemented', `${call} is not implemented by this local endpoint.`);
  void acct;
}

/** ACLs are disabled on the bucket (Object Ownership BucketOwnerEnforced, AWS's default since 2023). */
export const aclsDisabled = (b: BucketState): boolean =>
  b.settings.ownership === undefined ? true : b.settings.ownership === 'BucketOwnerEnforced';
