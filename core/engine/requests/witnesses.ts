// Witnesses (docs/design/engine.md#witnesses): a request as a finding shows it, and back.
import { parseArn } from '../../policy/arn';
import type { Request, Witness } from '../../../shared/types';
import { PRINCIPAL_KEYS, SECURE_TRANSPORT, SSE_KEYS, TLS_VERSION, keyDisplayName, type ContextValue } from './context-keys';
import { principalContext, principalFromLabel, principalLabel } from './principals';

/** Keys a witness always shows when the request has them: they define the request's transport and upload class. */
const ALWAYS_SHOWN: readonly string[] = [SECURE_TRANSPORT, TLS_VERSION, ...SSE_KEYS];

/**
 * A request as docs/design/engine.md#witnesses shows it: principal (`anonymous`, an ARN or a service name), action,
 * resource, `aws:SecureTransport` as a Boolean, and the context keys that matter (those in
 * `relevant`, when given; keys that follow from the principal are left out unless relevant).
 */
export function requestToWitness(req: Request, relevant?: ReadonlySet<string>, names?: ReadonlyMap<string, string>): Witness {
  const w: Witness = { principal: principalLabel(req.principal), action: req.action, resource: req.resource };
  const entries = Object.entries(req.context);
  const order = (k: string) => {
    const i = ALWAYS_SHOWN.indexOf(k);
    return i < 0 ? ALWAYS_SHOWN.length : i;
  };
  entries.sort((a, b) => order(a[0]) - order(b[0]));
  for (const [k, v] of entries) {
    const shown = ALWAYS_SHOWN.includes(k) || (relevant ? relevant.has(k) : !PRINCIPAL_KEYS.includes(k));
    if (!shown) continue;
    const name = names?.get(k) ?? keyDisplayName(k);
    w[name] = k === SECURE_TRANSPORT && (v === 'true' || v === 'false') ? v === 'true' : v;
  }
  return w;
}

/** The request a witness stands for (the inverse of `requestToWitness`): keys it does not show are absent. */
export function witnessToRequest(w: Witness): Request {
  const label = typeof w.principal === 'string' ? w.principal : 'anonymous';
  const resource = typeof w.resource === 'string' ? w.resource : '';
  const partition = parseArn(resource)?.partition ?? 'aws';
  const principal = principalFromLabel(label, partition);
  const context: Record<string, ContextValue> = { ...principalContext(principal) };
  for (const [k, v] of Object.entries(w)) {
    if (k === 'principal' || k === 'action' || k === 'resource') continue;
    context[k.toLowerCase()] = typeof v === 'boolean' ? String(v) : v;
  }
  return { principal, action: String(w.action), resource, context };
}
