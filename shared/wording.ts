// Requests in words, in one place. Every sentence that shows a request — a witness in a diagnostic,
// a row of the Explain report, a hover, the live view, the CLI — is built here, and its verb says
// what the engine decided about that request, never more:
//   denied      an explicit Deny of this policy applies;
//   allowed     an Allow of this policy applies and no Deny does;
//   not-denied  nothing in this policy applies: whether the call succeeds depends on what else grants
//               it (the caller's IAM policies, or for an anonymous caller an ACL). A reader must not
//               take it for "anyone can do this". A key policy is different: KMS refuses what the
//               key policy does not allow (only a grant can add to it), so there the same outcome
//               reads "is not allowed by the key policy".
import type { Decision, RequestPrincipal, UploadClass, Witness } from './types';

/**
 * How a value taken from a policy, a setting or an endpoint (a principal, an action, a resource, a
 * key ARN, a condition value) is written into a sentence: as it is for plain text, `escapeMarkdown`
 * where the sentence goes into Markdown. Our own words stay as they are either way.
 */
export type ShowValue = (value: string) => string;
export const asIs: ShowValue = value => value;

/** What the policy decides about a request, in the three words a reader needs. */
export type Outcome = 'denied' | 'allowed' | 'not-denied';

export const outcomeOf = (decision: Decision): Outcome =>
  decision === 'explicit-deny' ? 'denied' : decision === 'allow' ? 'allowed' : 'not-denied';

// ---------------------------------------------------------------------------------------------
// KMS keys, abbreviated one way everywhere

const UUID = /^(?:mrk-)?[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}$/i;

/**
 * A key ARN short enough for a CodeLens, a tree row or a table cell, and the same everywhere:
 * `key/1234abcd…` for a key ID (`key/mrk-1234abcd…` for a multi-Region key), `alias/name` for an
 * alias, the resource part otherwise (clipped); anything that is not a KMS ARN as it is.
 */
export function shortKeyArn(arn: string): string {
  const m = /^arn:[^:]*:kms:[^:]*:[^:]*:((key|alias)\/(.*))$/s.exec(arn);
  if (!m) return arn.length > 40 ? `${arn.slice(0, 39)}…` : arn;
  const [, resource, type, id] = m;
  if (type === 'key' && UUID.test(id)) return `key/${id.startsWith('mrk-') ? `mrk-${id.slice(4, 12)}` : id.slice(0, 8)}…`;
  return resource.length > 40 ? `${resource.slice(0, 39)}…` : resource;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** "an anonymous caller", an ARN, or "the service logging.s3.amazonaws.com". */
export function describePrincipal(p: unknown, show: ShowValue = asIs): string {
  if (p === 'anonymous') return 'an anonymous caller';
  const s = String(p);
  if (/^\d{12}$/.test(s)) return `account ${show(s)}`;
  if (s.includes(':')) return show(s);
  return `the service ${show(s)}`;
}

/** The same, from the engine's principal type. */
export const principalWords = (p: RequestPrincipal, show: ShowValue = asIs): string =>
  describePrincipal(p.kind === 'anonymous' ? 'anonymous' : p.kind === 'aws' ? p.arn : p.service, show);

/**
 * The request as a noun phrase: "an anonymous caller calling s3:ListBucket on arn:aws:s3:::b over
 * HTTP (s3:x-amz-server-side-encryption = AES256)".
 */
export function describeRequest(w: Witness, show: ShowValue = asIs): string {
  const extras: string[] = [];
  let transport: string | undefined;
  for (const [k, v] of Object.entries(w)) {
    if (k === 'principal' || k === 'action' || k === 'resource') continue;
    // Condition key names are case-insensitive: find aws:SecureTransport however it is spelt.
    if (k.toLowerCase() === 'aws:securetransport') transport = String(v);
    else extras.push(`${show(k)} = ${show(Array.isArray(v) ? (v.length ? v.join(', ') : '(empty list)') : String(v))}`);
  }
  const over = transport === 'false' ? ' over HTTP' : transport === 'true' ? ' over HTTPS' : '';
  return `${describePrincipal(w.principal, show)} calling ${show(String(w.action))} on ${show(String(w.resource))}${over}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** Who else decides a request this policy does not deny. */
function decidedElsewhere(principal: unknown): string {
  if (principal === 'anonymous')
    return 'it succeeds only if something else grants anonymous access, such as an Allow elsewhere or an ACL';
  const s = String(principal);
  if (!s.includes(':') && !/^\d{12}$/.test(s)) return "the service's own permissions decide";
  return "the caller's own IAM policies decide";
}

/** The name of the key policy in sentences: requests it does not allow are refused by KMS. */
export const KEY_POLICY = 'the key policy';

/** The verb phrase for an outcome: "is denied by this policy", "is allowed by this policy", "is not denied by this policy (…)". */
export function outcomeWords(outcome: Outcome, principal: unknown, policy = 'this policy'): string {
  switch (outcome) {
    case 'denied':
      return `is denied by ${policy}`;
    case 'allowed':
      return `is allowed by ${policy}`;
    case 'not-denied':
      return policy === KEY_POLICY
        ? `is not allowed by ${policy} (KMS refuses it unless a grant allows it)`
        : `is not denied by ${policy} (${decidedElsewhere(principal)})`;
  }
}

/** The request and what the policy decides about it, as a clause: "an anonymous caller calling … over HTTP is not denied by this policy (…)". */
export function requestClause(w: Witness, outcome: Outcome, show: ShowValue = asIs, policy?: string): string {
  return `${describeRequest(w, show)} ${outcomeWords(outcome, w.principal, policy)}`;
}

/** "uploads with aws:kms and key/1234abcd…" */
export function describeUploadClass(u: UploadClass, show: ShowValue = asIs): string {
  if (u.sse === 'none') return 'uploads without an encryption header';
  if (u.sse === 'SSE-C') return 'uploads with customer-provided keys (SSE-C)';
  const key =
    u.kmsKey === null
      ? u.sse === 'AES256'
        ? ''
        : ' and no key id'
      : u.kmsKey === 'other'
        ? ' and a key the policy does not name'
        : ` and ${show(shortKeyArn(u.kmsKey))}`;
  return `uploads with ${u.sse}${key}`;
}

/** A list typed into one input box, separated by commas or white space: `"a, b c"` → `["a", "b", "c"]`. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}
