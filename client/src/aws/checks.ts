// Cross-checks between the facts of one bucket (issue 6, "Posture per bucket"), as PostureCheck
// entries: what the default encryption, the live bucket policy's verdict, Block Public Access and the
// KMS key say together. Checks whose facts could not be read are left out (the failed call is
// recorded on the bucket instead). `fail` = the bucket does not meet the requirements or S3 cannot use
// its key; `warn` = worth a look. No vscode imports.
import type { BucketVerdict } from '../../../server/src/engine/types';
import type { Requirements } from '../../../server/src/requirements';
import { requestClause } from '../../../server/src/engine/wording';
import type { BucketPosture, PostureCheck } from './types';
import { shortKeyArn } from '../../../server/src/engine/wording';

/** The requirements' defaults (server/src/requirements.ts), repeated to keep the engine's config loader out of the client bundle. */
export const POSTURE_DEFAULT_REQUIREMENTS: Readonly<Requirements> = Object.freeze({ https: true, minTlsVersion: null, sse: [], kmsKeyArns: [], headerlessUploads: 'allow' });

/** What was read, beyond the posture itself (null facts are ambiguous: absent or unreadable). */
export interface FactsRead {
  encryption: boolean;
  policy: boolean;
  publicAccessBlock: boolean;
}

const short = shortKeyArn;

const TLS_ORDER = ['1.0', '1.1', '1.2', '1.3'];

/** The key ARNs a bucket policy lets SSE-KMS uploads name while denying every other key: the pinned keys. */
export function pinnedKeys(v: BucketVerdict): string[] {
  const kms = v.encryption.uploads.filter(u => u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse');
  const otherDenied = kms.some(u => u.kmsKey === 'other') && kms.filter(u => u.kmsKey === 'other').every(u => u.decision === 'denied');
  if (!otherDenied) return [];
  return [...new Set(kms.filter(u => u.kmsKey && u.kmsKey !== 'other' && u.decision === 'not-denied').map(u => u.kmsKey as string))];
}

export function postureChecks(p: BucketPosture, read: FactsRead, req: Readonly<Requirements> = POSTURE_DEFAULT_REQUIREMENTS): PostureCheck[] {
  const out: PostureCheck[] = [];
  const add = (id: string, status: PostureCheck['status'], message: string) => out.push({ id, status, message });
  const enc = p.defaultEncryption;
  const v = p.policy.verdict;
  const policyKnown = read.policy && (p.policy.present === false || v !== null);

  // Default encryption.
  if (read.encryption && enc) {
    if (!enc.algorithm) add('default-encryption', req.sse.length ? 'fail' : 'warn', 'No default encryption: uploads without an encryption header are not encrypted by a bucket setting. Set default encryption (SSE-KMS or SSE-S3).');
    else if (req.sse.length && !req.sse.includes(enc.algorithm)) add('default-encryption', 'fail', `Default encryption is ${enc.algorithm}; the requirements accept only ${req.sse.join(', ')}.`);
    else add('default-encryption', 'pass', `Default encryption: ${enc.algorithm}${enc.kmsKeyId ? ` with key ${short(p.kmsKey?.arn ?? enc.kmsKeyId)}` : enc.algorithm === 'AES256' ? '' : ' with the AWS managed key aws/s3'}${enc.bucketKeyEnabled ? ', Bucket Key on' : ''}.`);
    if (enc.algorithm && enc.algorithm !== 'AES256' && req.kmsKeyArns.length) {
      const arn = p.kmsKey?.arn ?? enc.kmsKeyId;
      if (!arn || !req.kmsKeyArns.includes(arn)) add('default-key-required', 'fail', `Default encryption uses ${arn ? `key ${short(arn)}` : 'the AWS managed key aws/s3'}, not one of the required keys (kmsKeyArns).`);
    }
  }

  // The live policy, judged by the engine.
  if (policyKnown) {
    if (!v) {
      add('https', req.https ? 'fail' : 'warn', 'No bucket policy: requests over HTTP are not denied. Add a Deny on aws:SecureTransport = false for the bucket and its objects.');
    } else if (v.transport.http !== 'denied') {
      const how = v.transport.http === 'partly-denied' ? 'only partly denied' : 'not denied';
      add('https', req.https ? 'fail' : 'warn', `HTTP requests are ${how}${v.transport.witness ? `: for example, ${requestClause(v.transport.witness, 'not-denied')}` : ''}. Deny aws:SecureTransport = false for the bucket and its objects.`);
    } else add('https', 'pass', 'Every HTTP request is denied.');
    if (req.minTlsVersion) {
      const got = v?.transport.minTlsVersion ?? null;
      if (!got || TLS_ORDER.indexOf(got) < TLS_ORDER.indexOf(req.minTlsVersion)) add('min-tls', 'fail', `TLS below ${req.minTlsVersion} is not denied${got ? ` (only below ${got})` : ''}. Deny s3:TlsVersion < ${req.minTlsVersion}.`);
      else add('min-tls', 'pass', `TLS below ${got} is denied.`);
    }
    const uploads = v?.encryption.uploads ?? [];
    const open = uploads.filter(u => u.decision === 'not-denied');
    const noPolicy = 'there is no bucket policy to deny them';
    if (req.sse.length) {
      const bad = [...new Set(open.filter(u => u.sse !== 'none' && !req.sse.includes(u.sse as Requirements['sse'][number])).map(u => u.sse))];
      if (!v) add('sse-required', 'fail', `Uploads that name other encryption than ${req.sse.join(', ')} are not denied: ${noPolicy}.`);
      else if (bad.length) add('sse-required', 'fail', `Uploads with ${bad.join(', ')} are not denied; the requirements accept only ${req.sse.join(', ')}.`);
      else add('sse-required', 'pass', `Uploads naming encryption other than ${req.sse.join(', ')} are denied.`);
    }
    if (req.kmsKeyArns.length) {
      const bad = open.filter(u => (u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse') && u.kmsKey !== null && !req.kmsKeyArns.includes(u.kmsKey));
      if (!v || bad.length) add('kms-key-required', 'fail', `SSE-KMS uploads that name another key are not denied${v ? '' : `: ${noPolicy}`}. Pin the required keys (kmsKeyArns) with a Deny.`);
      else add('kms-key-required', 'pass', 'SSE-KMS uploads must name a required key.');
    }
    if (req.headerlessUploads === 'deny') {
      if (!v || open.some(u => u.sse === 'none')) add('headerless-uploads', 'fail', `Uploads without an encryption header are not denied${v ? '' : `: ${noPolicy}`} (the requirements say "headerlessUploads": "deny").`);
      else add('headerless-uploads', 'pass', 'Uploads without an encryption header are denied.');
    }
    // MIS-007: default encryption is not enforcement — clients can still name SSE-S3 or another key.
    if (read.encryption && enc?.algorithm && !req.sse.length && (!v || v.encryption.summary === 'unrestricted')) {
      add('sse-enforced', 'warn', `Default encryption (${enc.algorithm}) is set, but no Deny enforces it: uploads may still name other encryption. Consider a Deny on s3:x-amz-server-side-encryption.`);
    }
    // The policy pins key A while default encryption uses key B.
    if (v && enc?.algorithm && enc.algorithm !== 'AES256') {
      const pins = pinnedKeys(v);
      const defaultKey = p.kmsKey?.arn ?? enc.kmsKeyId;
      if (pins.length && (!defaultKey || !pins.includes(defaultKey))) {
        add('key-mismatch', 'fail', `The bucket policy pins ${pins.map(short).join(', ')} but default encryption uses ${defaultKey ? short(defaultKey) : 'the AWS managed key aws/s3'}: uploads that name the default key are denied. Use one key in both.`);
      } else if (pins.length) add('key-mismatch', 'pass', 'The bucket policy pins the default encryption key.');
    }
  }

  if (read.policy && p.policy.present && !v) {
    add('https', req.https ? 'fail' : 'warn', 'The bucket policy could not be judged (it is not a policy document the engine can read), so HTTPS enforcement is unknown. Open it and fix it.');
  }

  // Block Public Access.
  if (read.publicAccessBlock) {
    const pab = p.publicAccessBlock;
    if (!pab) add('public-access-block', 'warn', 'Block Public Access is not configured on the bucket (account-level settings may still apply). Turn on all four settings.');
    else {
      const off = Object.entries(pab).filter(([, on]) => !on).map(([k]) => k);
      if (off.length) add('public-access-block', 'warn', `Block Public Access is partly off: ${off.join(', ')}.`);
      else add('public-access-block', 'pass', 'Block Public Access: all four settings on.');
    }
  }

  // The KMS key behind default encryption.
  const k = p.kmsKey;
  if (k) {
    if (k.region && p.region && k.region !== p.region) add('kms-region', 'fail', `The default encryption key is in ${k.region}, the bucket in ${p.region}: S3 can only use a key in the bucket's region.`);
    else if (k.region && p.region) add('kms-region', 'pass', `The key is in the bucket's region (${p.region}).`);
    if (k.state && k.state !== 'Enabled') add('kms-state', 'fail', `The key is ${k.state}: uploads with default encryption and reads of objects encrypted with it fail. Enable the key or choose another.`);
    else if (k.state) add('kms-state', 'pass', 'The key is enabled.');
    if (k.keySpec && k.keySpec !== 'SYMMETRIC_DEFAULT') add('kms-key-spec', 'fail', `The key is asymmetric (${k.keySpec}): S3 supports only symmetric encryption keys.`);
    else if (k.keySpec) add('kms-key-spec', 'pass', 'The key is a symmetric encryption key.');
    if (k.rotation === false) add('kms-rotation', 'warn', 'Automatic rotation of the key is off.');
    else if (k.rotation) add('kms-rotation', 'pass', 'Automatic rotation is on.');
    const kv = k.policyVerdict;
    if (kv) {
      if (!kv.s3CanUse.value) add('kms-s3-use', kv.complete ? 'fail' : 'warn', `The key policy does not ${kv.complete ? '' : 'seem to '}let S3 use the key (kms:GenerateDataKey and kms:Decrypt through S3) for this account: uploads with default encryption would fail.`);
      else add('kms-s3-use', 'pass', `The key policy lets S3 use the key${kv.s3CanUse.viaService ? ` (${kv.s3CanUse.viaService})` : ''}.`);
      if (kv.openToAnonymous.value) add('kms-key-open', 'fail', 'The key policy allows anonymous callers to use or manage the key.');
      else if (kv.openToOtherAccounts.value) add('kms-key-open', 'warn', 'The key policy allows accounts it does not name to use or manage the key.');
      else if (kv.openToOrganization?.value) add('kms-key-open', 'pass', `The key policy lets every account of organisation ${kv.openToOrganization.organizations.join(', ')} use the key, not only the accounts it names.`);
    }
  }
  return out;
}
