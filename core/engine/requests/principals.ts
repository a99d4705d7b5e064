// The principals of the request classes: who sends a request for a principal a policy names, the
// context keys that follow from it, and classes of principals the policy cannot tell apart.
import { parseArn, accountPrincipal, assumedRoleSession, iamIdentity, ACCOUNT_ID } from '../../policy/arn';
import type { RequestPrincipal } from '../../../shared/types';
import { PRINCIPAL_KEYS, type ContextValue } from './context-keys';

export function principalLabel(p: RequestPrincipal): string {
  return p.kind === 'anonymous' ? 'anonymous' : p.kind === 'aws' ? p.arn : p.service;
}

/**
 * Who sends the requests of a principal a policy names. A role never signs a request itself: its
 * sessions do (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`). `Principal` with the role's ARN takes
 * its sessions in; `NotPrincipal` with it does not spare them (IAM-UG
 * reference_policies_elements_notprincipal: name the session, and the role and account too). So a
 * named role stands in the request classes as one of its sessions; users, account roots and sessions
 * stand as themselves.
 */
export function requester(arn: string): string {
  const identity = iamIdentity(arn);
  if (identity?.kind !== 'role') return arn;
  return `arn:${identity.arn.partition}:sts::${identity.arn.account}:assumed-role/${identity.name}/${ROLE_SESSION}`;
}

/** The session name of the request classes' role sessions. */
export const ROLE_SESSION = 'session';

/** The principal a witness names: `anonymous`, an ARN (or a bare account ID), or a service principal name. */
export function principalFromLabel(label: string, partition = 'aws'): RequestPrincipal {
  if (label === 'anonymous') return { kind: 'anonymous' };
  if (ACCOUNT_ID.test(label)) return { kind: 'aws', arn: `arn:${partition}:iam::${label}:root`, account: label };
  const arn = parseArn(label);
  if (arn) return { kind: 'aws', arn: label, account: arn.account };
  return { kind: 'service', service: label };
}

function principalType(arn: string): string {
  if (accountPrincipal(arn)) return 'Account';
  const parsed = parseArn(arn);
  if (parsed?.service === 'sts' && parsed.resource.startsWith('federated-user/')) return 'FederatedUser';
  return iamIdentity(arn)?.kind === 'user' ? 'User' : 'AssumedRole';
}

/** The context keys that follow from the principal (PRINCIPAL_KEYS), lower-cased. */
export function principalContext(p: RequestPrincipal): Record<string, ContextValue> {
  switch (p.kind) {
    case 'anonymous':
      return { 'aws:principaltype': 'Anonymous' };
    case 'service':
      return {
        'aws:principalisawsservice': 'true',
        'aws:principalservicename': p.service,
        'aws:principalservicenameslist': [p.service],
      };
    case 'aws': {
      const session = assumedRoleSession(p.arn);
      const partition = parseArn(p.arn)?.partition ?? 'aws';
      const ctx: Record<string, ContextValue> = {
        // A session's aws:PrincipalArn is its role's ARN (IAM-UG, aws:PrincipalArn).
        'aws:principalarn': session ? `arn:${partition}:iam::${session.account}:role/${session.role}` : p.arn,
        'aws:principalaccount': p.account,
        'aws:principalisawsservice': 'false',
        'aws:principaltype': principalType(p.arn),
      };
      const identity = iamIdentity(p.arn);
      if (identity?.kind === 'user') ctx['aws:username'] = identity.name;
      return ctx;
    }
  }
}

/** Principals the policy cannot tell apart, asked once for all of them. */
export interface PrincipalClass {
  readonly representative: RequestPrincipal;
  readonly members: readonly RequestPrincipal[];
}

/**
 * Group principals by everything about them the policy can read: which statements' Principal /
 * NotPrincipal elements take them in, their kind (identity-only keys exist for IAM principals only),
 * and the value of every principal key (`aws:PrincipalArn`, `aws:PrincipalAccount`…) that a
 * condition reads; `also` adds what a caller sets from the principal (kms:CallerAccount, say).
 * Principals with the same signature get the same decision on every request, so a question asked of
 * the representative answers for the class: a key policy naming 500 administrators costs 500
 * signature checks and a few searches, not 500 searches over every statement.
 */
export function principalClasses(
  principals: readonly RequestPrincipal[],
  policy: { principalSignature(p: RequestPrincipal): string },
  referencedKeys: ReadonlySet<string>,
  also: (p: RequestPrincipal) => string = () => '',
): PrincipalClass[] {
  const keys = PRINCIPAL_KEYS.filter(k => referencedKeys.has(k));
  const groups = new Map<string, RequestPrincipal[]>();
  for (const p of principals) {
    let sig = `${p.kind}|${also(p)}|${policy.principalSignature(p)}`;
    if (keys.length) {
      const ctx = principalContext(p);
      for (const k of keys) sig += `|${JSON.stringify(ctx[k] ?? null)}`;
    }
    const g = groups.get(sig);
    if (g) g.push(p);
    else groups.set(sig, [p]);
  }
  return [...groups.values()].map(members => ({ representative: members[0], members }));
}
