// The action classes of the request classes: S3 actions grouped by what a policy can tell apart.
import { allActions, keyAppliesToAction, type ActionInfo } from '../../knowledge';
import { compileWildcard } from '../../policy/wildcard';
import { BoundedCache, stringBytes } from '../../bounded-cache';
import { SSE } from './context-keys';

export interface ActionClass {
  /** The representative, canonical `s3:Name`. */
  readonly action: string;
  /** Object actions act on `bucket/key`, bucket actions on the bucket ARN. */
  readonly target: 'object' | 'bucket';
  /** Its request context can carry the SSE headers (docs/design/aws-facts.md#table-0-1: PutObject, ReplicateObject…). */
  readonly carriesSse: boolean;
  /** Every S3 action the policy cannot tell apart from the representative. */
  readonly members: readonly string[];
}

/** Representatives in this order, when a class contains them (they read best in a witness). */
const PREFERRED_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  's3:DeleteObject',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:GetBucketLocation',
];
const rank = (a: string): number => {
  const i = PREFERRED_ACTIONS.indexOf(a);
  return i < 0 ? PREFERRED_ACTIONS.length : i;
};

/** Keyed by action names, some of them as policies write them: bounded by bytes. */
const sseCarriers = new BoundedCache<string, boolean>({ maxBytes: 256 * 1024, sizeOf: k => stringBytes(k) + 16 });
/** Can the action's request context carry the SSE headers (SAR-S3, docs/design/aws-facts.md#table-0-1)? */
export function carriesSse(action: string): boolean {
  let v = sseCarriers.get(action);
  if (v === undefined) {
    v = keyAppliesToAction(SSE, action);
    sseCarriers.set(action, v);
  }
  return v;
}

function targetOf(a: ActionInfo): 'object' | 'bucket' | undefined {
  const names = a.resourceTypes.map(r => r.name);
  if (names.includes('object')) return 'object';
  if (names.includes('bucket')) return 'bucket';
  return undefined;
}

/**
 * The S3 actions on a bucket or its objects, grouped by what the policy can tell apart: which of its
 * Action/NotAction patterns match, the resource the action acts on, and which of the policy's S3
 * condition keys its request can carry. Every action the policy names falls in some class, and so do
 * the object and bucket actions it does not name.
 */
interface BucketAction {
  readonly info: ActionInfo;
  readonly target: 'object' | 'bucket';
  readonly sse: boolean;
}
let bucketActions: readonly BucketAction[] | undefined;
/** The S3 actions that act on a bucket or its objects (once). */
function s3BucketActions(): readonly BucketAction[] {
  if (!bucketActions) {
    const out: BucketAction[] = [];
    for (const info of allActions('s3')) {
      const target = targetOf(info);
      if (target) out.push({ info, target, sse: keyAppliesToAction(SSE, info) });
    }
    bucketActions = out;
  }
  return bucketActions;
}

/** Policies change a character at a time: their action classes rarely do. */
const actionClassCache = new BoundedCache<string, ActionClass[]>({
  maxBytes: 2 * 1024 * 1024,
  sizeOf: (k, v) => stringBytes(k) + v.reduce((n, c) => n + 64 + 48 * c.members.length, 0),
});

export function actionClasses(patterns: readonly string[], serviceKeys: readonly string[]): ActionClass[] {
  const cacheKey = `${patterns.join('\n')}\u0000${serviceKeys.join('\n')}`;
  const hit = actionClassCache.get(cacheKey);
  if (hit) return hit;
  const regexes = patterns.map(p => compileWildcard(p, { ignoreCase: true }));
  const groups = new Map<string, { target: 'object' | 'bucket'; sse: boolean; members: string[] }>();
  for (const { info: a, target, sse } of s3BucketActions()) {
    let sig = `${target}|${sse ? 1 : 0}|`;
    for (const r of regexes) sig += r.test(a.fullName) ? '1' : '0';
    sig += '|';
    for (const k of serviceKeys) sig += keyAppliesToAction(k, a) ? '1' : '0';
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { target, sse, members: [] }));
    g.members.push(a.fullName);
  }
  const classes = [...groups.values()].map(g => {
    const action = [...g.members].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0))[0];
    return { action, target: g.target, carriesSse: g.sse, members: g.members };
  });
  classes.sort(
    (x, y) =>
      rank(x.action) - rank(y.action) ||
      (x.target === y.target ? 0 : x.target === 'object' ? -1 : 1) ||
      (x.action < y.action ? -1 : 1),
  );
  actionClassCache.set(cacheKey, classes);
  return classes;
}
