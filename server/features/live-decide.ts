// The `s3EncryptionGuard/decide` request (protocol/decide.ts): the evaluator's decision on single
// requests against policy text, for the bucket fix's lock-out guard in the editor (aws/fix.ts). The
// same evaluation the CLI's judge runs in-process (cli/fix-judge.ts). No LSP or vscode imports.
import { decideRequests } from '../../core/engine/decide';
import type { Request, RequestPrincipal } from '../../shared/types';
import { MAX_DECIDE_REQUESTS, type DecideParams, type DecideResult } from '../../protocol/protocol';

export { DECIDE_REQUEST } from '../../protocol/protocol';

const MAX_VALUE = 2048;

const str = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_VALUE;

function principal(v: unknown): RequestPrincipal | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (p.kind === 'anonymous') return { kind: 'anonymous' };
  if (p.kind === 'service' && str(p.service)) return { kind: 'service', service: p.service };
  if (p.kind === 'aws' && str(p.arn) && str(p.account) && (p.written === undefined || str(p.written)))
    return { kind: 'aws', arn: p.arn, account: p.account, ...(p.written ? { written: p.written } : {}) };
  return undefined;
}

function request(v: unknown): Request | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const who = principal(r.principal);
  if (!who || !str(r.action) || !str(r.resource) || typeof r.context !== 'object' || r.context === null) return undefined;
  const context: Record<string, string | readonly string[]> = {};
  const entries = Object.entries(r.context as Record<string, unknown>);
  if (entries.length > 64) return undefined;
  for (const [k, value] of entries) {
    if (k.length > 256) return undefined;
    if (str(value)) context[k.toLowerCase()] = value;
    else if (Array.isArray(value) && value.length <= 64 && value.every(str)) context[k.toLowerCase()] = value as string[];
    else return undefined;
  }
  return { principal: who, action: r.action, resource: r.resource, context };
}

/** Narrow whatever a client sent; undefined when it is not a valid request. */
export function parseDecideParams(p: unknown): DecideParams | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const r = p as Record<string, unknown>;
  if (typeof r.text !== 'string' || !str(r.bucket) || !Array.isArray(r.requests) || r.requests.length > MAX_DECIDE_REQUESTS)
    return undefined;
  const requests = r.requests.map(request);
  if (requests.some(x => !x)) return undefined;
  return { text: r.text, bucket: r.bucket, requests: requests as Request[] };
}

export function decide(p: DecideParams): DecideResult {
  return { decisions: decideRequests(p.text, p.requests) };
}
