// The findings of statement rules (Rule.checkStatement), reused across versions of a document. A
// keystroke changes one statement; a statement rule's findings about every other statement are the
// ones the previous version had, moved by however much the text before them grew or shrank
// (docs/design/engine.md#reuse).
import { BoundedCache, ownString, stringBytes } from './bounded-cache';
import { statementText } from './policy/memo';
import type { PolicyDocument, PolicyKind, Span, Statement } from './policy/model';
import { renderMessage } from './rules/messages';
import type { Finding, ReportInput, Rule, StatementContext } from './rules/types';

/** A report of `rule` as a finding. */
export function findingOf(rule: Rule, r: ReportInput): Finding {
  const text = { ...renderMessage(rule.meta, r.messageId, r.data), messageId: r.messageId };
  return { ruleId: rule.meta.id, severity: r.severity ?? rule.meta.severity, span: r.span, ...text, fixes: r.fixes ?? [] };
}

/** Findings of one rule about one statement, spans relative to the statement's start; null when they cannot be reused (see below). */
type Kept = readonly Finding[] | null;

/**
 * What the statement rules found about one statement: `rules` are the IDs of the rules that ran
 * (another set of rules, another settings, runs them again); `byRule` lists only the rules that
 * found something, so that the many statements with no finding keep one small object.
 */
interface KeptStatement {
  /** What the checks read besides the statement's text (see surroundings). */
  readonly surroundings: string;
  readonly rules: string;
  readonly byRule?: ReadonlyMap<string, Kept>;
}

/**
 * By the statement's text. One entry per text: the same statement at another place (another
 * document's copy of a common statement) replaces it, and is checked again when met again.
 */
const kept = new BoundedCache<string, KeptStatement>({
  maxBytes: 4 * 1024 * 1024,
  sizeOf: (key, entry) => {
    let n = stringBytes(key) + stringBytes(entry.surroundings) + 64;
    for (const [id, fs] of entry.byRule ?? []) {
      n += stringBytes(id) + 32;
      for (const f of fs ?? []) n += 256 + stringBytes(f.message) + stringBytes(f.detail ?? '') + 512 * f.fixes.length;
    }
    return n;
  },
});

/** Forget every earlier version's findings (tests compare with a fresh analysis). */
export function clearStatementFindings(): void {
  kept.clear();
}

/** The line-break style a fix follows when the statement shows none itself: that of the document's first line. */
function lineBreakStyle(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? 'none' : nl > 0 && text.charCodeAt(nl - 1) === 13 ? 'crlf' : 'lf';
}

/**
 * Everything a statement check reads (StatementContext) besides the statement's text: the kind, the
 * statement's index (labels say "statement 3"), the text of the line it starts on and the line break
 * before that line (fixes follow the statement's indentation), and the document's line-break style.
 */
function surroundings(text: string, kind: PolicyKind, st: Statement, style: string): string {
  const lineStart = text.lastIndexOf('\n', st.span.offset - 1) + 1;
  const before = text.slice(Math.max(0, lineStart - 2), st.span.offset);
  return `${kind}\u0000${st.index}\u0000${style}\u0000${before}`;
}

const moved = (s: Span, by: number): Span => ({ offset: s.offset + by, length: s.length });

function moveFinding(f: Finding, by: number): Finding {
  return {
    ...f,
    span: moved(f.span, by),
    fixes: f.fixes.map(fix => ({ ...fix, edits: fix.edits.map(e => ({ ...e, span: moved(e.span, by) })) })),
  };
}

/** Do the finding's span and its fixes' edits lie within the statement (its end included: an insertion right after it)? */
function within(f: Finding, st: Statement): boolean {
  const start = st.span.offset;
  const end = start + st.span.length;
  const inside = (s: Span) => s.offset >= start && s.offset + s.length <= end;
  return inside(f.span) && f.fixes.every(fix => fix.edits.every(e => inside(e.span)));
}

export interface StatementRuleResult {
  findings: Finding[];
  failures: { ruleId: string; error: string }[];
}

/**
 * Run the statement rules on every statement of the document, reusing earlier findings about
 * statements whose key is unchanged. A rule that throws on some statement contributes no finding
 * (as when its whole check throws). With syntax errors nothing is reused: the tolerant parser's
 * reading of a statement can then depend on what surrounds it.
 */
export function statementRuleFindings(doc: PolicyDocument, kind: PolicyKind, rules: readonly Rule[]): StatementRuleResult {
  const byRule = new Map<Rule, Finding[]>(rules.map(r => [r, []]));
  const failed = new Map<Rule, string>();
  const reuse = doc.syntaxErrors.length === 0;
  const style = lineBreakStyle(doc.text);
  const ruleSet = rules.map(r => r.meta.id).join(',');
  for (const st of doc.statements) {
    const key = reuse ? statementText(doc, st) : undefined;
    const around = reuse ? surroundings(doc.text, kind, st, style) : '';
    const entry = key === undefined ? undefined : kept.get(key);
    const before = entry?.rules === ruleSet && entry.surroundings === around ? entry : undefined;
    let found: Map<string, Kept> | undefined;
    let complete = true;
    for (const rule of rules) {
      if (failed.has(rule)) {
        complete = false;
        continue;
      }
      if (before) {
        const hit = before.byRule?.get(rule.meta.id);
        if (hit === undefined) continue; // nothing found
        if (hit !== null) {
          for (const f of hit) byRule.get(rule)!.push(moveFinding(f, st.span.offset));
          continue;
        }
      }
      const out: Finding[] = [];
      const ctx: StatementContext = { kind, text: doc.text, report: r => out.push(findingOf(rule, r)) };
      try {
        rule.checkStatement!(ctx, st);
      } catch (e) {
        failed.set(rule, e instanceof Error ? (e.stack ?? e.message) : String(e));
        complete = false;
        continue;
      }
      byRule.get(rule)!.push(...out);
      // Findings outside the statement depend on more than its key: found again each time (null).
      if (!before && out.length)
        (found ??= new Map()).set(
          rule.meta.id,
          out.every(f => within(f, st)) ? out.map(f => moveFinding(f, -st.span.offset)) : null,
        );
    }
    if (key !== undefined && !before && complete)
      kept.set(key, { surroundings: ownString(around), rules: ruleSet, byRule: found });
  }
  const findings: Finding[] = [];
  for (const [rule, fs] of byRule) if (!failed.has(rule)) findings.push(...fs);
  return { findings, failures: [...failed].map(([rule, error]) => ({ ruleId: rule.meta.id, error })) };
}
