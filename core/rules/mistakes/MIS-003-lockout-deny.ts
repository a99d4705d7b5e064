// MIS-003: a Deny statement that locks out everyone. Decided with the evaluator, not by text
// patterns: the rule builds the *normal* requests of each bucket the policy names and reports a Deny
// statement that applies to every one of them.
//
// Normal requests (built from the request classes of engine/requests/; for each Deny, the classes of
// that statement alone, which are complete for it — only what it mentions can change whether it
// applies — and stay small in a 20 KB policy with hundreds of principals and prefixes):
//   principals  every principal it names (a role as one of its sessions, which is how roles call S3,
//               so a NotPrincipal that lacks the session ARN does not exempt it), anonymous, another
//               principal of each account it names and one of a fresh account; AWS service
//               principals are left out (a Deny that spares only them still locks people out); the
//               message shows a principal the policy names (an administrator) when it is denied too;
//   calls       s3:GetObject on every object class, s3:ListBucket, s3:GetBucketPolicy and
//               s3:PutBucketPolicy on the bucket; s3:PutObject with aws:kms (and the key the policy's
//               Denies pin, if they name one) on every object class;
//   transport   HTTPS with TLS 1.3;
//   other keys  every value class the statement's condition keys have (absent, each literal, a fresh
//               value) — a lockout must hold whatever the caller's VPC endpoint, organization, tags…;
//               keys only AWS services send (aws:SourceArn, aws:SourceAccount…) are absent.
// A statement is a lockout when it applies (it is among the deciding Denies) to every normal request
// except possibly two kinds, which only change the wording: the root user's (the root user is still
// locked out of the data, but the "everyone except root" form is what a NotPrincipal that names the
// account but not the role sessions produces), and well-formed uploads (a `Null`/negated test on an
// SSE header with `s3:*` denies every call but the uploads that send the header: still a lockout).
//
// Network-origin keys (aws:SourceVpce, aws:SourceVpc, aws:SourceIp, …) get a softer, warning form:
// when the statement denies every normal request that does not come through what it names, but not
// those that do, it is a lockout only if some callers (administrators in the console, AWS services)
// do not use that network path.
//
// TLS-005 already reports an inverted aws:SecureTransport test on its value. This rule reports the
// same statement only when the evaluator finds that it denies every normal request (the lockout
// consequence, at the statement's Effect), says that TLS-005 reports the test, and offers the same
// flip (identical edits: "fix all" applies one of them).
//
// Work is bounded: the policy is compiled once (compilePolicy, shared with the verdict), and at most
// MAX_EVALUATIONS statement checks are made per analysis; a statement whose check would need more is
// not reported. A Deny that does not lock out usually fails on its first normal request (1–2 checks).
import { compilePolicy, type CompiledStatement } from '../../engine/evaluate';
import { ipInRange, parseCidr, parseIpAddress } from '../../engine/conditions';
import { PRINCIPAL_KEYS, SECURE_TRANSPORT, SSE_KEYS } from '../../engine/requests/context-keys';
import { type KeyDomain } from '../../engine/requests/key-domains';
import {
  applyTransport,
  applyUpload,
  baseRequest,
  enumerateRequests,
  keyLevel,
  principalLevel,
  type Level,
} from '../../engine/requests/levels';
import { principalContext } from '../../engine/requests/principals';
import { requestClasses, type RequestClasses, type UploadSpec } from '../../engine/requests/request-classes';
import { isDeny, statementKeys } from '../../engine/requests/statements';
import { requestToWitness } from '../../engine/requests/witnesses';
import type { Budget } from '../../engine/budget';
import type { Request, RequestPrincipal, Witness } from '../../../shared/types';
import { policyBuckets } from '../../engine/verdict';
import { isKeyPrefixCovered, lookupConditionKey, suggestConditionKey } from '../../knowledge';
import { accountPrincipal, iamIdentity, parseArn } from '../../policy/arn';
import type { ConditionEntry, PolicyDocument, Statement } from '../../policy/model';
import { parseOperator, type ParsedOperator } from '../../policy/operators';
import { hasWildcard, matchesWildcard } from '../../policy/wildcard';
import { isInvertedDeny, looseBool, transportTests } from '../transport/shared';
import type { Fix, Rule, TextEditSpan } from '../types';
import { asIs, requestClause } from '../../../shared/wording';
import { clip } from '../../../shared/escape';
import { capitalizedStatementLabel, isEveryone, show, stringItems } from '../util';

/** Statement checks per analysis (ENGINE.md §5: analysis runs on every keystroke). */
const MAX_EVALUATIONS = 600;

/** Where a request comes from on the network: callers outside what the policy names are common (console users, AWS services). */
const NETWORK_KEYS = new Set(['aws:sourcevpce', 'aws:sourcevpc', 'aws:sourcevpcarn', 'aws:sourceip', 'aws:vpcsourceip']);
const IP_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip']);
/** Keys in the request context only when an AWS service calls on a resource owner's behalf: never in a principal's own request. */
const SERVICE_ONLY_KEYS = new Set(['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid', 'aws:sourceorgpaths']);

// ---------------------------------------------------------------------------------------------
// The normal requests

interface NormalPrincipal {
  principal: RequestPrincipal;
  /** An account's root user (`arn:…:iam::ACCOUNT:root`). */
  root: boolean;
  /** Named by the policy (not anonymous, not one of the engine's "other principal"s). */
  named: boolean;
}

interface NormalCall {
  action: string;
  resource: string;
}

/** Roles call S3 through sessions: `arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION`. */
const sessionOf = (partition: string, account: string, role: string): string =>
  `arn:${partition}:sts::${account}:assumed-role/${role}/session`;

/** The principals of normal traffic, those the policy names first (exemptions name them: a failing check ends sooner), root users last. */
function normalPrincipals(classes: RequestClasses): NormalPrincipal[] {
  const out: NormalPrincipal[] = [];
  const seen = new Set<string>();
  const add = (principal: RequestPrincipal, root: boolean, named: boolean) => {
    const id = principal.kind === 'aws' ? principal.arn : principal.kind;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ principal, root, named });
  };
  for (const p of classes.principals) {
    if (p.kind === 'service') continue;
    if (p.kind === 'anonymous') {
      add(p, false, false);
      continue;
    }
    const named = !/:role\/other-principal(?:-2)?$/.test(p.arn);
    if (accountPrincipal(p.arn) !== undefined) {
      add(p, true, named);
      continue;
    }
    const identity = iamIdentity(p.arn);
    if (identity?.kind === 'role') {
      const partition = parseArn(p.arn)?.partition ?? classes.partition;
      add({ kind: 'aws', arn: sessionOf(partition, identity.arn.account, identity.name), account: p.account }, false, named);
    } else add(p, false, named);
  }
  const rank = (n: NormalPrincipal) => (n.root ? 3 : n.named ? 0 : n.principal.kind === 'anonymous' ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b));
}

/**
 * The IAM principals (not root users) the policy's Principal and NotPrincipal elements name, roles
 * as sessions, in order: the ones a message would rather show than an anonymous caller.
 */
function namedPrincipals(doc: PolicyDocument): NormalPrincipal[] {
  const out: NormalPrincipal[] = [];
  const seen = new Set<string>();
  for (const st of doc.statements) {
    for (const block of [st.principal, st.notPrincipal]) {
      for (const e of block?.entries ?? []) {
        if (e.type.value !== 'AWS') continue;
        for (const i of stringItems(e.values)) {
          if (hasWildcard(i.value) || i.value.includes('${')) continue;
          const identity = iamIdentity(i.value);
          if (!identity) continue;
          const arn = identity.kind === 'role' ? sessionOf(identity.arn.partition, identity.arn.account, identity.name) : i.value;
          if (seen.has(arn)) continue;
          seen.add(arn);
          out.push({ principal: { kind: 'aws', arn, account: identity.arn.account }, root: false, named: true });
          if (out.length >= 4) return out;
        }
      }
    }
  }
  return out;
}

/** An upload as a well-behaved client sends it: aws:kms, with the key the policy's Denies pin when they name one. */
function normalUpload(denyClasses: RequestClasses): UploadSpec | undefined {
  return (
    denyClasses.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey !== null && u.kmsKey !== 'other') ??
    denyClasses.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey === null)
  );
}

function normalCalls(classes: RequestClasses): NormalCall[] {
  return [
    ...classes.objectArns.map(resource => ({ action: 's3:GetObject', resource })),
    { action: 's3:ListBucket', resource: classes.bucketArn },
    { action: 's3:GetBucketPolicy', resource: classes.bucketArn },
    { action: 's3:PutBucketPolicy', resource: classes.bucketArn },
    ...classes.objectArns.map(resource => ({ action: 's3:PutObject', resource })),
  ];
}

function callLevel(calls: readonly NormalCall[], upload: () => UploadSpec | undefined, current: { call?: NormalCall }): Level {
  return {
    name: 'call',
    dims: ['action', 'resource', ...SSE_KEYS],
    *assign(req) {
      for (const c of calls) {
        req.action = c.action;
        req.resource = c.resource;
        applyUpload(req, c.action === 's3:PutObject' ? upload() : undefined);
        current.call = c;
        yield;
      }
      applyUpload(req, undefined);
      current.call = undefined;
    },
  };
}

/** The literals a statement compares a key with (for the network keys' "outside" values). */
function keyLiterals(st: Statement, key: string): string[] {
  const out: string[] = [];
  for (const ob of st.condition?.operators ?? []) {
    for (const e of ob.entries)
      if (e.key.value.toLowerCase() === key) for (const i of e.values.items) if (typeof i.value === 'string') out.push(i.value);
  }
  return out;
}

/** Does a request value of a network key fall inside something the policy names (an endpoint, a VPC, a CIDR)? */
function insideNamed(key: string, value: string, literals: readonly string[]): boolean {
  if (IP_KEYS.has(key)) {
    const address = parseIpAddress(value);
    if (!address) return false;
    return literals.some(l => {
      const r = parseCidr(l.trim());
      return !!r && ipInRange(address, r);
    });
  }
  return literals.some(l => matchesWildcard(value, l, { ignoreCase: true }));
}

/** A network key's values for a request that comes through nothing the policy names: absent, or a value outside every literal. */
function outsideValues(st: Statement, d: KeyDomain): KeyDomain {
  const literals = keyLiterals(st, d.key);
  const values = d.values.filter(
    v =>
      v === undefined ||
      (typeof v === 'string' ? !insideNamed(d.key, v, literals) : v.every(x => !insideNamed(d.key, x, literals))),
  );
  return { ...d, values };
}

// ---------------------------------------------------------------------------------------------
// The check

interface Lockout {
  /** `error`: whatever the request's origin; `warning`: for every request that does not come through the network path the statement names. */
  tier: 'error' | 'warning';
  /** Some root user's normal request is not denied. */
  rootExempt: boolean;
  /** Some well-formed upload is not denied. */
  uploadsPass: boolean;
  /** One denied normal request, preferably by a principal the policy names. */
  witness: Witness;
}

type Outcome =
  | { locked: true; rootExempt: boolean; uploadsPass: boolean; example: Request }
  | { locked: false }
  | { abandoned: true; locked: false };

/**
 * Does the statement apply to every normal request (roots' and uploads only noted)? `keys` are the
 * key levels to enumerate; `requiredOnly` skips roots and uploads.
 */
function sweep(
  s: CompiledStatement,
  classes: RequestClasses,
  calls: readonly NormalCall[],
  upload: () => UploadSpec | undefined,
  principals: readonly NormalPrincipal[],
  keys: readonly KeyDomain[],
  budget: Budget,
  requiredOnly: boolean,
): Outcome {
  const current: { call?: NormalCall } = {};
  const info = new Map(principals.map(p => [p.principal, p]));
  const levels: Level[] = [
    principalLevel(principals.map(p => p.principal)),
    callLevel(calls, upload, current),
    ...keys.map(keyLevel),
  ];
  const base = baseRequest(classes);
  applyTransport(base, { secure: true, tls: '1.3' });
  let rootExempt = false;
  let uploadsPass = false;
  let example: Request | undefined;
  let exampleRank = Infinity;
  const skip = (req: Request, level: number): boolean => {
    const p = info.get(req.principal);
    if (level === 0) return !!p?.root && (requiredOnly || rootExempt);
    if (level === 1) return current.call?.action === 's3:PutObject' && (requiredOnly || uploadsPass || !!p?.root);
    return false;
  };
  for (const req of enumerateRequests(levels, base, skip)) {
    if (!budget.take()) return { abandoned: true, locked: false };
    const denied = s.applies(req) === true;
    const p = info.get(req.principal);
    if (req.action === 's3:PutObject') {
      if (!denied) uploadsPass = true;
      continue;
    }
    if (p?.root) {
      if (!denied) rootExempt = true;
      continue;
    }
    if (!denied) return { locked: false };
    const rank = p?.named ? 0 : p?.principal.kind === 'anonymous' ? 2 : 1;
    if (rank < exampleRank) {
      exampleRank = rank;
      example = { principal: req.principal, action: req.action, resource: req.resource, context: { ...req.context } };
    }
  }
  return example ? { locked: true, rootExempt, uploadsPass, example } : { locked: false };
}

/** Does the statement read who sends the request (beyond Principal "*")? */
function readsPrincipal(st: Statement, keys: ReadonlySet<string>, classes: RequestClasses): boolean {
  if (!isEveryone(st)) return true;
  for (const k of keys) {
    if (PRINCIPAL_KEYS.includes(k)) return true;
    if (classes.keys.find(d => d.key === k)?.scope === 'identity') return true;
  }
  return false;
}

/** What the lockout check needs besides the statement: the normal upload and the principals a message would rather show. */
interface PolicyContext {
  /** The normal upload (lazily: most Denies are settled before an upload is tried). */
  upload(): UploadSpec | undefined;
  /** Principals the whole policy names (lazily: only a finding shows one). */
  shown(): readonly NormalPrincipal[];
}

/**
 * Is the statement a lockout for the bucket? Its request classes come from the statement alone:
 * only what it mentions can change whether it applies (ENGINE.md §2), which keeps the work small
 * in a 20 KB policy with hundreds of principals and object prefixes.
 */
function lockoutOf(
  doc: PolicyDocument,
  st: Statement,
  s: CompiledStatement,
  bucket: string,
  policy: PolicyContext,
  budget: Budget,
): Lockout | undefined {
  const classes = requestClasses(doc, bucket, { statements: x => x === st });
  const keys = statementKeys(st);
  let principals = normalPrincipals(classes);
  if (!readsPrincipal(st, keys, classes)) {
    // Every principal fares alike: check one.
    const one = principals.find(p => !p.root);
    if (!one) return undefined;
    principals = [one];
  }
  const calls = normalCalls(classes);
  const domains = classes.keys.filter(d => keys.has(d.key));
  const serviceOnly = (d: KeyDomain): KeyDomain => (SERVICE_ONLY_KEYS.has(d.key) ? { ...d, values: [undefined] } : d);
  const outside = domains.map(d => (NETWORK_KEYS.has(d.key) ? outsideValues(st, serviceOnly(d)) : serviceOnly(d)));
  const first = sweep(s, classes, calls, policy.upload, principals, outside, budget, false);
  if (!first.locked) return undefined;
  let tier: Lockout['tier'] = 'error';
  if (outside.some((d, i) => d.values.length !== domains[i].values.length && NETWORK_KEYS.has(d.key))) {
    // Denied from outside: is it also denied through what the statement names?
    const all = sweep(s, classes, calls, policy.upload, principals, domains.map(serviceOnly), budget, true);
    if ('abandoned' in all) return undefined;
    if (!all.locked) tier = 'warning';
  }
  // Show a principal the policy names (an administrator, typically), when the statement denies it too.
  let example = first.example;
  const current = principals.find(p => p.principal === example.principal);
  if (!current?.named) {
    for (const shown of policy.shown()) {
      const req: Request = { ...example, principal: shown.principal, context: { ...example.context } };
      for (const k of PRINCIPAL_KEYS) delete (req.context as Record<string, unknown>)[k];
      Object.assign(req.context, principalContext(shown.principal));
      if (!budget.take()) break;
      if (s.applies(req) === true) {
        example = req;
        break;
      }
    }
  }
  const rootExempt = principals.length === 1 ? false : first.rootExempt;
  return { tier, rootExempt, uploadsPass: first.uploadsPass, witness: requestToWitness(example, keys, classes.keyNames) };
}

// ---------------------------------------------------------------------------------------------
// Wording

const list = (items: readonly string[], join = 'or'): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${join} ${items[items.length - 1]}`;

const quotedValues = (entry: ConditionEntry): string[] =>
  entry.values.items.map(i => (typeof i.value === 'string' ? i.value : show(i.value)));

/** `"Op": {"key": value}` as written. */
const testText = (op: string, entry: ConditionEntry): string =>
  `"${op}": {"${entry.key.value}": ${entry.values.items.length === 1 ? show(entry.values.items[0].value) : show(entry.values.items.map(i => i.value))}}`;

/** Who the statement names, in words. */
function whoWords(st: Statement): string {
  if (isEveryone(st)) return 'everyone';
  const named = (st.principal ?? st.notPrincipal)?.entries.flatMap(e => stringItems(e.values).map(i => i.value)) ?? [];
  if (st.notPrincipal) return `everyone except ${list(named, 'and')}`;
  return list(named, 'and') || 'the principals it names';
}

/** What it names, in words. */
function whatWords(st: Statement): string {
  const actions = stringItems(st.action ?? st.notAction).map(i => i.value);
  if (st.notAction) return `every action except ${list(actions, 'and')}`;
  if (actions.some(a => /^(?:s3:)?\*+$/i.test(a))) return 'every S3 action';
  return list(actions, 'and');
}

interface ConditionWords {
  /** When the statement applies, one phrase per condition test ("whenever the request uses HTTPS (…)"). */
  when: string[];
  /** Why a test holds for ordinary requests, when that is not evident: whole sentences. */
  notes: string[];
  /** The Deny fires on HTTPS (TLS-005's inverted test). */
  inverted: boolean;
  /** It tests an SSE header outside the uploads that carry it. */
  sse: boolean;
  /** Misspelt keys, with a suggestion when there is one. */
  unknownKeys: { key: string; suggestion?: string }[];
  /** The network origins it requires (for the warning form). */
  network: string[];
}

/** When each condition test holds, in words, and why it holds for ordinary requests. */
function conditionWords(st: Statement): ConditionWords {
  const out: ConditionWords = { when: [], notes: [], inverted: false, sse: false, unknownKeys: [], network: [] };
  const tests = transportTests(st);
  const httpsTests = new Set(tests.filter(t => t.matches === 'https').map(t => t.entry));
  const alwaysTests = new Set(tests.filter(t => t.matches === 'both').map(t => t.entry));
  let sseNoted = false;
  for (const ob of st.condition?.operators ?? []) {
    const op: ParsedOperator | undefined = parseOperator(ob.operator.value);
    for (const entry of ob.entries) {
      const key = entry.key.value.toLowerCase();
      const text = testText(ob.operator.value, entry);
      if (key === SECURE_TRANSPORT && httpsTests.has(entry)) {
        out.inverted = true;
        out.when.push(`whenever the request uses HTTPS (${text})`);
      } else if (key === SECURE_TRANSPORT && alwaysTests.has(entry)) {
        out.when.push(`when ${text}`);
        out.notes.push('aws:SecureTransport is in every request ("true" or "false"), so that test is always true.');
      } else if (SSE_KEYS.includes(key)) {
        out.sse = true;
        const nullTrue = op?.family === 'Null' && entry.values.items.some(i => looseBool(i.value) === true);
        if (nullTrue) out.when.push(`whenever the request has no ${entry.key.value} header (${text})`);
        else {
          out.when.push(`when ${text}`);
          out.notes.push(`That test is true whenever the request has no ${entry.key.value} header.`);
        }
        if (!sseNoted)
          out.notes.push('Only uploads (s3:PutObject) can send the encryption headers, so every other request matches.');
        sseNoted = true;
      } else if (!lookupConditionKey(entry.key.value) && isKeyPrefixCovered(entry.key.value)) {
        const suggestion = suggestConditionKey(entry.key.value);
        out.unknownKeys.push({ key: entry.key.value, suggestion });
        out.when.push(`when ${text}`);
        out.notes.push(
          `"${entry.key.value}" is not a condition key AWS knows${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: it is never in a request, so that test is always true.`,
        );
      } else if (NETWORK_KEYS.has(key) && op?.negated) {
        const values = list(quotedValues(entry));
        const where =
          key === 'aws:sourcevpce'
            ? `through VPC endpoint ${values}`
            : key === 'aws:sourcevpc' || key === 'aws:sourcevpcarn'
              ? `from VPC ${values}`
              : `from ${values}`;
        out.network.push(where);
        out.when.push(`whenever the request does not come ${where} (${text})`);
      } else if (SERVICE_ONLY_KEYS.has(key)) {
        out.when.push(`when ${text}`);
        out.notes.push(
          `${entry.key.value} is only in requests an AWS service makes on a resource owner's behalf: a principal's own request never has it, so that test is true for all of them.`,
        );
      } else out.when.push(`when ${text}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fix: flip an inverted aws:SecureTransport test (the same edits as TLS-005's)

function flipFix(st: Statement): Fix | undefined {
  if (!isInvertedDeny(st)) return undefined;
  const edits: TextEditSpan[] = [];
  for (const t of transportTests(st).filter(t => t.matches === 'https')) {
    for (const item of t.entry.values.items) {
      const b = looseBool(item.value);
      if (b === undefined) return undefined;
      edits.push({ span: item.span, newText: typeof item.value === 'boolean' ? String(!b) : `"${!b}"` });
    }
  }
  if (edits.length === 0) return undefined;
  // No re-analysis needed: the statement's aws:SecureTransport tests are ANDed, and after the flip
  // one of them matches HTTP requests only, so the statement can no longer apply to any normal
  // (HTTPS) request.
  // Safe, as TLS-005's flip: the inverted test is never meant, and the flipped Deny refuses only HTTP.
  return { title: 'Deny when "aws:SecureTransport" is false (requests over HTTP)', edits, preferred: true, safe: true };
}

// ---------------------------------------------------------------------------------------------
// The rule

export const mis003: Rule = {
  meta: {
    id: 'MIS-003',
    title: 'Deny statements that lock out everyone',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'An explicit Deny overrides every Allow, administrators\' included. A Deny whose condition is true for normal traffic — "Bool": {"aws:SecureTransport": "true"} (inverted), "Null" on an encryption header with "s3:*" (only uploads send it), a negated test on a misspelt key (never present, so always true), "StringNotEquals" on aws:SourceVpce when not every caller uses that endpoint, or a NotPrincipal that omits the role session ARNs — denies every caller, and nobody can read the data or change the policy any more. Only the account\'s root user can recover: it can always get, put or delete the bucket policy (API_DeleteBucketPolicy).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      lockout: {
        summary: '{statement} locks {who} out of bucket "{bucket}".',
        detail:
          'It locks out {callers}: {matches}, which every ordinary request matches.{notes} For example, {request}.{uploads} ' +
          "An explicit Deny overrides every Allow, administrators' included; recovery then needs the account's root user, which can always get, put or delete the bucket policy. {advice}",
      },
      networkLockout: {
        summary: '{statement} may lock out callers that do not come {where}.',
        detail:
          'It denies every ordinary request that does not come {fullWhere}: {matches}.{notes} For example, {request}. ' +
          'Unless every caller, including administrators and AWS services, uses that {path}, this locks them out. ' +
          "An explicit Deny overrides every Allow, administrators' included; recovery then needs the account's root user, which can always get, put or delete the bucket policy. " +
          'Exempt the administrators and service principals that do not use that {path} (for example with ArnNotLike on aws:PrincipalArn), or make sure every caller does.',
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    const compiled = compilePolicy(doc);
    // Compiled statements line up with doc.statements, not with Statement indexes (a non-object entry of the array has an index but no statement).
    const compiledOf = new Map(doc.statements.map((st, i) => [st, compiled.statements[i]]));
    const candidates = doc.statements.filter(st => compiledOf.get(st)?.effect === 'Deny' && st.effect);
    if (candidates.length === 0) return;
    const buckets = ctx.bucketName ? [ctx.bucketName] : policyBuckets(doc);
    const budget = ctx.budget.slice(MAX_EVALUATIONS);
    const reported = new Set<Statement>();
    for (const bucket of buckets) {
      let shown: NormalPrincipal[] | undefined;
      let upload: { spec: UploadSpec | undefined } | undefined;
      const policy: PolicyContext = {
        upload: () => (upload ??= { spec: normalUpload(requestClasses(doc, bucket, { statements: isDeny })) }).spec,
        shown: () => (shown ??= namedPrincipals(doc)),
      };
      for (const st of candidates) {
        if (reported.has(st)) continue;
        const lockout = lockoutOf(doc, st, compiledOf.get(st)!, bucket, policy, budget);
        if (!lockout) continue;
        reported.add(st);
        const words = conditionWords(st);
        const data = {
          statement: capitalizedStatementLabel(st),
          bucket,
          matches: `it denies ${whoWords(st)} ${whatWords(st)} on bucket "${bucket}" ${words.when.length ? words.when.join(' and ') : 'unconditionally'}`,
          notes: words.notes.length ? ` ${words.notes.join(' ')}` : '',
          request: requestClause(lockout.witness, 'denied', asIs, 'this statement'),
        };
        if (lockout.tier === 'warning') {
          const where = list(words.network, 'and') || 'through the network path it names';
          ctx.report({
            span: st.effect!.span,
            severity: 'warning',
            messageId: 'networkLockout',
            data: {
              ...data,
              where: clip(where, 45),
              fullWhere: where,
              path: where.startsWith('through VPC endpoint') ? 'endpoint' : 'network path',
            },
          });
          continue;
        }
        let advice: string;
        // Only the inverted test has an unambiguous repair. A misspelt key is GRM-017's (a rename to
        // confirm), an encryption test on every action ENC-012's (narrow to uploads), a NotPrincipal
        // GRM-006's; any other lockout needs the author's intent.
        const fix = words.inverted ? flipFix(st) : undefined;
        if (words.inverted)
          advice =
            'Deny when "aws:SecureTransport" is "false" (requests over HTTP) instead; TLS-005 reports the inverted test itself.';
        else if (words.unknownKeys.length)
          advice = `Correct the condition key${words.unknownKeys.length > 1 ? 's' : ''} ${list(
            words.unknownKeys.map(u => `"${u.key}"`),
            'and',
          )}.`;
        else if (words.sse)
          advice =
            'Narrow its Action to "s3:PutObject" (only uploads carry the encryption headers) and its Resource to the objects ("…/*").';
        else if (st.notPrincipal)
          advice =
            'A NotPrincipal exempts a role\'s requests only when it lists the account, the role and the role\'s session ARNs: use "Principal": "*" with an ArnNotLike condition on aws:PrincipalArn for the principals to exempt (GRM-006).';
        else advice = 'Narrow its Principal, Action, Resource or Condition to the requests it is meant to refuse.';
        ctx.report({
          span: st.effect!.span,
          messageId: 'lockout',
          data: {
            ...data,
            who: lockout.rootExempt ? 'everyone but the root user' : 'everyone',
            callers: lockout.rootExempt ? 'every caller except the account root user' : 'every caller',
            uploads: lockout.uploadsPass ? ' Only well-formed uploads (s3:PutObject with aws:kms) get past it.' : '',
            advice: advice + (fix ? '' : ' (No automatic fix: narrowing it needs your intent.)'),
          },
          fixes: fix ? [fix] : [],
        });
      }
    }
  },
};
