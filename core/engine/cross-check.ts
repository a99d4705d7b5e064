// The cross-document check (issue 4): a bucket policy pins a KMS key, and the workspace holds that
// key's policy. Can the bucket's writers and readers use the key through S3, with and without S3
// Bucket Keys (which change the encryption context from the object ARN to the bucket ARN)?
// Writers and readers come from the bucket policy's Allow statements (the principals they name),
// plus "some principal of the key's account" (same-account IAM users and roles need no bucket-policy
// grant).
import { accountPrincipal, parseArn, parseS3Arn } from '../policy/arn';
import type { PolicyDocument, Statement } from '../policy/model';
import { coversAction, principalValues } from '../policy/statement';
import { hasWildcard, matchesWildcard } from '../policy/wildcard';
import { keyPolicyAsker } from './key-verdict';
import { Budget, DEFAULT_MAX_STEPS } from './budget';
import type { RequestPrincipal } from '../../shared/types';

export type KeyUserRole = 'writer' | 'reader';

export interface KeyUser {
  role: KeyUserRole;
  principal: RequestPrincipal;
  /** How the user is shown: the ARN, or "principals of account N". */
  label: string;
  /** The bucket-policy statement that lets it upload or read (by index), if one names it. */
  statement?: number;
}

export interface KeyUseResult extends KeyUser {
  /** The KMS action S3 calls for this role: GenerateDataKey for uploads, Decrypt for downloads. */
  action: 'kms:GenerateDataKey' | 'kms:Decrypt';
  /** Allowed by the key policy with the object ARN as encryption context (no Bucket Key). */
  withoutBucketKey: boolean;
  /** Allowed with the bucket ARN as encryption context (S3 Bucket Key on). */
  withBucketKey: boolean;
}

export interface CrossCheck {
  bucket: string;
  keyArn: string;
  viaService: string;
  /** Writers and readers the check decided; with `complete: false` the work allowance ran out and the rest are left out (never reported as failing). */
  results: KeyUseResult[];
  complete: boolean;
}

const OBJECT_ACTIONS: Record<KeyUserRole, string> = { writer: 's3:PutObject', reader: 's3:GetObject' };

/** Does the statement's Resource take in some object of the bucket (`bucket/*`, `bucket/prefix/*`, `*`…)? */
function coversObjects(st: Statement, bucket: string): boolean {
  if (!st.resource) return st.notResource !== undefined; // NotResource: some object is left in, as a rule
  return st.resource.items.some(i => {
    if (typeof i.value !== 'string') return false;
    if (i.value === '*') return true;
    const arn = parseS3Arn(i.value);
    return arn !== undefined && arn.key !== undefined && matchesWildcard(bucket, arn.bucket);
  });
}

/** The writers and readers of a bucket that a bucket policy names, plus a principal of the key's account. */
export function bucketKeyUsers(
  doc: PolicyDocument,
  bucket: string,
  keyAccount: string | undefined,
  partition = 'aws',
): KeyUser[] {
  const out: KeyUser[] = [];
  const seen = new Set<string>();
  const add = (u: KeyUser) => {
    const id = `${u.role}|${u.label}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(u);
    }
  };
  /** Any principal of an account: the account root delegates to the account's IAM policies. */
  const accountUser = (role: KeyUserRole, account: string, statement?: number): KeyUser => ({
    role,
    principal: { kind: 'aws', arn: `arn:${partition}:iam::${account}:role/any-principal`, account },
    label: `principals of account ${account}`,
    statement,
  });
  for (const role of ['writer', 'reader'] as const) {
    if (keyAccount) add(accountUser(role, keyAccount));
    for (const st of doc.statements) {
      if (st.effect?.value !== 'Allow' || !coversAction(st, OBJECT_ACTIONS[role]) || !coversObjects(st, bucket)) continue;
      for (const value of principalValues(st, 'AWS')) {
        if (value === '*' || hasWildcard(value)) continue;
        const account = accountPrincipal(value);
        const arn = parseArn(value);
        if (account) add(accountUser(role, account, st.index));
        else if (arn && /^\d{12}$/.test(arn.account))
          add({ role, principal: { kind: 'aws', arn: value, account: arn.account }, label: value, statement: st.index });
      }
    }
  }
  return out;
}

/** Check every writer and reader of `bucket` against the key policy of `keyArn`. */
export function crossCheck(bucketDoc: PolicyDocument, bucket: string, keyArn: string, keyDoc: PolicyDocument): CrossCheck {
  const key = parseArn(keyArn);
  const partition = key?.partition || 'aws';
  const region = key?.region && !hasWildcard(key.region) ? key.region : 'us-east-1';
  const viaService = `s3.${region}.amazonaws.com`;
  const users = bucketKeyUsers(
    bucketDoc,
    bucket,
    key?.account && /^\d{12}$/.test(key.account) ? key.account : undefined,
    partition,
  );
  const objectArn = `arn:${partition}:s3:::${bucket}/example`;
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  // One allowance for every question: a bucket policy naming thousands of principals stays bounded.
  const budget = new Budget(DEFAULT_MAX_STEPS);
  const ask = keyPolicyAsker(keyDoc, { keyArn, budget });
  const results: KeyUseResult[] = [];
  for (const u of users) {
    const action = u.role === 'writer' ? 'kms:GenerateDataKey' : 'kms:Decrypt';
    const allowed = (context: string) =>
      ask(u.principal, action, {
        'kms:viaservice': viaService,
        'kms:encryptioncontext:aws:s3:arn': context,
        'kms:encryptioncontextkeys': ['aws:s3:arn'],
      }) !== undefined;
    const withoutBucketKey = allowed(objectArn);
    const withBucketKey = allowed(bucketArn);
    // A question cut short answers "not allowed" without knowing: leave this user out.
    if (budget.exhausted) break;
    results.push({ ...u, action, withoutBucketKey, withBucketKey });
  }
  return { bucket, keyArn, viaService, results, complete: !budget.exhausted };
}
