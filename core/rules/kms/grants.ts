// What KMS-001…005 and KMS-007 share: the account-root statement AWS's default key policy starts
// with, and the action groups of KMS-004/005.
import { accountPrincipal, dominantPartition } from '../../policy/arn';
import type { PolicyDocument, Statement } from '../../policy/model';
import { principalValues, coversAction } from '../model-lookups';
import { oncePerDocument } from '../../policy/memo';
import { addStatementsFix, freshSid } from '../templates';
import type { Fix } from '../types';
import { ownerAccount, principalAccount } from './key-policy-context';

/** AWS's "Enable IAM User Permissions" statement (KMS-DG key-policy-default). */
export function rootStatementJson(doc: PolicyDocument, account: string): string {
  const partition = dominantPartition(doc) ?? 'aws';
  const sid = freshSid(doc, 'Enable IAM User Permissions');
  return JSON.stringify({
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${account}:root` },
    Action: 'kms:*',
    Resource: '*',
  });
}

/** The fix that appends the account-root statement; undefined when the key's account is unknown. */
export function addRootStatementFix(doc: PolicyDocument): Fix | undefined {
  const account = keyAccount(doc);
  if (!account) return undefined;
  return addStatementsFix(`Add the account root statement ("Enable IAM User Permissions" for ${account})`, doc, [
    rootStatementJson(doc, account),
  ]);
}

/** The key's account: the key ARN's or the root statement's (ownerAccount), else the one account all principals belong to. */
export const keyAccount = oncePerDocument(
  (doc: PolicyDocument): string | undefined => ownerAccount(doc) ?? onlyNamedAccount(doc),
);

/** The account of the principals when they all belong to one account. */
function onlyNamedAccount(doc: PolicyDocument): string | undefined {
  const accounts = new Set(doc.statements.flatMap(st => principalValues(st, 'AWS').flatMap(v => principalAccount(v) ?? [])));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** Does the statement name the account root (or a bare account ID) as an AWS principal? */
export function namesAccountRoot(st: Statement, account?: string): boolean {
  return principalValues(st, 'AWS').some(v => {
    const a = accountPrincipal(v);
    return a !== undefined && (!account || a === account);
  });
}

/** The AWS principals a statement names that are roles, users or sessions (not account roots, not "*"). */
export const namedIdentities = (st: Statement): string[] =>
  principalValues(st, 'AWS').filter(v => v !== '*' && !accountPrincipal(v));

export const isAllow = (st: Statement): boolean => st.effect?.value === 'Allow';

/** Management actions that let a principal rewrite, disable, delete or re-grant the key (docs/design/aws-facts.md#kms-004). */
export const ADMIN_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:DisableKey',
  'kms:CreateGrant',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
] as const;
/** The cryptographic calls of a key user. */
export const CRYPTO_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
] as const;
/** What AWS's console gives key users (KMS-DG key-policy-default). */
export const USER_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] as const;

/** The actions of `candidates` an Allow statement grants (Action or NotAction, wildcards expanded). */
export function grantedOf(st: Statement, candidates: readonly string[]): string[] {
  return candidates.filter(a => coversAction(st, a));
}
