// The checks of one bucket (issue 6, "Posture per bucket"; issue 11, item 3): what its default
// encryption, Bucket Key, live bucket policy (as the engine judges it), Block Public Access and KMS
// key say, alone and together. One list per bucket, computed once from the posture (posture.ts):
// `status` prints it and the live view's tree renders it (posture-model.ts), so a check shows in both
// or in neither. Checks whose facts could not be read are left out (the failed call is recorded on
// the bucket instead). `fail` = the bucket does not meet the requirements or S3 cannot use its key;
// `warn` = worth a look. Each check's message is one short sentence; `detail` says why and what to
// do.
import type { BucketVerdict, KeyPolicyVerdict, UploadClass, Requirements } from '../shared/types';
import { verdictSummary } from '../shared/summary';
import { describeUploadClass, requestClause, shortKeyArn, KEY_POLICY } from '../shared/wording';
import type { BucketPosture, CheckStatus, PostureCheck } from './types';

/** The requirements' defaults (core/requirements.ts), repeated to keep the engine's config loader out of the client bundle. */
export const POSTURE_DEFAULT_REQUIREMENTS: Readonly<Requirements> = Object.freeze({
  https: true,
  minTlsVersion: null,
  sse: [],
  kmsKeyArns: [],
  headerlessUploads: 'allow',
});

/** What was read, beyond the posture itself (null facts are ambiguous: absent or unreadable). */
export interface FactsRead {
  encryption: boolean;
  policy: boolean;
  publicAccessBlock: boolean;
}

/** Where a check belongs in the live view's tree: under the bucket, its bucket policy, or its KMS key. */
export type CheckGroup = 'encryption' | 'policy' | 'access' | 'key' | 'cross';

/** Every check, in the order the tree and `status` list them, with the tree's label. */
export const CHECKS: Readonly<Record<string, { label: string; group: CheckGroup }>> = {
  'default-encryption': { label: 'Default encryption', group: 'encryption' },
  'bucket-key': { label: 'Bucket Key', group: 'encryption' },
  https: { label: 'HTTPS', group: 'policy' },
  'sse-enforced': { label: 'SSE', group: 'policy' },
  'sse-required': { label: 'SSE', group: 'policy' },
  'kms-key-required': { label: 'Required keys', group: 'policy' },
  'headerless-uploads': { label: 'Uploads without a header', group: 'policy' },
  'min-tls': { label: 'TLS', group: 'policy' },
  'public-access-block': { label: 'Block Public Access', group: 'access' },
  'kms-state': { label: 'State', group: 'key' },
  'kms-rotation': { label: 'Rotation', group: 'key' },
  'kms-key-spec': { label: 'Key spec', group: 'key' },
  'kms-region': { label: 'Region', group: 'key' },
  'kms-s3-use': { label: 'Use by S3', group: 'key' },
  'kms-key-open': { label: 'Who can use it', group: 'key' },
  'key-mismatch': { label: 'Pinned key vs default key', group: 'cross' },
  'default-key-required': { label: 'Default key vs required keys', group: 'cross' },
};

const short = shortKeyArn;

const TLS_ORDER = ['1.0', '1.1', '1.2', '1.3'];

/** A sentence from words that may end in a clipped value (`key/1234abcd…`): no period after the ellipsis. */
const sentence = (s: string): string => (/[.…]$/.test(s) ? s : `${s}.`);

/** Adds checks to `out`: the message made a sentence, the detail only when there is one. */
const adder =
  (out: PostureCheck[]) =>
  (id: string, status: CheckStatus, message: string, detail?: string): void => {
    out.push({ id, status, message: sentence(message), ...(detail ? { detail } : {}) });
  };

/** The key ARNs a bucket policy lets SSE-KMS uploads name while denying every other key: the pinned keys. */
export function pinnedKeys(v: BucketVerdict): string[] {
  const kms = v.encryption.uploads.filter(u => u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse');
  const otherDenied =
    kms.some(u => u.kmsKey === 'other') && kms.filter(u => u.kmsKey === 'other').every(u => u.decision === 'denied');
  if (!otherDenied) return [];
  return [
    ...new Set(kms.filter(u => u.kmsKey && u.kmsKey !== 'other' && u.decision === 'not-denied').map(u => u.kmsKey as string)),
  ];
}

/** What the verdict allows uploads to name, in the CodeLens's words ("only aws:kms, named key must be key/1234abcd…"). */
function sseText(v: BucketVerdict): string {
  return (
    verdictSummary(v)
      .split(' · ')
      .find(p => p.startsWith('SSE: '))
      ?.slice(5) ?? v.encryption.summary
  );
}

/** The upload classes a bucket policy does not deny, and a request of the first. */
function notDenied(open: readonly UploadClass[]): string {
  if (!open.length) return 'Every upload is denied.';
  const example = open[0].witness ? ` For example, ${requestClause(open[0].witness, 'not-denied')}.` : '';
  return `Not denied: ${open.map(u => describeUploadClass(u)).join('; ')}.${example}`;
}

const ALGORITHM_NAMES: Record<string, string> = { AES256: 'SSE-S3 (AES256)', 'aws:kms': 'SSE-KMS', 'aws:kms:dsse': 'DSSE-KMS' };

/**
 * The checks a bucket policy's verdict decides alone: HTTPS, SSE, TLS and what the requirements
 * ask of uploads. `verdict` null with `present` true: a policy the engine could not judge; `present`
 * false: no policy at all. `defaultAlgorithm` is the bucket's default encryption when it was read
 * (null: none), undefined when it is not known (an open policy file has no bucket behind it).
 */
export function policyChecks(
  verdict: BucketVerdict | null,
  present: boolean,
  req: Readonly<Requirements> = POSTURE_DEFAULT_REQUIREMENTS,
  defaultAlgorithm?: string | null,
): PostureCheck[] {
  const out: PostureCheck[] = [];
  const add = adder(out);
  const v = verdict;
  if (present && !v) {
    add(
      'https',
      req.https ? 'fail' : 'warn',
      'The bucket policy could not be judged: HTTPS enforcement is unknown',
      'It is not a policy document the engine can read. Open it and fix it.',
    );
    return out;
  }
  const denyHttp = 'Deny aws:SecureTransport = false for the bucket and its objects.';
  if (!v) add('https', req.https ? 'fail' : 'warn', 'No bucket policy: requests over HTTP are not denied', denyHttp);
  else if (v.transport.http !== 'denied') {
    add(
      'https',
      req.https ? 'fail' : 'warn',
      `HTTP requests are ${v.transport.http === 'partly-denied' ? 'only partly denied' : 'not denied'}`,
      `${v.transport.witness ? `For example, ${requestClause(v.transport.witness, 'not-denied')}. ` : ''}${denyHttp}`,
    );
  } else add('https', 'pass', 'Every HTTP request is denied');

  const uploads = v?.encryption.uploads ?? [];
  const open = uploads.filter(u => u.decision === 'not-denied');
  const noPolicy = 'there is no bucket policy to deny them';
  if (req.sse.length) {
    const bad = [
      ...new Set(open.filter(u => u.sse !== 'none' && !req.sse.includes(u.sse as Requirements['sse'][number])).map(u => u.sse)),
    ];
    if (!v)
      add('sse-required', 'fail', `Uploads that name other encryption than ${req.sse.join(', ')} are not denied: ${noPolicy}`);
    else if (bad.length)
      add(
        'sse-required',
        'fail',
        `Uploads with ${bad.join(', ')} are not denied`,
        `The requirements accept only ${req.sse.join(', ')}.`,
      );
    else add('sse-required', 'pass', `Uploads naming encryption other than ${req.sse.join(', ')} are denied`);
  } else if (v && v.encryption.summary !== 'unrestricted') {
    add('sse-enforced', 'pass', `Uploads: ${sseText(v)}`, notDenied(open));
  } else if (defaultAlgorithm !== null) {
    // MIS-007: default encryption is not enforcement: clients can still name SSE-S3 or another key.
    add(
      'sse-enforced',
      'warn',
      defaultAlgorithm
        ? `No Deny enforces the default encryption (${defaultAlgorithm})`
        : 'No Deny enforces the encryption of uploads',
      'Uploads may still name other encryption. Consider a Deny on s3:x-amz-server-side-encryption.',
    );
  }
  if (req.kmsKeyArns.length) {
    const bad = open.filter(
      u => (u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse') && u.kmsKey !== null && !req.kmsKeyArns.includes(u.kmsKey),
    );
    if (!v || bad.length)
      add(
        'kms-key-required',
        'fail',
        `SSE-KMS uploads that name another key are not denied${v ? '' : `: ${noPolicy}`}`,
        'Pin the required keys (kmsKeyArns) with a Deny.',
      );
    else add('kms-key-required', 'pass', 'SSE-KMS uploads must name a required key');
  }
  if (req.headerlessUploads === 'deny') {
    if (!v || open.some(u => u.sse === 'none'))
      add(
        'headerless-uploads',
        'fail',
        `Uploads without an encryption header are not denied${v ? '' : `: ${noPolicy}`}`,
        'The requirements say "headerlessUploads": "deny".',
      );
    else add('headerless-uploads', 'pass', 'Uploads without an encryption header are denied');
  }
  const got = v?.transport.minTlsVersion ?? null;
  if (req.minTlsVersion) {
    if (!got || TLS_ORDER.indexOf(got) < TLS_ORDER.indexOf(req.minTlsVersion)) {
      add(
        'min-tls',
        'fail',
        `TLS below ${req.minTlsVersion} is not denied${got ? ` (only below ${got})` : ''}`,
        `Deny s3:TlsVersion < ${req.minTlsVersion}.`,
      );
    } else add('min-tls', 'pass', `TLS below ${got} is denied`);
  } else if (got) add('min-tls', 'pass', `TLS below ${got} is denied`);
  return out;
}

/** The checks a key policy's verdict decides alone: can S3 use the key, and who else can. */
export function keyPolicyChecks(kv: KeyPolicyVerdict): PostureCheck[] {
  const out: PostureCheck[] = [];
  const add = adder(out);
  const example = (w: KeyPolicyVerdict['openToAnonymous']['witness']) =>
    w ? `For example, ${requestClause(w, 'allowed', undefined, KEY_POLICY)}.` : undefined;
  if (!kv.s3CanUse.value) {
    add(
      'kms-s3-use',
      kv.complete ? 'fail' : 'warn',
      `The key policy does not ${kv.complete ? '' : 'seem to '}let S3 use the key: uploads with default encryption fail`,
      'No principal of the accounts it names is allowed kms:GenerateDataKey and kms:Decrypt through S3.',
    );
  } else
    add(
      'kms-s3-use',
      'pass',
      `The key policy lets S3 use the key${kv.s3CanUse.viaService ? ` (${kv.s3CanUse.viaService})` : ''}`,
    );
  if (kv.openToAnonymous.value)
    add(
      'kms-key-open',
      'fail',
      'The key policy lets anonymous callers use or manage the key',
      example(kv.openToAnonymous.witness),
    );
  else if (kv.openToOtherAccounts.value)
    add(
      'kms-key-open',
      'warn',
      'The key policy lets accounts it does not name use or manage the key',
      example(kv.openToOtherAccounts.witness),
    );
  else if (kv.openToOrganization?.value) {
    add(
      'kms-key-open',
      'pass',
      `The key policy lets every account of organisation ${kv.openToOrganization.organizations.join(', ') || '(the one it names)'} use the key`,
      `Not only the accounts it names. ${example(kv.openToOrganization.witness) ?? ''}`.trim(),
    );
  } else add('kms-key-open', 'pass', 'Only the accounts the key policy names can use the key');
  return out;
}

export function postureChecks(
  p: BucketPosture,
  read: FactsRead,
  req: Readonly<Requirements> = POSTURE_DEFAULT_REQUIREMENTS,
): PostureCheck[] {
  const out: PostureCheck[] = [];
  const add = adder(out);
  const enc = read.encryption ? p.defaultEncryption : null;
  const v = p.policy.verdict;

  // Default encryption and its Bucket Key.
  if (enc) {
    if (!enc.algorithm) {
      add(
        'default-encryption',
        req.sse.length ? 'fail' : 'warn',
        'No default encryption: uploads without an encryption header get none from the bucket',
        'Set default encryption (SSE-KMS or SSE-S3).',
      );
    } else if (req.sse.length && !req.sse.includes(enc.algorithm)) {
      add(
        'default-encryption',
        'fail',
        `Default encryption is ${enc.algorithm}; the requirements accept only ${req.sse.join(', ')}`,
      );
    } else {
      const name = ALGORITHM_NAMES[enc.algorithm] ?? enc.algorithm;
      const key = enc.kmsKeyId
        ? ` with key ${short(p.kmsKey?.arn ?? enc.kmsKeyId)}`
        : enc.algorithm === 'AES256'
          ? ''
          : ' with the AWS managed key aws/s3';
      add('default-encryption', 'pass', `Default encryption: ${name}${key}`);
    }
    if (enc.algorithm && enc.algorithm !== 'AES256' && req.kmsKeyArns.length) {
      const arn = p.kmsKey?.arn ?? enc.kmsKeyId;
      if (!arn || !req.kmsKeyArns.includes(arn))
        add(
          'default-key-required',
          'fail',
          `Default encryption uses ${arn ? `key ${short(arn)}` : 'the AWS managed key aws/s3'}, not one of the required keys (kmsKeyArns)`,
        );
    }
    // S3 Bucket Keys serve SSE-KMS only: SSE-S3 calls no KMS at all, and "S3 Bucket Keys aren't
    // supported for DSSE-KMS" (Amazon S3 User Guide, "Using dual-layer server-side encryption with
    // AWS KMS keys (DSSE-KMS)", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html).
    // Without one, S3 calls KMS for every object ("Reducing the cost of SSE-KMS with Amazon S3 Bucket
    // Keys", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
    if (enc.algorithm === 'aws:kms') {
      if (enc.bucketKeyEnabled)
        add('bucket-key', 'pass', 'S3 Bucket Key on: S3 asks KMS for a bucket-level key, not one call per object');
      else {
        add(
          'bucket-key',
          'warn',
          'S3 Bucket Key off: S3 calls KMS for every object it encrypts or decrypts',
          'Each call is billed and counts against the KMS request quota, which can throttle. Enable the S3 Bucket Key in the default encryption settings (it applies to new objects).',
        );
      }
    }
  }

  // The live policy, judged by the engine.
  if (read.policy && p.policy.present !== null) {
    // Default encryption not read (or none): no warning that a Deny does not enforce it.
    out.push(...policyChecks(v, p.policy.present, req, enc?.algorithm ?? null));
    // The policy pins key A while default encryption uses key B.
    if (v && enc?.algorithm && enc.algorithm !== 'AES256') {
      const pins = pinnedKeys(v);
      const defaultKey = p.kmsKey?.arn ?? enc.kmsKeyId;
      if (pins.length && (!defaultKey || !pins.includes(defaultKey))) {
        add(
          'key-mismatch',
          'fail',
          `The bucket policy pins ${pins.map(short).join(', ')} but default encryption uses ${defaultKey ? short(defaultKey) : 'the AWS managed key aws/s3'}`,
          'Uploads that name the default key are denied. Use one key in both.',
        );
      } else if (pins.length) add('key-mismatch', 'pass', 'The bucket policy pins the default encryption key');
    }
  }

  // Block Public Access.
  if (read.publicAccessBlock) {
    const pab = p.publicAccessBlock;
    if (!pab)
      add(
        'public-access-block',
        'warn',
        'Block Public Access is not configured on the bucket',
        'Account-level settings may still apply. Turn on all four settings unless the bucket must be public.',
      );
    else {
      const off = Object.entries(pab)
        .filter(([, on]) => !on)
        .map(([k]) => k);
      if (off.length) add('public-access-block', 'warn', `Block Public Access is partly off: ${off.join(', ')}`);
      else add('public-access-block', 'pass', 'Block Public Access: all four settings on');
    }
  }

  // The KMS key behind default encryption.
  const k = p.kmsKey;
  if (k) {
    if (k.state && k.state !== 'Enabled')
      add(
        'kms-state',
        'fail',
        `The key is ${k.state}: uploads with default encryption fail`,
        'Reads of objects encrypted with it fail too. Enable the key or choose another.',
      );
    else if (k.state) add('kms-state', 'pass', 'The key is enabled');
    if (k.rotation === false)
      add(
        'kms-rotation',
        'warn',
        'Automatic rotation of the key is off',
        'Turn it on (EnableKeyRotation) unless you rotate the key yourself.',
      );
    else if (k.rotation) add('kms-rotation', 'pass', 'Automatic rotation is on');
    if (k.keySpec && k.keySpec !== 'SYMMETRIC_DEFAULT')
      add('kms-key-spec', 'fail', `The key is asymmetric (${k.keySpec}): S3 supports only symmetric encryption keys`);
    else if (k.keySpec) add('kms-key-spec', 'pass', 'The key is a symmetric encryption key');
    if (k.region && p.region && k.region !== p.region)
      add('kms-region', 'fail', `The key is in ${k.region}, the bucket in ${p.region}: S3 needs a key in the bucket's region`);
    else if (k.region && p.region) add('kms-region', 'pass', `The key is in the bucket's region (${p.region})`);
    if (k.policyVerdict) out.push(...keyPolicyChecks(k.policyVerdict));
  }
  const order = Object.keys(CHECKS);
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  return out.sort((a, b) => rank(a.id) - rank(b.id));
}

// ---------------------------------------------------------------------------------------------
// Compact marks: the status bar and the `status` table say a verdict in a few characters

export const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗' };

/** `✓ HTTPS ⚠ SSE ✓ TLS`: one mark per check, under the label the check's group gives it. */
export function marksText(marks: readonly { label: string; status: CheckStatus }[]): string {
  return marks.map(m => `${MARK[m.status]} ${m.label}`).join(' ');
}

/** The worst of some checks (none: undefined). */
export function worstStatus(checks: readonly { status: CheckStatus }[]): CheckStatus | undefined {
  return checks.some(c => c.status === 'fail')
    ? 'fail'
    : checks.some(c => c.status === 'warn')
      ? 'warn'
      : checks.length
        ? 'pass'
        : undefined;
}

/** The marks of a bucket policy's checks: HTTPS, SSE (every upload check), TLS (when one is checked). */
export function policyMarks(checks: readonly PostureCheck[]): { label: string; status: CheckStatus }[] {
  const out: { label: string; status: CheckStatus }[] = [];
  const of = (label: string, ids: readonly string[]) => {
    const s = worstStatus(checks.filter(c => ids.includes(c.id)));
    if (s) out.push({ label, status: s });
  };
  of('HTTPS', ['https']);
  of('SSE', ['sse-enforced', 'sse-required', 'kms-key-required', 'headerless-uploads']);
  of('TLS', ['min-tls']);
  return out;
}

/** The marks of a key policy's verdict: its administrators, who can use it, and S3. */
export function keyPolicyMarks(kv: KeyPolicyVerdict): { label: string; status: CheckStatus }[] {
  const checks = keyPolicyChecks(kv);
  const status = (id: string) => checks.find(c => c.id === id)?.status ?? 'pass';
  const who = kv.openToAnonymous.value
    ? 'Anyone'
    : kv.openToOtherAccounts.value
      ? 'Other accounts'
      : kv.openToOrganization?.value
        ? 'Organisation'
        : 'Own accounts';
  return [
    { label: 'Admins', status: kv.lockout ? 'warn' : 'pass' },
    { label: who, status: status('kms-key-open') },
    { label: 'S3', status: status('kms-s3-use') },
  ];
}
