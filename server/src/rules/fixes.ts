// Applying fixes to text (used by "fix all", the CLI and the rule tests).
import type { Finding, Fix, TextEditSpan } from './types';

/** Apply edits that do not overlap; overlapping ones after the first are skipped. */
export function applyEdits(text: string, edits: readonly TextEditSpan[]): string {
  const sorted = [...edits].sort((a, b) => a.span.offset - b.span.offset);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.span.offset < pos) continue;
    out += text.slice(pos, e.span.offset) + e.newText;
    pos = e.span.offset + e.span.length;
  }
  return out + text.slice(pos);
}

/** The fix "fix all" would take for a finding: the preferred one, else the first. */
export const preferredFix = (f: Finding): Fix | undefined => f.fixes.find(x => x.preferred) ?? f.fixes[0];

/**
 * The edits "fix all" makes: one preferred fix per finding, in order, skipping a fix whose
 * edits overlap one already taken (two inserts at the same place count as overlapping).
 */
export function fixAllEdits(findings: readonly Finding[]): TextEditSpan[] {
  const taken: TextEditSpan[] = [];
  // Edits clash when their ranges intersect, or when one inserts at the start, inside or at the end
  // of the other: the order of the two would change the result.
  const inside = (at: number, e: TextEditSpan) => at >= e.span.offset && at <= e.span.offset + e.span.length;
  const overlaps = (a: TextEditSpan, b: TextEditSpan) =>
    (a.span.offset < b.span.offset + b.span.length && b.span.offset < a.span.offset + a.span.length) ||
    (a.span.length === 0 && inside(a.span.offset, b)) || (b.span.length === 0 && inside(b.span.offset, a));
  for (const f of findings) {
    const fix = preferredFix(f);
    if (!fix) continue;
    if (fix.edits.some(e => taken.some(t => overlaps(e, t)))) continue;
    taken.push(...fix.edits);
  }
  return taken;
}

/** The text after "fix all". */
export const applyFindingFixes = (text: string, findings: readonly Finding[]): string => applyEdits(text, fixAllEdits(findings));
