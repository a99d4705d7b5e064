// The shape of the custom request `s3EncryptionGuard/explain` (server: features/explain.ts; client:
// the report view, client/views/explainView.ts). Types and the method name only, so the client
// bundle does not pull in the engine. Values from the policy are as written: renderers escape them.
import type { Witness } from '../shared/types';
import type { Outcome } from '../shared/wording';
import type { Position, Range } from '../core/policy/lines';

/**
 * The request behind the report view: `{ uri, bucket?, at? }` → `{ report: ExplainReport }`. In an
 * infrastructure template, `at` picks the policy: its location (`Resources.DataBucketPolicy.Properties.PolicyDocument`,
 * as the CodeLens passes it) or a position inside it (the cursor); without it, the first policy.
 */
export const EXPLAIN_REQUEST = 's3EncryptionGuard/explain';

/** The word in a cell: never colour alone. */
export type CellWord = 'denied' | 'allowed' | 'not denied here' | 'partly denied' | 'not allowed';
/** The colour family of a cell. */
export type CellTone = 'denied' | 'allowed' | 'open' | 'mixed';

export interface ReportExample {
  outcome: Outcome;
  request: Witness;
  /** The request in words (wording.ts), with the verb that matches `outcome` where the report states one. */
  text: string;
}

export interface ReportCell {
  word: CellWord;
  tone: CellTone;
  /** Statements (indexes into ExplainReport.statements) that decide every request class of the cell. */
  statements: number[];
  /** Statements that decide some of them only (or, when `statements` is empty, each decides one of them). */
  alsoBy: number[];
  /** Request classes the cell stands for. */
  classes: number;
  /** One request per outcome the cell holds: replayed through the engine each gets that outcome. */
  examples: ReportExample[];
}

export interface ReportColumn {
  /** Short header: "everyone else", "role/payments-app". */
  label: string;
  /** Every principal of the column, in words. */
  members: string[];
}

export interface ReportRow {
  /** What the row covers, one phrase per dimension it is narrowed on (empty: every request). */
  parts: string[];
  cells: (ReportCell | null)[];
}

export interface ReportTable {
  title: string;
  /** What the rows stand for and how to read the cells. */
  note: string;
  rowHeader: string;
  rows: ReportRow[];
}

export interface ReportSection {
  kind: 'bucket' | 'key';
  heading: string;
  /** The one-line verdict of the CodeLens. */
  verdictLine: string;
  /** The verdict in plain words (explainSummary). */
  summary: string[];
  complete: boolean;
  columns: ReportColumn[];
  matrices: ReportTable[];
  /** Every request class, grouped. */
  details: ReportTable;
  /** Request classes the grouped rows stand for. */
  requestClasses: number;
  /** The enumeration stopped at MAX_EXPLAIN_CLASSES. */
  truncated: boolean;
}

export interface StatementRef {
  /** The Sid, or "statement N". */
  label: string;
  /** Where it starts: its Sid, or its opening brace. */
  range: Range;
}

/** Which policy of a template to explain: its location, or a position inside it. */
export type ExplainTarget = string | Position;

export interface ExplainReport {
  uri: string;
  /** In a template: the location of the policy explained (the view asks for it again when the template changes). */
  location?: string;
  /** The file name. */
  file: string;
  kind: 'bucket-policy' | 'key-policy' | 'other';
  /** Why there is nothing to explain, when there is not. */
  message?: string;
  /** Indexed as the engine indexes statements. */
  statements: (StatementRef | null)[];
  sections: ReportSection[];
}

/**
 * How a cell names its statements, for every renderer: "by A", "some also by B", "by one of A, B";
 * for a cell whose classes are not all decided alike, the statements of the ones that stand out
 * ("some denied by A", "some allowed by B").
 */
export function statementPhrases(c: ReportCell): { prefix: string; statements: number[] }[] {
  const out: { prefix: string; statements: number[] }[] = [];
  const mixed =
    c.word === 'partly denied'
      ? 'some denied by'
      : c.word === 'not denied here' || c.word === 'not allowed'
        ? 'some allowed by'
        : undefined;
  if (mixed) {
    if (c.alsoBy.length) out.push({ prefix: mixed, statements: c.alsoBy });
    return out;
  }
  if (!c.statements.length) {
    if (c.alsoBy.length) out.push({ prefix: 'by one of', statements: c.alsoBy });
    return out;
  }
  out.push({ prefix: 'by', statements: c.statements });
  if (c.alsoBy.length) out.push({ prefix: 'some also by', statements: c.alsoBy });
  return out;
}
