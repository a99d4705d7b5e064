// The key-policy verdict (docs/design/engine.md#key-policy-verdict): who can administer the key, whether anyone
// outside the accounts the policy names (or an anonymous caller) may use it, and whether S3 can use it
// on behalf of the accounts the policy names. Decided like bucket verdicts: by evaluating the policy
// over the request classes it implies (a key policy is a resource policy whose Resource "*" is the
// key itself), with a witness for every finding.
import type { PolicyDocument, Statement } from '../policy/model';
import { coversAction, principalValues } from '../policy/statement';
import { accountPrincipal, parseArn, parseKeyArn } from '../policy/arn';
import { hasWildcard, compileWildcard, type WildcardMatcher } from '../policy/wildcard';
import { allActions, keyAppliesToAction, type ActionInfo } from '../knowledge';
import { compilePolicy, type CompiledPolicy } from './evaluate';
import { Budget, DEFAULT_MAX_STEPS } from './budget';
import { FRESH_ACCOUNT } from './requests/context-keys';
import { type KeyDomain } from './requests/key-domains';
import { enumerateRequests, keyLevel, type Level } from './requests/levels';
import { principalClasses, principalContext, principalLabel } from './requests/principals';
import { requestClasses, type RequestClasses } from './requests/request-classes';
import { requestToWitness, witnessToRequest } from './requests/witnesses';
import type { Decision, KeyPolicyVerdict, Request, RequestPrincipal, Witness } from '../../shared/types';
import { statementLabels, type ExplainClass, type ExplainedRequest, type ExplainGrid, type GridPrincipal } from './verdict';
import { BoundedCache, stringBytes } from '../bounded-cache';

const CALLER_ACCOUNT = 'kms:calleraccount';
const VIA_SERVICE = 'kms:viaservice';
const ORG_KEYS = ['aws:principalorgid', 'aws:principalorgpaths'];
/** The key's actions S3 calls for SSE-KMS: GenerateDataKey on upload, Decrypt on download and multipart (docs/design/aws-facts.md#kms-005). */
export const S3_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;
const FALLBACK_REGION = 'us-east-1';

export interface KeyVerdictOptions {
  /** The work allowance to draw from (shared by a whole analysis); when absent, a fresh one of `maxSteps`. */
  budget?: Budget;
  /** Work cap in statement checks (see Budget) when no `budget` is given. Past it the verdict is `complete: false`. */
  maxSteps?: number;
  /**
   * The ARN of the key the policy is attached to, when it is known (a live key read from KMS): the
   * requests target it, and S3 calls it from its region (`kms:ViaService` = `s3.<its region>.amazonaws.com`).
   * Without it both are guessed from the policy (targetKey, keyRegion).
   */
  keyArn?: string;
}

export interface KeyPolicyAnalysis {
  verdict: KeyPolicyVerdict;
  /** The key ARN requests were made against (the given keyArn, else from Resource when the policy names one, else made up). */
  keyArn: string;
  /** The region S3 requests come from (`kms:ViaService` = `s3.<region>.amazonaws.com`). */
  region: string;
  /** Accounts the policy names (principals, kms:CallerAccount / aws:PrincipalAccount values). */
  accounts: readonly string[];
  /** Statement checks used (see Budget). */
  steps: number;
}

/** The AWS principals a statement names, account IDs as root ARNs; `*` for everyone. */
function namedPrincipals(st: Statement | undefined): string[] {
  if (!st) return [];
  const out = principalValues(st, 'AWS').map(v => {
    const account = accountPrincipal(v);
    return account ? `arn:${parseArn(v)?.partition ?? 'aws'}:iam::${account}:root` : v;
  });
  if (st.principal?.star) out.push('*');
  return out;
}

/** A principal as the policy writes it: a role rather than the session that stands for it. */
const writtenLabel = (p: RequestPrincipal): string => (p.kind === 'aws' && p.written) || principalLabel(p);

/** The 12-digit account of a principal, when it has one. */
const accountOf = (p: RequestPrincipal): string | undefined => (p.kind === 'aws' ? p.account : undefined);

/** KMS actions that act on a key (the ones a key policy authorises; account-level ones are IAM-only, KMS-013). */
let keyActionsCache: readonly ActionInfo[] | undefined;
function keyActions(): readonly ActionInfo[] {
  return (keyActionsCache ??= allActions('kms').filter(a => a.resourceTypes.some(r => r.name === 'key')));
}

/**
 * The key actions grouped by what the policy can tell apart (its Action/NotAction patterns and the
 * condition keys it reads), one representative each; the representatives of well-known actions first.
 */
const representativesCache = new BoundedCache<string, string[]>({
  maxBytes: 1024 * 1024,
  sizeOf: (k, v) => stringBytes(k) + 64 * v.length,
});
function actionRepresentatives(doc: PolicyDocument, keys: readonly string[]): string[] {
  const names = new Set<string>();
  for (const st of doc.statements) {
    for (const list of [st.action, st.notAction]) {
      for (const i of list?.items ?? []) if (typeof i.value === 'string') names.add(i.value.toLowerCase());
    }
  }
  // Policies change a character at a time: their action patterns rarely do.
  const cacheKey = `${[...names].join('\n')}\u0000${keys.join('\n')}`;
  const hit = representativesCache.get(cacheKey);
  if (hit) return hit;
  const result = computeRepresentatives(
    [...names].map(n => compileWildcard(n, { ignoreCase: true })),
    keys,
  );
  representativesCache.set(cacheKey, result);
  return result;
}

function computeRepresentatives(patterns: readonly WildcardMatcher[], keys: readonly string[]): string[] {
  const preferred = [
    'kms:Decrypt',
    'kms:GenerateDataKey',
    'kms:Encrypt',
    'kms:PutKeyPolicy',
    'kms:CreateGrant',
    'kms:ScheduleKeyDeletion',
    'kms:DescribeKey',
  ];
  const rank = (n: string) => {
    const i = preferred.indexOf(n);
    return i < 0 ? preferred.length : i;
  };
  const groups = new Map<string, string[]>();
  for (const a of keyActions()) {
    let sig = '';
    for (const r of patterns) sig += r.test(a.fullName) ? '1' : '0';
    sig += '|';
    for (const k of keys) sig += keyAppliesToAction(k, a) ? '1' : '0';
    const g = groups.get(sig);
    if (g) g.push(a.fullName);
    else groups.set(sig, [a.fullName]);
  }
  return [...groups.values()]
    .map(g => [...g].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1))[0])
    .sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1));
}

/** The key ARN the requests target: the one the policy names in Resource, else a made-up ARN in its account. */
function targetKey(doc: PolicyDocument, accounts: readonly string[], region: string, partition: string): string {
  for (const st of doc.statements) {
    for (const i of st.resource?.items ?? []) {
      if (typeof i.value !== 'string' || hasWildcard(i.value)) continue;
      const arn = parseArn(i.value);
      if (arn?.service === 'kms' && arn.resource.startsWith('key/')) return i.value;
    }
  }
  return `arn:${partition}:kms:${region}:${accounts[0] ?? '111122223333'}:key/00000000-0000-4000-8000-00000000abcd`;
}

/** The region of the key: from a key ARN in Resource, else from an S3 kms:ViaService value, else us-east-1. */
function keyRegion(doc: PolicyDocument, classes: RequestClasses): string {
  for (const st of doc.statements) {
    for (const i of st.resource?.items ?? []) {
      const arn = typeof i.value === 'string' ? parseArn(i.value) : undefined;
      if (arn?.service === 'kms' && arn.region && !hasWildcard(arn.region)) return arn.region;
    }
  }
  const via = classes.keys.find(k => k.key === VIA_SERVICE);
  for (const v of via?.values ?? []) {
    const m = typeof v === 'string' ? /^s3\.([a-z0-9-]+)\.amazonaws\.com$/.exec(v) : null;
    if (m) return m[1];
  }
  return FALLBACK_REGION;
}

/** Sets the principal and the keys that follow from it: KMS sets kms:CallerAccount to the caller's account. */
function principalLevel(principals: readonly RequestPrincipal[]): Level {
  return {
    name: 'principal',
    dims: ['principal', CALLER_ACCOUNT],
    *assign(req) {
      for (const p of principals) {
        req.principal = p;
        const ctx = req.context as Record<string, string | readonly string[]>;
        for (const k of Object.keys(ctx))
          if (k.startsWith('aws:principal') || k === 'aws:username' || k === CALLER_ACCOUNT) delete ctx[k];
        Object.assign(ctx, principalContext(p));
        const account = accountOf(p);
        if (account) ctx[CALLER_ACCOUNT] = account;
        yield;
      }
    },
  };
}

function fixedLevel(name: string, key: string, value: string | readonly string[]): Level {
  return {
    name,
    dims: [key],
    *assign(req) {
      (req.context as Record<string, string | readonly string[]>)[key] = value;
      yield;
      delete (req.context as Record<string, string | readonly string[]>)[key];
    },
  };
}

function actionLevel(actions: readonly string[]): Level {
  return {
    name: 'action',
    dims: ['action'],
    *assign(req) {
      for (const a of actions) {
        req.action = a;
        yield;
      }
    },
  };
}

interface Search {
  readonly compiled: CompiledPolicy;
  readonly classes: RequestClasses;
  readonly keyArn: string;
  readonly budget: Budget;
  undecided: boolean;
}

/** The first request by `principal` of the product of `levels` that `accept` takes, or undefined. */
function find(
  s: Search,
  principal: RequestPrincipal,
  levels: readonly Level[],
  accept: (req: Request) => boolean,
): Request | undefined {
  const base: Request = { principal: { kind: 'anonymous' }, action: 'kms:Decrypt', resource: s.keyArn, context: {} };
  const policy = s.compiled.forPrincipal(principal);
  for (const req of enumerateRequests([principalLevel([principal]), ...levels], base)) {
    if (!s.budget.take(policy.statements.length + 1)) return undefined;
    const e = policy.evaluate(req);
    if (e.undecided) s.undecided = true;
    if (accept(req) && e.decision === 'allow') return { ...req, context: { ...req.context } };
  }
  return undefined;
}

const witness = (s: Search, req: Request): Witness =>
  requestToWitness(req, new Set([...s.classes.referencedKeys, CALLER_ACCOUNT]), s.classes.keyNames);

/**
 * What every question about one key policy starts from: its request classes, the key the requests
 * target, the accounts it names and the principal classes (those it names, another principal in each
 * account it names, one in a fresh account, anonymous). Built once per document.
 */
interface KeyRequestSpace {
  readonly classes: RequestClasses;
  readonly compiled: CompiledPolicy;
  readonly accounts: readonly string[];
  readonly region: string;
  readonly keyArn: string;
  /** The account no statement names. */
  readonly fresh: string;
  readonly principals: readonly RequestPrincipal[];
  /** The condition keys to enumerate (kms:CallerAccount follows from the principal). */
  readonly keyDomains: readonly KeyDomain[];
}

/** Built by each entry point (not cached on the document: analyses kept for open documents would hold it too). */
function keyRequestSpace(doc: PolicyDocument, knownKeyArn?: string): KeyRequestSpace {
  const classes = requestClasses(doc, 'key-policy-target');
  const partition = classes.partition;
  // Accounts the policy names: its principals' accounts and the accounts its account conditions compare with.
  const accounts: string[] = [];
  const accountSet = new Set<string>();
  const addAccount = (a: string) => {
    if (/^\d{12}$/.test(a) && !accountSet.has(a)) {
      accountSet.add(a);
      accounts.push(a);
    }
  };
  for (const p of classes.principals) {
    const a = accountOf(p);
    // The classes' own "other principal" stands for no account the policy names; the key's gets its own below.
    if (a && a !== classes.freshAccount) addAccount(a);
  }
  for (const k of classes.keys)
    if (k.key === CALLER_ACCOUNT || k.key === 'aws:principalaccount')
      for (const v of k.values) if (typeof v === 'string') addAccount(v);
  // A key ARN that is not one (an alias, a bare ID) says nothing certain: guess as without it.
  const known = knownKeyArn !== undefined ? parseKeyArn(knownKeyArn) : undefined;
  const region = known ? known.region : keyRegion(doc, classes);
  const keyArn = known ? knownKeyArn! : targetKey(doc, accounts, region, partition);
  const keyAccount = parseArn(keyArn)?.account;
  if (keyAccount) addAccount(keyAccount);

  let fresh = FRESH_ACCOUNT;
  while (accountSet.has(fresh)) fresh = String(Number(fresh) - 1).padStart(12, '0');
  const principals: RequestPrincipal[] = classes.principals.filter(p => p.kind !== 'aws' || p.account !== classes.freshAccount);
  const arns = new Set(principals.map(p => (p.kind === 'aws' ? p.arn : '')));
  for (const a of accounts) {
    const arn = `arn:${partition}:iam::${a}:role/other-principal`;
    if (!arns.has(arn)) principals.push({ kind: 'aws', arn, account: a });
  }
  principals.push({ kind: 'aws', arn: `arn:${partition}:iam::${fresh}:role/other-principal`, account: fresh });
  return {
    classes,
    compiled: compilePolicy(doc),
    accounts,
    region,
    keyArn,
    fresh,
    principals,
    keyDomains: classes.keys.filter(k => k.key !== CALLER_ACCOUNT),
  };
}

const newSearch = (space: KeyRequestSpace, opts: KeyVerdictOptions, keyArn = space.keyArn): Search => ({
  compiled: space.compiled,
  classes: space.classes,
  keyArn,
  budget: opts.budget ?? new Budget(opts.maxSteps ?? DEFAULT_MAX_STEPS),
  undecided: false,
});

/** The condition-key levels of a space, leaving out the keys a question fixes itself. */
const conditionLevels = (space: KeyRequestSpace, except: readonly string[] = []): Level[] =>
  space.keyDomains.filter(k => !except.includes(k.key)).map(keyLevel);

/** The key-policy verdict with the facts behind it. */
export function analyzeKeyPolicy(doc: PolicyDocument, opts: KeyVerdictOptions = {}): KeyPolicyAnalysis {
  const space = keyRequestSpace(doc, opts.keyArn);
  const { compiled, accounts, region, keyArn, fresh, principals, keyDomains } = space;
  const accountSet = new Set(accounts);
  const readsCaller = space.classes.referencedKeys.has(CALLER_ACCOUNT);
  // Statement indexes (as evaluations report them) → statements: a non-object entry of the array has an index but no statement.
  const byIndex = new Map(doc.statements.map(st => [st.index, st]));
  const synthetic = (p: RequestPrincipal) => p.kind === 'aws' && /:role\/other-principal$/.test(p.arn);
  const s = newSearch(space, opts);
  const budget = s.budget;
  const before = budget.used;

  // Principals the policy cannot tell apart are asked once (principalClasses): key policies with
  // hundreds of statements naming one principal each stay near-linear.
  const groups = principalClasses(principals, compiled, space.classes.referencedKeys, p =>
    p.kind === 'aws' ? `${accountSet.has(p.account) ? 'named' : 'other'}${readsCaller ? `:${p.account}` : ''}` : '',
  );
  const order = new Map(principals.map((p, i) => [p, i]));

  // --- administrators and lock-out: who may call kms:PutKeyPolicy
  // Label → the place of the principal that listed it, so that the list keeps the policy's order.
  const admins = new Map<string, number>();
  let someAdmin = false;
  // A principal the policy names is listed only when an Allow of kms:PutKeyPolicy names it, so only
  // those (and the classes standing for everyone else) need asking, unless such an Allow is open to "*".
  const putAllows = doc.statements.filter(st => st.effect?.value === 'Allow' && coversAction(st, 'kms:PutKeyPolicy'));
  const putNamed = new Set(putAllows.flatMap(namedPrincipals));
  const openPut = putAllows.some(st => st.notPrincipal !== undefined || putNamed.has('*'));
  for (const g of groups) {
    const asked = g.members.filter(
      p => p.kind !== 'service' && !(p.kind === 'aws' && !synthetic(p) && !openPut && !putNamed.has(writtenLabel(p))),
    );
    if (!asked.length) continue;
    const hit = find(s, asked[0], [actionLevel(['kms:PutKeyPolicy']), ...conditionLevels(space)], () => true);
    if (!hit) continue;
    someAdmin = true;
    // Listed when a statement that allows it names this principal itself; others (an account's other
    // roles through the root statement, "*" with conditions) count for the lock-out only. The class
    // shares its statements, so the representative's answer holds for every member.
    for (const i of compiled.forPrincipal(asked[0]).evaluate(hit).statements) {
      const named = new Set(namedPrincipals(byIndex.get(i)));
      if (named.has('*') && !admins.has('*')) admins.set('*', order.get(asked[0])! - 0.5);
      for (const p of asked) {
        const label = writtenLabel(p);
        if (!synthetic(p) && named.has(label) && !admins.has(label)) admins.set(label, order.get(p)!);
      }
    }
  }
  const administrators = [...admins].sort((a, b) => a[1] - b[1]).map(([label]) => label);
  if (someAdmin && administrators.length === 0) administrators.push('*');

  // --- open to other accounts / anonymous: any key action allowed
  const actions = actionRepresentatives(
    doc,
    keyDomains.map(k => k.key),
  );
  const inNamedOrg = (req: Request) =>
    ORG_KEYS.some(k => {
      const v = req.context[k];
      const domain = keyDomains.find(d => d.key === k);
      // The organisation (or path) the policy names stands for accounts it names collectively.
      return (
        v !== undefined &&
        domain !== undefined &&
        domain.values.slice(0, -1).some(x => JSON.stringify(x) === JSON.stringify(v) && (Array.isArray(x) ? x.length > 0 : true))
      );
    });
  const outsider = principals.find(p => p.kind === 'aws' && p.account === fresh)!;
  const other = find(s, outsider, [actionLevel(actions), ...conditionLevels(space)], req => !inNamedOrg(req));
  // Through the organisation the policy names: every account in it, not only those the policy names.
  const viaOrg = other ? undefined : find(s, outsider, [actionLevel(actions), ...conditionLevels(space)], inNamedOrg);
  const organizations = viaOrg
    ? ORG_KEYS.flatMap(k => {
        const v = viaOrg.context[k];
        return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
      })
    : [];
  const anon = find(s, { kind: 'anonymous' }, [actionLevel(actions), ...conditionLevels(space)], () => true);

  // --- S3 can use the key: one principal of a named account allowed GenerateDataKey and Decrypt through S3
  const viaService = `s3.${region}.amazonaws.com`;
  let s3Witness: Request | undefined;
  for (const g of groups) {
    const p = g.representative;
    if (p.kind !== 'aws' || !accountSet.has(p.account)) continue;
    const levels = (action: string) => [
      actionLevel([action]),
      fixedLevel('via service', VIA_SERVICE, viaService),
      ...conditionLevels(space, [VIA_SERVICE]),
    ];
    const gen = find(s, p, levels(S3_KEY_ACTIONS[0]), () => true);
    if (!gen) continue;
    const dec = find(s, p, levels(S3_KEY_ACTIONS[1]), () => true);
    if (dec) {
      s3Witness = gen;
      break;
    }
  }

  const verdict: KeyPolicyVerdict = {
    kind: 'key-policy',
    // As for bucket verdicts: a document with syntax errors or statements left out may hold what would change the answer.
    complete:
      !budget.exhausted && !s.undecided && space.classes.keysLeftOut === 0 && !doc.truncated && doc.syntaxErrors.length === 0,
    lockout: !someAdmin,
    administrators,
    openToOtherAccounts: { value: other !== undefined, witness: other ? witness(s, other) : null },
    openToAnonymous: { value: anon !== undefined, witness: anon ? witness(s, anon) : null },
    openToOrganization: { value: viaOrg !== undefined, organizations, witness: viaOrg ? witness(s, viaOrg) : null },
    s3CanUse: {
      value: s3Witness !== undefined,
      viaService: s3Witness ? viaService : null,
      witness: s3Witness ? witness(s, s3Witness) : null,
    },
  };
  return { verdict, keyArn, region, accounts, steps: budget.used - before };
}

export function keyPolicyVerdict(doc: PolicyDocument, opts: KeyVerdictOptions = {}): KeyPolicyVerdict {
  return analyzeKeyPolicy(doc, opts).verdict;
}

/** The request a key-policy witness stands for: KMS sets kms:CallerAccount from the caller (the witness may not show it). */
export function keyRequestFromWitness(w: Witness): Request {
  const req = witnessToRequest(w);
  if (req.principal.kind === 'aws' && req.context[CALLER_ACCOUNT] === undefined)
    (req.context as Record<string, string>)[CALLER_ACCOUNT] = req.principal.account;
  return req;
}

// ---------------------------------------------------------------------------------------------
// One question at a time (the cross-document check)

/** Asks one key policy, question by question (its request space is built once, for all of them). */
export type KeyPolicyQuestion = (
  principal: RequestPrincipal,
  action: string,
  fixed?: Readonly<Record<string, string | readonly string[]>>,
) => Request | undefined;

/**
 * For a key policy and the key it is asked about: a function that returns a request by `principal`
 * for `action` on the key, with the context keys in `fixed` (lower-cased names) set as given, that the
 * policy allows — trying every value of the other condition keys it reads — or undefined when none is.
 */
export function keyPolicyAsker(doc: PolicyDocument, opts: KeyVerdictOptions = {}): KeyPolicyQuestion {
  const space = keyRequestSpace(doc);
  return (principal, action, fixed = {}) => {
    const levels: Level[] = [actionLevel([action])];
    for (const [k, v] of Object.entries(fixed)) levels.push(fixedLevel(k, k, v));
    levels.push(...conditionLevels(space, Object.keys(fixed)));
    return find(newSearch(space, opts, opts.keyArn), principal, levels, () => true);
  };
}

// ---------------------------------------------------------------------------------------------
// explain

/** The actions an explain report shows for a key policy: administration and the cryptographic calls S3 and applications make. */
const EXPLAIN_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:CreateGrant',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
];

interface KeyExplained {
  principal: number;
  action: string;
  viaS3: boolean;
  request: Request;
  decision: Decision;
  statements: number[];
  undecided: boolean;
}

/**
 * For each principal class × action × path (called directly, or through S3), the policy's decision:
 * `allow` with the request that gets it when some request of that class is allowed, otherwise the
 * decision on the plainest request of the class (no optional condition keys).
 */
function* keyExplanations(space: KeyRequestSpace, opts: KeyVerdictOptions): Generator<KeyExplained> {
  const { compiled, region, keyArn } = space;
  const s = newSearch(space, opts);
  for (const [principal, p] of space.principals.entries()) {
    for (const action of EXPLAIN_ACTIONS) {
      for (const viaS3 of [false, true]) {
        if (viaS3 && (action === 'kms:PutKeyPolicy' || action === 'kms:ScheduleKeyDeletion')) continue;
        const levels: Level[] = [actionLevel([action])];
        if (viaS3) levels.push(fixedLevel('via service', VIA_SERVICE, `s3.${region}.amazonaws.com`));
        levels.push(...conditionLevels(space, viaS3 ? [VIA_SERVICE] : []));
        let req = find(s, p, levels, () => true);
        if (!req) {
          // The plainest request of the class: its first enumeration (optional keys absent).
          const base: Request = { principal: { kind: 'anonymous' }, action, resource: keyArn, context: {} };
          const first = enumerateRequests([principalLevel([p]), ...levels], base).next();
          req = first.done ? base : { ...first.value, context: { ...first.value.context } };
        }
        const ev = compiled.forPrincipal(p).evaluate(req);
        yield {
          principal,
          action,
          viaS3,
          request: req,
          decision: ev.decision,
          statements: ev.statements,
          undecided: ev.undecided,
        };
      }
    }
  }
}

export function explainKeyRequests(
  doc: PolicyDocument,
  opts: KeyVerdictOptions & { maxRequests?: number } = {},
): ExplainedRequest[] {
  const space = keyRequestSpace(doc, opts.keyArn);
  const label = statementLabels(doc);
  const max = opts.maxRequests ?? 10_000;
  const out: ExplainedRequest[] = [];
  const relevant = new Set([...space.classes.referencedKeys, CALLER_ACCOUNT]);
  for (const e of keyExplanations(space, opts)) {
    if (out.length >= max) break;
    out.push({
      request: requestToWitness(e.request, relevant, space.classes.keyNames),
      decision: e.decision,
      statements: e.statements.map(i => label.get(i) ?? i),
    });
  }
  return out;
}

/** The coordinate of a key grid's `path` dimension. */
export const DIRECT = 'direct';
export const THROUGH_S3 = 'through S3';

/** explainKeyRequests as a grid (verdict.ts, groupExplainGrid): dimensions action and path (direct, or through S3). */
export function explainKeyGrid(doc: PolicyDocument, opts: KeyVerdictOptions & { maxRequests?: number } = {}): ExplainGrid {
  const space = keyRequestSpace(doc, opts.keyArn);
  const max = opts.maxRequests ?? 10_000;
  const relevant = new Set([...space.classes.referencedKeys, CALLER_ACCOUNT]);
  const accountSet = new Set(space.accounts);
  const classes: ExplainClass[] = [];
  let truncated = false;
  let undecided = false;
  for (const e of keyExplanations(space, opts)) {
    if (classes.length >= max) {
      truncated = true;
      break;
    }
    if (e.undecided) undecided = true;
    classes.push({
      principal: e.principal,
      coords: [e.action, e.viaS3 ? THROUGH_S3 : DIRECT],
      request: requestToWitness(e.request, relevant, space.classes.keyNames),
      decision: e.decision,
      statements: e.statements,
    });
  }
  const principals = space.principals.map((p): GridPrincipal => ({
    principal: p,
    role:
      p.kind === 'anonymous'
        ? 'anonymous'
        : p.kind === 'service'
          ? 'service'
          : /:role\/other-principal$/.test(p.arn)
            ? accountSet.has(p.account)
              ? 'account-other'
              : 'outsider'
            : 'named',
  }));
  return { dims: ['action', 'path'], principals, classes, truncated, undecided };
}
