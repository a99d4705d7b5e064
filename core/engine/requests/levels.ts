// The request walk (docs/design/engine.md#request-classes): one level per dimension of the request classes, enumerated lazily
// and depth first, so that a caller can stop at the first witness and skip whole subtrees.
import type { Request, RequestPrincipal } from '../../../shared/types';
import { BoundedCache, stringBytes } from '../../bounded-cache';
import { keyAppliesToAction } from '../../knowledge';
import { PRINCIPAL_KEYS, SECURE_TRANSPORT, SSE_KEYS, TLS_VERSION, TRANSPORT_KEYS, type ContextValue } from './context-keys';
import { principalContext } from './principals';
import { carriesSse, type ActionClass } from './action-classes';
import type { KeyDomain } from './key-domains';
import type { RequestClasses, Transport, UploadSpec } from './request-classes';

/**
 * One dimension of the request space. `assign` sets the dimension's part of the (mutable) request for
 * each of its values in turn, yielding after each; when it finishes the part is cleared again.
 * `dims` names what it assigns: `principal`, `action`, `resource`, or lower-cased context keys.
 */
export interface Level {
  readonly name: string;
  readonly dims: readonly string[];
  assign(req: Request): Iterable<void>;
}

type MutableContext = Record<string, ContextValue>;
const ctx = (req: Request): MutableContext => req.context as MutableContext;

function setKey(req: Request, key: string, value: ContextValue | undefined): void {
  if (value === undefined) delete ctx(req)[key];
  else ctx(req)[key] = value;
}

export function principalLevel(principals: readonly RequestPrincipal[]): Level {
  return {
    name: 'principal',
    dims: ['principal', ...PRINCIPAL_KEYS],
    *assign(req) {
      for (const p of principals) {
        req.principal = p;
        for (const k of PRINCIPAL_KEYS) delete ctx(req)[k];
        Object.assign(ctx(req), principalContext(p));
        yield;
      }
      for (const k of PRINCIPAL_KEYS) delete ctx(req)[k];
    },
  };
}

/** Each action class paired with each resource it can act on (the bucket ARN, or each object ARN). */
export function actionResourceLevel(classes: RequestClasses, only?: (a: ActionClass) => boolean): Level {
  return {
    name: 'action/resource',
    dims: ['action', 'resource'],
    *assign(req) {
      for (const a of classes.actions) {
        if (only && !only(a)) continue;
        req.action = a.action;
        for (const r of a.target === 'bucket' ? [classes.bucketArn] : classes.objectArns) {
          req.resource = r;
          yield;
        }
      }
    },
  };
}

/** Each object ARN, for a fixed action set in the base request (the upload classes: s3:PutObject). */
export function objectLevel(classes: RequestClasses): Level {
  return {
    name: 'object',
    dims: ['resource'],
    *assign(req) {
      for (const r of classes.objectArns) {
        req.resource = r;
        yield;
      }
    },
  };
}

/** Sets `aws:SecureTransport` and `s3:TlsVersion` (HTTP: TLS version absent). */
export function applyTransport(req: Request, t: Transport): void {
  setKey(req, SECURE_TRANSPORT, t.secure ? 'true' : 'false');
  setKey(req, TLS_VERSION, t.secure ? (t.tls ?? '1.3') : undefined);
}

export function transportLevel(transports: readonly Transport[]): Level {
  return {
    name: 'transport',
    dims: [...TRANSPORT_KEYS],
    *assign(req) {
      for (const t of transports) {
        applyTransport(req, t);
        yield;
      }
      for (const k of TRANSPORT_KEYS) delete ctx(req)[k];
    },
  };
}

export function applyUpload(req: Request, u: UploadSpec | undefined): void {
  for (const k of SSE_KEYS) delete ctx(req)[k];
  if (u) Object.assign(ctx(req), u.headers);
}

/** The upload encryption of actions that carry the SSE headers; absent for every other action. */
export function sseLevel(uploads: readonly UploadSpec[]): Level {
  return {
    name: 'upload encryption',
    dims: [...SSE_KEYS],
    *assign(req) {
      if (!carriesSse(req.action)) {
        applyUpload(req, undefined);
        yield;
        return;
      }
      for (const u of uploads) {
        applyUpload(req, u);
        yield;
      }
      applyUpload(req, undefined);
    },
  };
}

/** Keyed by condition keys from the documents (templated keys carry any suffix): bounded by bytes. */
const keyActionCache = new BoundedCache<string, boolean>({ maxBytes: 512 * 1024, sizeOf: k => stringBytes(k) + 16 });
function keyPresentFor(d: KeyDomain, req: Request): boolean {
  if (d.presence === 'never') return false;
  if (d.scope === 'identity' && req.principal.kind !== 'aws') return false;
  if (d.presence === 'always') return true;
  const id = `${d.key}\u0000${req.action}`;
  let v = keyActionCache.get(id);
  if (v === undefined) keyActionCache.set(id, (v = keyAppliesToAction(d.key, req.action)));
  return v;
}

export function keyLevel(d: KeyDomain): Level {
  return {
    name: d.name,
    dims: [d.key],
    *assign(req) {
      if (!keyPresentFor(d, req)) {
        setKey(req, d.key, undefined);
        yield;
        return;
      }
      for (const v of d.values) {
        setKey(req, d.key, v);
        yield;
      }
      setKey(req, d.key, undefined);
    },
  };
}

/**
 * Depth-first walk over the product of the levels. After a level is assigned, `prune(req, index)`
 * may skip everything below. Yields the same mutable request at each leaf: copy it to keep it.
 * Iterative (a stack of the levels' iterators): a policy with thousands of condition keys has
 * thousands of levels, and nested generators would overflow the stack.
 */
export function* enumerateRequests(
  levels: readonly Level[],
  base: Request,
  prune?: (req: Request, level: number) => boolean,
): Generator<Request> {
  const n = levels.length;
  if (n === 0) {
    yield base;
    return;
  }
  const open: Iterator<void>[] = [levels[0].assign(base)[Symbol.iterator]()];
  let i = 0;
  while (i >= 0) {
    if (open[i].next().done) {
      i--;
      continue;
    }
    if (prune && prune(base, i)) continue;
    if (i === n - 1) {
      yield base;
      continue;
    }
    i++;
    open[i] = levels[i].assign(base)[Symbol.iterator]();
  }
}

export function baseRequest(classes: RequestClasses): Request {
  return { principal: { kind: 'anonymous' }, action: 's3:ListBucket', resource: classes.bucketArn, context: {} };
}

export function copyRequest(req: Request): Request {
  return { principal: req.principal, action: req.action, resource: req.resource, context: { ...req.context } };
}

/** Every request class of the bucket, lazily: transport × principal × action/resource × upload encryption × each condition key. */
export function* allRequests(classes: RequestClasses): Generator<Request> {
  const levels = [
    transportLevel(classes.transports),
    principalLevel(classes.principals),
    actionResourceLevel(classes),
    sseLevel(classes.uploads),
    ...classes.keys.map(keyLevel),
  ];
  for (const r of enumerateRequests(levels, baseRequest(classes))) yield copyRequest(r);
}
