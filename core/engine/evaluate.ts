// Evaluating one request against one resource policy (docs/design/engine.md#evaluation, docs/design/aws-facts.md#eval-001…006).
//
// Requests always carry the IAM action that authorises them: multipart uploads
// (CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload), CopyObject and
// POST Object are all authorised as `s3:PutObject` (S3 User Guide mpuoverview; see
// API_NAME_TO_ACTION in knowledge/index.ts), so the request classes say `s3:PutObject` and
// nothing here maps API names to actions.
//
// This runs tens of thousands of times per keystroke, so every statement is compiled once into
// closures over prepared sets and RegExps (kept per Statement, policy/memo.ts); evaluating does no
// parsing and, on the common paths, no allocation.
import { accountPrincipal, assumedRoleSession, iamIdentity, parseArn } from '../policy/arn';
import type { PolicyDocument, PrincipalBlock, Statement, ValueList } from '../policy/model';
import { hasWildcard } from '../policy/wildcard';
import { documentNode, slot, statementNode, statementText } from '../policy/memo';
import {
  allOf,
  compileCondition,
  compilePatterns,
  not,
  type ConditionOptions,
  type RequestTest,
  type ValueTest,
} from './conditions';
import type { Applies, Evaluation, Request, RequestPrincipal } from '../../shared/types';
import { BoundedCache, stringBytes } from '../bounded-cache';

export type { ConditionOptions } from './conditions';

export interface CompiledStatement {
  readonly index: number;
  /** `Allow` or `Deny`; undefined when Effect is missing or not exactly one of them (then `applies` is always 'unknown'). */
  readonly effect: 'Allow' | 'Deny' | undefined;
  /** Does the statement apply to the request (Principal, Action, Resource and Condition all match)? */
  applies(request: Request): Applies;
  /** Does its Principal / NotPrincipal element alone take in the principal (conditions on principal keys aside)? */
  namesPrincipal(principal: RequestPrincipal): Applies;
  /** The principals a `Principal` element names one by one (not `*`, not NotPrincipal): what the principal index is built from. */
  readonly named?: PrincipalSet;
}

export interface CompiledPolicy {
  /** Policy variables are substituted (Version is exactly `2012-10-17`). */
  readonly variables: boolean;
  readonly statements: readonly CompiledStatement[];
  evaluate(request: Request): Evaluation;
  /**
   * The same policy for requests by one principal: only the statements whose Principal / NotPrincipal
   * can take it in (the others never apply to its requests). Asking many questions about one principal
   * of a policy with hundreds of statements, each naming someone else, then costs what the
   * principal's own statements cost.
   */
  forPrincipal(principal: RequestPrincipal): CompiledPolicy;
  /**
   * What the statements' Principal / NotPrincipal elements say about the principal, as a string:
   * two principals with the same signature are taken in by the same statements.
   */
  principalSignature(principal: RequestPrincipal): string;
}

// ---------------------------------------------------------------------------------------------
// Principal / NotPrincipal

/**
 * The identities AWS checks for a principal, from the account down (IAM-UG
 * reference_policies_elements_notprincipal: "AWS verifies the account, then the role, then the
 * assumed-role user"): the account; the role (account + role name) for a role or role session;
 * the exact ARN of a user, session or federated user.
 */
interface Identities {
  account: string;
  role?: string;
  arn?: string;
}

const roleKey = (account: string, name: string): string => `${account}/${name}`;

/** Keyed by ARNs from the documents: bounded by bytes. */
const identityCache = new BoundedCache<string, Identities>({ maxBytes: 1024 * 1024, sizeOf: k => 3 * stringBytes(k) });
function identitiesOf(p: { arn: string; account: string }): Identities {
  let ids = identityCache.get(p.arn);
  if (ids && ids.account === p.account) return ids;
  const session = assumedRoleSession(p.arn);
  const identity = session ? undefined : iamIdentity(p.arn);
  if (accountPrincipal(p.arn) !== undefined) ids = { account: p.account };
  else if (session) ids = { account: p.account, role: roleKey(session.account, session.role), arn: p.arn };
  else if (identity?.kind === 'role') ids = { account: p.account, role: roleKey(identity.arn.account, identity.name) };
  else ids = { account: p.account, arn: p.arn };
  identityCache.set(p.arn, ids);
  return ids;
}

/** What a Principal or NotPrincipal element names. */
interface PrincipalSet {
  everyone: boolean;
  accounts: Set<string>;
  roles: Set<string>;
  arns: Set<string>;
  services: Set<string>;
  /** `"Service": "*"`: not a documented form. */
  anyService: boolean;
}

/** Unique IDs (AIDA…, AROA…) stand in a policy for deleted users and roles: they match no request. */
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,}$/;

/** Read a Principal/NotPrincipal element; undefined when it is malformed (AWS rejects it, GRM-005). */
function principalSet(block: PrincipalBlock): PrincipalSet | undefined {
  const set: PrincipalSet = {
    everyone: block.star,
    accounts: new Set(),
    roles: new Set(),
    arns: new Set(),
    services: new Set(),
    anyService: false,
  };
  if (block.star) return set;
  if (block.node.type !== 'object' || block.entries.length === 0) return undefined;
  for (const entry of block.entries) {
    const type = entry.type.value;
    if (type !== 'AWS' && type !== 'Service' && type !== 'CanonicalUser' && type !== 'Federated') return undefined;
    if (entry.values.items.length === 0) return undefined;
    for (const item of entry.values.items) {
      const v = item.value;
      if (typeof v !== 'string') return undefined;
      if (type === 'Service') {
        if (v === '*') set.anyService = true;
        else set.services.add(v.toLowerCase());
        continue;
      }
      // Canonical users and federated (web identity / SAML) sessions are not among the request
      // classes: they name no request the engine builds.
      if (type !== 'AWS') continue;
      if (v === '*') {
        set.everyone = true;
        continue;
      }
      // "You cannot use a wildcard to match part of a principal name or ARN" (IAM-UG).
      if (hasWildcard(v)) return undefined;
      const account = accountPrincipal(v);
      if (account !== undefined) {
        set.accounts.add(account);
        continue;
      }
      const session = assumedRoleSession(v);
      if (session) {
        set.arns.add(v);
        continue;
      }
      const identity = iamIdentity(v);
      if (identity?.kind === 'role') set.roles.add(roleKey(identity.arn.account, identity.name));
      else if (identity?.kind === 'user') set.arns.add(v);
      else if (/^arn:[^:]+:sts::\d{12}:federated-user\/.+$/.test(v)) set.arns.add(v);
      else if (!UNIQUE_ID.test(v)) return undefined;
    }
  }
  return set;
}

/** Principal: some identity of the request's principal is named (a role names its sessions too). */
function namesAny(set: PrincipalSet, p: RequestPrincipal): Applies {
  if (set.everyone) return true;
  switch (p.kind) {
    case 'anonymous':
      return false;
    case 'service':
      return set.services.has(p.service.toLowerCase()) ? true : set.anyService ? 'unknown' : false;
    case 'aws': {
      const ids = identitiesOf(p);
      return (
        set.accounts.has(ids.account) ||
        (ids.role !== undefined && set.roles.has(ids.role)) ||
        (ids.arn !== undefined && set.arns.has(ids.arn))
      );
    }
  }
}

/**
 * NotPrincipal: the principal is exempt only when every identity of it is named — the account, the
 * role and the session for a role session (IAM-UG reference_policies_elements_notprincipal, GRM-006).
 */
function namesAll(set: PrincipalSet, p: RequestPrincipal): Applies {
  if (set.everyone) return true;
  switch (p.kind) {
    case 'anonymous':
      return false;
    case 'service':
      return set.services.has(p.service.toLowerCase()) ? true : set.anyService ? 'unknown' : false;
    case 'aws': {
      const ids = identitiesOf(p);
      return (
        set.accounts.has(ids.account) &&
        (ids.role === undefined || set.roles.has(ids.role)) &&
        (ids.arn === undefined || set.arns.has(ids.arn))
      );
    }
  }
}

const UNKNOWN: RequestTest = () => 'unknown';
type PrincipalTest = (p: RequestPrincipal) => Applies;
const UNKNOWN_PRINCIPAL: PrincipalTest = () => 'unknown';

function principalTest(st: Statement): { test: PrincipalTest; named?: PrincipalSet } {
  if (st.principal && st.notPrincipal) return { test: UNKNOWN_PRINCIPAL };
  // Both are missing: bucket and key policies require one (GRM-004).
  const block = st.principal ?? st.notPrincipal;
  if (!block) return { test: UNKNOWN_PRINCIPAL };
  const set = principalSet(block);
  if (!set) return { test: UNKNOWN_PRINCIPAL };
  if (st.principal)
    return set.everyone ? { test: () => true } : { test: p => namesAny(set, p), named: set.anyService ? undefined : set };
  return { test: set.everyone ? () => false : p => not(namesAll(set, p)) };
}

// ---------------------------------------------------------------------------------------------
// Action / NotAction, Resource / NotResource

/** Canonical actions arrive in a handful of spellings: lower-case each once. */
const lowerActions = new BoundedCache<string, string>({ maxBytes: 256 * 1024, sizeOf: k => 2 * stringBytes(k) });
function lowerAction(a: string): string {
  let l = lowerActions.get(a);
  if (l === undefined) {
    l = a.toLowerCase();
    lowerActions.set(a, l);
  }
  return l;
}

function listTest(list: ValueList, test: ValueTest, value: (r: Request) => string, negated: boolean): RequestTest {
  // `"Action": []` and the like: AWS rejects the statement.
  if (list.items.length === 0) return UNKNOWN;
  return negated ? r => not(test(value(r), r)) : r => test(value(r), r);
}

function actionTest(st: Statement): RequestTest {
  const list = st.action ?? st.notAction;
  if (!list || (st.action && st.notAction)) return UNKNOWN;
  const values = list.items.map(i => (typeof i.value === 'string' ? i.value.toLowerCase() : undefined));
  // Action names are case-insensitive (EVAL-005); lower-cased patterns meet lower-cased actions.
  const test = compilePatterns(values, { wildcards: true, variables: false });
  return listTest(list, test, r => lowerAction(r.action), st.notAction !== undefined);
}

const isKmsArn = (arn: string): boolean => parseArn(arn)?.service === 'kms';

function resourceTest(st: Statement, variables: boolean): RequestTest {
  if (st.resource && st.notResource) return UNKNOWN;
  const list = st.resource ?? st.notResource;
  // S3 rejects a bucket policy without Resource; a key-policy statement without one is accepted
  // but applies to no key (GRM-010).
  if (!list) return r => (isKmsArn(r.resource) ? false : 'unknown');
  const test = compilePatterns(
    list.items.map(i => (typeof i.value === 'string' ? i.value : undefined)),
    { wildcards: true, variables },
  );
  return listTest(list, test, r => r.resource, st.notResource !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Statements

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/** Elements AWS does not know, or written twice (which one AWS keeps is undocumented). */
function malformedElements(st: Statement): boolean {
  const seen = new Set<string>();
  for (const m of st.members) {
    const name = m.key.value;
    if (!STATEMENT_ELEMENTS.has(name) || seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

const compiledWithVariables = slot<Statement, CompiledStatement>(statementNode);
const compiledLiteral = slot<Statement, CompiledStatement>(statementNode);

/**
 * Compile a statement once: later calls with the same Statement object return the cached form.
 * `opts.variables` (default true) says whether policy variables are substituted.
 */
export function compileStatement(st: Statement, opts: ConditionOptions = {}): CompiledStatement {
  const variables = opts.variables !== false;
  const cache = variables ? compiledWithVariables : compiledLiteral;
  return cache.get(st) ?? cache.set(st, buildStatement(st, variables));
}

function buildStatement(st: Statement, variables: boolean): CompiledStatement {
  const e = st.effect?.value;
  // The Effect value is case-sensitive (GRM-003): anything else makes the statement unusable.
  const effect = e === 'Allow' || e === 'Deny' ? e : undefined;
  if (!effect || malformedElements(st)) return { index: st.index, effect, applies: UNKNOWN, namesPrincipal: UNKNOWN_PRINCIPAL };
  const { test: principal, named } = principalTest(st);
  // Cheapest and most selective first; a false anywhere decides (three-valued AND).
  const applies = allOf([
    actionTest(st),
    resourceTest(st, variables),
    r => principal(r.principal),
    compileCondition(st.condition, { variables }),
  ]);
  return { index: st.index, effect, applies, namesPrincipal: principal, named };
}

/** Does the statement apply to the request? */
export function statementApplies(st: Statement, request: Request, opts?: ConditionOptions): Applies {
  return compileStatement(st, opts).applies(request);
}

// ---------------------------------------------------------------------------------------------
// Policies

/** Policy variables work only with `"Version": "2012-10-17"`; without it or with 2008-10-17 they are literal text (GRM-002). */
export const policyVariablesEnabled = (doc: PolicyDocument): boolean => doc.version?.value === '2012-10-17';

const compiledPolicies = slot<PolicyDocument, CompiledPolicy>(documentNode);

/**
 * Compiled statements by their text, across versions of a document: a keystroke changes one
 * statement, and the others compile to the same closures (they hold values, never positions).
 * Bounded by an estimate of what the closures hold, proportional to the statement's text.
 */
const compiledByText = new BoundedCache<string, { withVariables?: CompiledStatement; literal?: CompiledStatement }>({
  maxBytes: 4 * 1024 * 1024,
  sizeOf: k => 6 * stringBytes(k) + 512,
});

/** Forget every earlier version's compiled statements (tests compare with a fresh analysis). */
export function clearCompiledStatements(): void {
  compiledByText.clear();
}

/** The statement's compiled form, from an earlier version of the document when its text is unchanged. */
function compileReusing(doc: PolicyDocument, st: Statement, variables: boolean): CompiledStatement {
  const cache = variables ? compiledWithVariables : compiledLiteral;
  const own = cache.get(st);
  if (own) return own;
  // With syntax errors the tolerant parser's reading of a statement can depend on what surrounds it.
  if (doc.syntaxErrors.length) return compileStatement(st, { variables });
  const text = statementText(doc, st);
  let kept = compiledByText.get(text);
  if (!kept) compiledByText.set(text, (kept = {}));
  let compiled = variables ? kept.withVariables : kept.literal;
  if (compiled) compiled = compiled.index === st.index ? compiled : { ...compiled, index: st.index };
  else if (variables) compiled = kept.withVariables = buildStatement(st, variables);
  else compiled = kept.literal = buildStatement(st, variables);
  return cache.set(st, compiled);
}

/** Compile every statement of a policy once (cached per document, and per statement text across versions). */
export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  const compiled = compiledPolicies.get(doc);
  if (compiled) return compiled;
  const variables = policyVariablesEnabled(doc);
  const statements = doc.statements.map(st => compileReusing(doc, st, variables));
  return compiledPolicies.set(doc, policyOf(variables, statements, true));
}

/**
 * Which statements can take in a principal, found by lookups instead of testing every statement:
 * statements that name principals one by one are indexed by the accounts, roles, ARNs and services
 * they name; the rest (`*`, NotPrincipal, malformed) are asked each time.
 */
class PrincipalIndex {
  private readonly others: number[] = [];
  private readonly byAccount = new Map<string, number[]>();
  private readonly byRole = new Map<string, number[]>();
  private readonly byArn = new Map<string, number[]>();
  private readonly byService = new Map<string, number[]>();

  constructor(private readonly statements: readonly CompiledStatement[]) {
    const add = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (!list) map.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    statements.forEach((s, i) => {
      const set = s.named;
      if (!set) {
        this.others.push(i);
        return;
      }
      for (const a of set.accounts) add(this.byAccount, a, i);
      for (const r of set.roles) add(this.byRole, r, i);
      for (const a of set.arns) add(this.byArn, a, i);
      for (const v of set.services) add(this.byService, v, i);
    });
  }

  /** Positions of the statements that can take the principal in, in order, each with what it says. */
  candidates(p: RequestPrincipal): { at: number[]; signature: string } {
    const named: number[] = [];
    if (p.kind === 'service') named.push(...(this.byService.get(p.service.toLowerCase()) ?? []));
    else if (p.kind === 'aws') {
      const ids = identitiesOf(p);
      named.push(...(this.byAccount.get(ids.account) ?? []));
      if (ids.role !== undefined) named.push(...(this.byRole.get(ids.role) ?? []));
      if (ids.arn !== undefined) named.push(...(this.byArn.get(ids.arn) ?? []));
    }
    let signature = '';
    const at = [...new Set(named)];
    for (const i of this.others) {
      const a = this.statements[i].namesPrincipal(p);
      signature += a === true ? '1' : a === false ? '0' : '?';
      if (a !== false) at.push(i);
    }
    at.sort((x, y) => x - y);
    return { at, signature: `${signature}|${at.join(',')}` };
  }
}

function policyOf(variables: boolean, statements: readonly CompiledStatement[], narrowable: boolean): CompiledPolicy {
  const narrowed = new WeakMap<RequestPrincipal, CompiledPolicy>();
  let index: PrincipalIndex | undefined;
  const self: CompiledPolicy = {
    variables,
    statements,
    evaluate: request => decide(statements, request),
    forPrincipal(principal) {
      if (!narrowable) return self;
      let n = narrowed.get(principal);
      if (!n) {
        n = policyOf(
          variables,
          (index ??= new PrincipalIndex(statements)).candidates(principal).at.map(i => statements[i]),
          false,
        );
        narrowed.set(principal, n);
      }
      return n;
    },
    principalSignature: principal => (index ??= new PrincipalIndex(statements)).candidates(principal).signature,
  };
  return self;
}

/**
 * EVAL-001: any applicable Deny → explicit-deny (with every such statement); else any applicable
 * Allow → allow (with every such statement); else implicit-deny. `undecided` when some statement
 * evaluated to 'unknown' (the decision then assumes it does not apply).
 */
function decide(statements: readonly CompiledStatement[], request: Request): Evaluation {
  let denies: number[] | undefined;
  let allows: number[] | undefined;
  let undecided = false;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    const r = s.applies(request);
    if (r === true) {
      if (s.effect === 'Deny') (denies ??= []).push(s.index);
      else (allows ??= []).push(s.index);
    } else if (r !== false) undecided = true;
  }
  if (denies) return { decision: 'explicit-deny', statements: denies, undecided };
  if (allows) return { decision: 'allow', statements: allows, undecided };
  return { decision: 'implicit-deny', statements: [], undecided };
}

/** Evaluate one request against one resource policy. */
export function evaluatePolicy(doc: PolicyDocument, request: Request): Evaluation {
  return compilePolicy(doc).evaluate(request);
}
