// Suggestions for misspelt actions and condition keys, by bounded edit distance.
import { lookupAction } from './actions';
import { apiNameToAction } from './api-names';
import { lookupConditionKey } from './condition-keys';
import { splitAction, tables as st } from './tables';
import type { KnownService } from './types';

/** Largest edit distance accepted for a suggestion for an input of this length. */
function suggestionLimit(length: number): number {
  return Math.min(length >= 24 ? 4 : 3, Math.floor(length / 3));
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions; plain Levenshtein
 * with `transpositions: false`), giving up with `limit + 1` as soon as the distance must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER, { transpositions = true } = {}): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (
        transpositions &&
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/** Keeps the closest candidate within the limit; ties go to the alphabetically first result. */
class Nearest {
  private best: string | undefined;
  private bestDist: number;
  constructor(private readonly limit: number) {
    this.bestDist = limit + 1;
  }
  /** Distance bound worth computing for the next candidate. */
  get bound(): number {
    return Math.min(this.bestDist, this.limit);
  }
  offer(result: string, dist: number): void {
    if (dist > this.limit) return;
    if (dist < this.bestDist || (dist === this.bestDist && this.best !== undefined && result < this.best)) {
      this.best = result;
      this.bestDist = dist;
    }
  }
  get result(): string | undefined {
    return this.best;
  }
}

function nearestOf(input: string, candidates: readonly { compare: string; result: string }[]): string | undefined {
  const lower = input.toLowerCase();
  const n = new Nearest(suggestionLimit(input.length));
  for (const c of candidates) n.offer(c.result, editDistance(lower, c.compare, n.bound));
  return n.result;
}

/**
 * Nearest valid action for a misspelt one (`s3:PutObjects` → `s3:PutObject`), or the IAM action
 * for an S3 API operation name (`s3:CreateMultipartUpload` → `s3:PutObject`). Undefined when
 * nothing is close. A name without a prefix is compared with the action names alone.
 */
export function suggestAction(name: string): string | undefined {
  const exact = lookupAction(name);
  if (exact) return exact.fullName;
  const api = apiNameToAction(name);
  if (api) return api;
  const s = st();
  const parts = splitAction(name);
  if (!parts) {
    return nearestOf(
      name,
      s.allActions.map(a => ({ compare: a.name.toLowerCase(), result: a.fullName })),
    );
  }
  const svc = s.services.get(parts[0] as KnownService);
  const pool = svc ? svc.actions : s.allActions;
  return nearestOf(
    name,
    pool.map(a => ({ compare: a.fullName.toLowerCase(), result: a.fullName })),
  );
}

/**
 * Nearest valid condition key for a misspelt one (`aws:SecureTransports` →
 * `aws:SecureTransport`, `x-amz-server-side-encryption` → `s3:x-amz-server-side-encryption`,
 * `aws:PrincipalTags/Team` → `aws:PrincipalTag/Team`). Undefined when nothing is close.
 */
export function suggestConditionKey(name: string): string | undefined {
  const found = lookupConditionKey(name);
  if (found) return found.name;
  const s = st();
  const lower = name.toLowerCase();
  const n = new Nearest(suggestionLimit(name.length));
  for (const d of s.plainKeys.values()) n.offer(d.definition, editDistance(lower, d.definition.toLowerCase(), n.bound));
  const colon = lower.indexOf(':');
  for (const t of s.templates) {
    const prefix = t.literals[0];
    const sep = prefix[prefix.length - 1];
    const at = lower.indexOf(sep, colon + 1);
    const suffixTemplate = t.literals.length === 2 && t.literals[1] === '';
    if (suffixTemplate && at >= 0 && at < lower.length - 1) {
      // `aws:PrincipalTags/Team`: compare the fixed part and keep the caller's suffix.
      n.offer(prefix + name.slice(at + 1), editDistance(lower.slice(0, at + 1), t.prefixLower, n.bound));
    } else if (suffixTemplate) {
      // `aws:PrincipalTag` with no tag key: offer the template itself.
      n.offer(t.def.definition, editDistance(lower, t.prefixLower, n.bound));
    } else {
      n.offer(t.def.definition, editDistance(lower, t.def.definition.toLowerCase(), n.bound));
    }
  }
  return n.result;
}
