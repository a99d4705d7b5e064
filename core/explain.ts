// "S3 Encryption: Explain Enforcement" and `s3-encryption-guard explain`: the report of what a policy
// denies, allows or leaves to others, built once as data (ExplainReport) and rendered by the editor's
// report view (client/views/explain-html.ts) and by the CLI (cli/report.ts).
//
// Order of the report: the summary in plain words (explainSummary, shared by both renderers), then
// matrices of what is decided for whom (upload encryption × callers, transport × callers), then
// every request class, grouped (engine/verdict.ts groupExplainGrid): callers the policy treats alike
// share a column, request classes every column decides alike by the same statements share a row.
//
// Requests are put in words by engine/wording.ts only. Values from the policy (Sids, principals,
// ARNs, condition values) are kept as they are in the data: each renderer escapes them for its
// medium (escapeHtml, escapeTerminal).
import type { Analysis } from './analyze';
import { keyRequestFromWitness, explainKeyGrid, DIRECT, THROUGH_S3 } from './engine/key-verdict';
import { compilePolicy } from './engine/evaluate';
import { verdictSummary, keyVerdictSummary } from '../shared/summary';
import type { BucketVerdict, Decision, KeyPolicyVerdict, Witness } from '../shared/types';
import {
  explainGrid,
  groupExplainGrid,
  statementLabels,
  witnessToRequest,
  ACTION_DIM,
  HTTP,
  RESOURCE_DIM,
  TRANSPORT_DIM,
  UPLOAD_DIM,
  tlsCoord,
  type ExplainCell,
  type ExplainClass,
  type ExplainGrid,
  type GridPrincipal,
  type RowScope,
} from './engine/verdict';
import { describePrincipal, describeUploadClass, outcomeOf, requestClause, type Outcome, KEY_POLICY } from '../shared/wording';
import type { LineIndex } from './policy/lines';
import type { PolicyDocument } from './policy/model';
import type {
  CellTone,
  CellWord,
  ExplainReport,
  ReportCell,
  ReportColumn,
  ReportExample,
  ReportRow,
  ReportSection,
  StatementRef,
} from '../protocol/protocol';

/** Request classes enumerated for one report; past it the report says it is cut short. */
export const MAX_EXPLAIN_CLASSES = 10_000;

export interface ExplainInput {
  uri: string;
  analysis: Analysis;
  lines: LineIndex;
  /** Only this bucket's verdict (the CodeLens of a policy naming several). */
  bucket?: string;
  /** The required minimum TLS version (settings), for the summary. */
  wantedTls?: string | null;
  /** The key a key policy is attached to, when it is known (a live key): the report asks about that key. */
  keyArn?: string;
  maxClasses?: number;
}

// ---------------------------------------------------------------------------------------------
// Cells

const WORDS: Record<'bucket' | 'key', Record<Outcome, CellWord>> = {
  bucket: { denied: 'denied', allowed: 'allowed', 'not-denied': 'not denied here' },
  // KMS refuses every request its key policy does not allow (the account's IAM policies count only
  // through a statement that allows the account).
  key: { denied: 'denied', allowed: 'allowed', 'not-denied': 'not allowed' },
};
const TONES: Record<Outcome, CellTone> = { denied: 'denied', allowed: 'allowed', 'not-denied': 'open' };

/** The example of one outcome, in words (for a key policy, "not denied" reads "not allowed by the key policy": wording.ts). */
function example(kind: 'bucket' | 'key', outcome: Outcome, request: Witness): ReportExample {
  const text = kind === 'bucket' ? requestClause(request, outcome) : requestClause(request, outcome, undefined, KEY_POLICY);
  return { outcome, request, text };
}

/** A cell of a grouped row: one decision, the statements behind it. */
function groupedCell(kind: 'bucket' | 'key', c: ExplainCell): ReportCell {
  const outcome = outcomeOf(c.decision);
  return {
    word: WORDS[kind][outcome],
    tone: TONES[outcome],
    statements: [...c.statements],
    alsoBy: [...c.alsoBy],
    classes: c.classes,
    examples: [example(kind, outcome, c.example.request)],
  };
}

/**
 * A matrix cell over any classes: one word when they share an outcome; "partly denied" when some are
 * denied and others not; when none is denied but some are allowed and others only not denied, the
 * word of the weaker one (an allowed request is not denied either). Statements as for grouped cells.
 */
function aggregateCell(kind: 'bucket' | 'key', classes: readonly ExplainClass[]): ReportCell | null {
  if (!classes.length) return null;
  const firstOf = new Map<Outcome, ExplainClass>();
  for (const c of classes) {
    const o = outcomeOf(c.decision);
    if (!firstOf.has(o)) firstOf.set(o, c);
  }
  const outcomes = [...firstOf.keys()];
  let word: CellWord;
  let tone: CellTone;
  // The classes whose statements the cell names: all of them when they agree; else those that stand out (denied, or allowed).
  let named: Outcome;
  if (outcomes.length === 1) {
    word = WORDS[kind][outcomes[0]];
    tone = TONES[outcomes[0]];
    named = outcomes[0];
  } else if (firstOf.has('denied')) {
    word = 'partly denied';
    tone = 'mixed';
    named = 'denied';
  } else {
    word = WORDS[kind]['not-denied'];
    tone = 'open';
    named = 'allowed';
  }
  let common: number[] | undefined;
  const union = new Set<number>();
  for (const c of classes) {
    if (outcomeOf(c.decision) !== named) continue;
    common = common ? common.filter(i => c.statements.includes(i)) : [...c.statements];
    for (const i of c.statements) union.add(i);
  }
  const statements = outcomes.length === 1 ? (common ?? []) : [];
  return {
    word,
    tone,
    statements,
    alsoBy: [...union].filter(i => !statements.includes(i)).sort((a, b) => a - b),
    classes: classes.length,
    examples: [...firstOf].map(([o, c]) => example(kind, o, c.request)),
  };
}

const cellKey = (c: ReportCell | null): string => (c ? `${c.word}:${c.statements.join(',')}` : '-');

/** Rows of a matrix from candidates in order; candidates whose cells read the same share a row. */
function matrixRows(candidates: { part: string; cells: (ReportCell | null)[] }[], joiner = '; '): ReportRow[] {
  const rows = new Map<string, { parts: string[]; cells: (ReportCell | null)[] }>();
  for (const c of candidates) {
    if (c.cells.every(x => x === null)) continue;
    const key = c.cells.map(cellKey).join('|');
    const row = rows.get(key);
    if (!row) {
      rows.set(key, { parts: [c.part], cells: c.cells });
      continue;
    }
    row.parts.push(c.part);
    row.cells = row.cells.map((x, i) => (x && c.cells[i] ? merge(x, c.cells[i]!) : (x ?? c.cells[i])));
  }
  return [...rows.values()].map(r => ({ parts: [r.parts.join(joiner)], cells: r.cells }));
}

function merge(a: ReportCell, b: ReportCell): ReportCell {
  const examples = [...a.examples];
  for (const e of b.examples) if (!examples.some(x => x.outcome === e.outcome)) examples.push(e);
  return {
    ...a,
    alsoBy: [...new Set([...a.alsoBy, ...b.alsoBy])].filter(i => !a.statements.includes(i)).sort((x, y) => x - y),
    classes: a.classes + b.classes,
    examples,
  };
}

// ---------------------------------------------------------------------------------------------
// Columns: who

function memberWords(g: GridPrincipal): string {
  const p = g.principal;
  switch (g.role) {
    case 'anonymous':
      return 'anonymous callers';
    case 'service':
      return describePrincipal(p.kind === 'service' ? p.service : '');
    case 'outsider':
      return 'principals of accounts the policy does not name';
    case 'account-other':
      return `other principals of account ${p.kind === 'aws' ? p.account : ''}`;
    case 'named':
      return p.kind === 'aws' ? describePrincipal(p.written ?? p.arn) : describePrincipal(principalName(g));
  }
}

function principalName(g: GridPrincipal): string {
  const p = g.principal;
  return p.kind === 'anonymous' ? 'anonymous' : p.kind === 'service' ? p.service : (p.written ?? p.arn);
}

/** "role/payments-app", "account 111122223333", "user/alice": an IAM ARN's resource, the account for a root. */
function shortArn(arn: string): string {
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(arn);
  if (root) return `account ${root[1]}`;
  const m = /^arn:[^:]+:(?:iam|sts)::\d{12}:(.+)$/s.exec(arn);
  return m ? m[1] : arn;
}

/**
 * A column's header. Anonymous callers with principals of accounts the policy does not name are
 * "everyone else" (the other columns say who is left out); the principals of an account whose
 * "other principals" are in the column, and none of whose principals is in another column, are
 * "everyone in account …".
 */
function columnLabel(members: readonly GridPrincipal[], all: readonly (readonly GridPrincipal[])[]): string {
  const roles = new Set(members.map(m => m.role));
  if (roles.has('anonymous') && roles.has('outsider')) return all.length === 1 ? 'everyone' : 'everyone else';
  const accountOf = (g: GridPrincipal) => (g.principal.kind === 'aws' ? g.principal.account : undefined);
  const whole = new Set<string>();
  for (const m of members) {
    const a = accountOf(m);
    if (m.role !== 'account-other' || !a) continue;
    if (all.every(col => col === members || !col.some(o => accountOf(o) === a))) whole.add(a);
  }
  const names: string[] = [];
  for (const m of members) {
    const a = accountOf(m);
    if (a && whole.has(a)) {
      if (m.role === 'account-other') names.push(`everyone in account ${a}`);
      continue;
    }
    names.push(
      m.role === 'named' && m.principal.kind === 'aws' ? shortArn(m.principal.written ?? m.principal.arn) : memberWords(m),
    );
  }
  return names.length > 3 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Rows: what

const UPLOAD_ACTION = 's3:PutObject';
const BEST_TRANSPORT = tlsCoord('1.3');

/** A grid dimension's values, as a row shows them. */
function scopeWords(grid: ExplainGrid, dim: string, scope: RowScope): string {
  const list = (values: readonly string[], sep = ', ') => values.join(sep);
  switch (dim) {
    case TRANSPORT_DIM:
      return `over ${list(
        scope.values.map(v => (v === HTTP ? 'HTTP' : v)),
        ' or ',
      )}`;
    case ACTION_DIM:
      return scope.rest ? 'any other action' : list(scope.values);
    case UPLOAD_DIM:
      return list(
        scope.values.map(v =>
          v === '' ? 'no upload (the action carries no encryption header)' : describeUploadClass(uploadOf(grid, v)),
        ),
        '; ',
      );
    // Resources are instances of the policy's patterns: named, never "the others".
    case RESOURCE_DIM:
      return `on ${list(scope.values, ' or ')}`;
    case 'path':
      return list(
        scope.values.map(v => (v === DIRECT ? 'called directly' : v === THROUGH_S3 ? 'through S3' : v)),
        ' or ',
      );
    default:
      return `${dim} ${list(
        scope.values.map(v => (v === '' ? 'absent' : `= ${v}`)),
        ' or ',
      )}`;
  }
}

function uploadOf(grid: ExplainGrid, id: string): Parameters<typeof describeUploadClass>[0] {
  const u = grid.uploads?.[Number(id)] ?? { sse: 'none' as const, kmsKey: null };
  return { ...u, decision: 'not-denied', witness: null };
}

// ---------------------------------------------------------------------------------------------
// The sections

interface Built {
  columns: ReportColumn[];
  /** Per column, the classes of its principals. */
  classesOf: ExplainClass[][];
  details: ReportRow[];
}

function buildGrouped(kind: 'bucket' | 'key', grid: ExplainGrid): Built {
  const grouped = groupExplainGrid(grid);
  const memberLists = grouped.columns.map(c => c.members.map(i => grid.principals[i]));
  const columns = memberLists.map(members => ({ label: columnLabel(members, memberLists), members: members.map(memberWords) }));
  const columnIndex = new Map<number, number>();
  grouped.columns.forEach((c, ci) => {
    for (const m of c.members) columnIndex.set(m, ci);
  });
  const classesOf: ExplainClass[][] = grouped.columns.map(() => []);
  for (const c of grid.classes) classesOf[columnIndex.get(c.principal) ?? 0].push(c);
  const details = grouped.rows.map(r => ({
    parts: r.scope.flatMap((s, i) => (s ? [scopeWords(grid, grid.dims[i], s)] : [])),
    cells: r.cells.map(c => (c ? groupedCell(kind, c) : null)),
  }));
  return { columns, classesOf, details };
}

function bucketSection(doc: PolicyDocument, v: BucketVerdict, input: ExplainInput): ReportSection {
  const grid = explainGrid(doc, v.bucket, { maxRequests: input.maxClasses ?? MAX_EXPLAIN_CLASSES });
  const { columns, classesOf, details } = buildGrouped('bucket', grid);
  const at = (dim: string) => grid.dims.indexOf(dim);
  const [tDim, aDim, uDim] = [at(TRANSPORT_DIM), at(ACTION_DIM), at(UPLOAD_DIM)];

  // Uploads over HTTPS, each encryption × each column.
  const uploads = (grid.uploads ?? []).map((u, i) => ({
    part: describeUploadClass({ ...u, decision: 'not-denied', witness: null }),
    cells: classesOf.map(cs =>
      aggregateCell(
        'bucket',
        cs.filter(c => c.coords[tDim] === BEST_TRANSPORT && c.coords[aDim] === UPLOAD_ACTION && c.coords[uDim] === String(i)),
      ),
    ),
  }));
  // Each transport × each column, over the requests the policy does not deny anyway (their TLS 1.3 twin is not denied).
  const transports = [HTTP, ...['1.0', '1.1', '1.2', '1.3'].map(tlsCoord)];
  const twinKey = (c: ExplainClass) => `${c.principal}\u0000${c.coords.map((x, i) => (i === tDim ? '' : x)).join('\u0000')}`;
  const passes = new Set<string>();
  for (const c of grid.classes) if (c.coords[tDim] === BEST_TRANSPORT && c.decision !== 'explicit-deny') passes.add(twinKey(c));
  const transportRows = transports.map(t => ({
    part: t === HTTP ? 'HTTP (no TLS)' : t,
    cells: classesOf.map(cs => {
      const here = cs.filter(c => c.coords[tDim] === t);
      const open = here.filter(c => passes.has(twinKey(c)));
      return aggregateCell('bucket', open.length ? open : here);
    }),
  }));

  return {
    kind: 'bucket',
    heading: `Bucket ${v.bucket}`,
    verdictLine: verdictSummary(v, input.wantedTls),
    summary: explainSummary({ kind: 'bucket', doc, verdict: v, wantedTls: input.wantedTls }),
    complete: v.complete && !grid.truncated,
    columns,
    matrices: [
      {
        title: 'Uploads over HTTPS',
        note: `s3:PutObject over TLS 1.3, by the encryption the upload asks for. Uploads with the same outcome share a row.`,
        rowHeader: 'Upload encryption',
        rows: matrixRows(uploads),
      },
      {
        title: 'HTTP and TLS versions',
        note: 'Every request this policy does not deny for another reason (the same request over TLS 1.3 is not denied), by how it is sent.',
        rowHeader: 'Sent over',
        rows: matrixRows(transportRows, ', '),
      },
    ],
    details: {
      title: 'Every request class',
      note: 'Request classes that every column decides alike, by the same statements, share a row.',
      rowHeader: 'Requests',
      rows: details,
    },
    requestClasses: grid.classes.length,
    truncated: grid.truncated,
  };
}

const KEY_USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'];

function keySection(doc: PolicyDocument, v: KeyPolicyVerdict, input: ExplainInput): ReportSection {
  const grid = explainKeyGrid(doc, { maxRequests: input.maxClasses ?? MAX_EXPLAIN_CLASSES, keyArn: input.keyArn });
  const { columns, classesOf, details } = buildGrouped('key', grid);
  // Who may do what: each action and path × each column; rows that read the same merge.
  const coords: string[][] = [];
  const seen = new Set<string>();
  for (const c of grid.classes) {
    const k = c.coords.join('\u0000');
    if (!seen.has(k)) {
      seen.add(k);
      coords.push([...c.coords]);
    }
  }
  const candidates = coords.map(([action, path]) => ({
    part: `${action} ${path === DIRECT ? 'called directly' : 'through S3'}`,
    cells: classesOf.map(cs =>
      aggregateCell(
        'key',
        cs.filter(c => c.coords[0] === action && c.coords[1] === path),
      ),
    ),
  }));
  const users = columns
    .filter((_, ci) => classesOf[ci].some(c => KEY_USE.includes(c.coords[0]) && c.decision === 'allow'))
    .map(c => c.label);
  return {
    kind: 'key',
    heading: 'Key policy',
    verdictLine: keyVerdictSummary(v),
    summary: explainSummary({ kind: 'key', doc, verdict: v, users }),
    complete: v.complete && !grid.truncated,
    columns,
    matrices: [
      {
        title: 'Who may administer and use the key',
        note: "Each key action, called directly or by S3 on the caller's behalf (kms:ViaService). KMS refuses what the key policy does not allow.",
        rowHeader: 'Action',
        rows: matrixRows(candidates),
      },
    ],
    details: {
      title: 'Every request class',
      note: 'Request classes that every column decides alike, by the same statements, share a row.',
      rowHeader: 'Requests',
      rows: details,
    },
    requestClasses: grid.classes.length,
    truncated: grid.truncated,
  };
}

// ---------------------------------------------------------------------------------------------
// The summary

export type SummaryInput =
  | { kind: 'bucket'; doc: PolicyDocument; verdict: BucketVerdict; wantedTls?: string | null }
  | { kind: 'key'; doc: PolicyDocument; verdict: KeyPolicyVerdict; users: readonly string[] };

const INCOMPLETE =
  'Some statements could not be decided (policy variables, unknown operators, or more work than one analysis may do): the decisions assume they do not apply.';

/**
 * The verdict in plain words, one sentence a line, values as they are (the caller escapes): the
 * first thing both the report view and `explain` show. Each example request is replayed through
 * the engine so that its verb says what the policy decides about it.
 */
export function explainSummary(input: SummaryInput): string[] {
  const compiled = compilePolicy(input.doc);
  const outcome = (w: Witness, key = false) =>
    outcomeOf(compiled.evaluate(key ? keyRequestFromWitness(w) : witnessToRequest(w)).decision);
  const out: string[] = [];
  if (input.kind === 'bucket') {
    const v = input.verdict;
    const t = v.transport;
    if (t.http === 'denied') out.push('HTTPS is enforced: every request over plain HTTP is denied.');
    else {
      const how =
        t.http === 'partly-denied'
          ? 'HTTPS is only partly enforced: some requests over plain HTTP are denied, not all'
          : 'HTTPS is not enforced';
      out.push(t.witness ? `${how}. For example, ${requestClause(t.witness, outcome(t.witness))}.` : `${how}.`);
    }
    const below = ['1.0', '1.1', '1.2'].filter(x => t.minTlsVersion && x < t.minTlsVersion);
    if (t.minTlsVersion)
      out.push(`TLS ${t.minTlsVersion} or later is required: requests over TLS ${below.join(' and ')} are denied.`);
    else
      out.push(
        `No minimum TLS version is enforced: requests over TLS 1.0 are not denied${input.wantedTls ? ` (your requirement is TLS ${input.wantedTls} or later)` : ''}.`,
      );
    const denied = v.encryption.uploads.filter(u => u.decision === 'denied').map(u => describeUploadClass(u));
    const open = v.encryption.uploads.filter(u => u.decision === 'not-denied');
    if (!open.length) out.push('Every upload is denied, whatever its encryption: nobody can write to this bucket.');
    else if (!denied.length) out.push('No upload is denied for its encryption: uploads may ask for any encryption, or none.');
    else {
      out.push(`Denied: ${denied.join('; ')}.`);
      out.push(`Not denied here: ${open.map(u => describeUploadClass(u)).join('; ')}.`);
    }
    if (open.some(u => u.sse === 'none')) out.push("Uploads without an encryption header get the bucket's default encryption.");
    if (!v.complete) out.push(INCOMPLETE);
    return out;
  }
  const v = input.verdict;
  out.push(
    v.lockout
      ? 'Nobody can administer this key: no principal may call kms:PutKeyPolicy, so this policy can never be changed again (only AWS Support can help). Keep the account root statement (KMS-001).'
      : `Administered by (may call kms:PutKeyPolicy): ${v.administrators.map(a => (a === '*' ? 'anyone the conditions let through' : shortArn(a))).join(', ')}.`,
  );
  out.push(
    input.users.length
      ? `The key policy lets these callers use the key (${KEY_USE.join(', ')}): ${input.users.join('; ')}.`
      : `Nobody may use the key for ${KEY_USE.join(', ')}.`,
  );
  const keyWitness = (w: Witness): Witness => ({ ...w, resource: 'this key' });
  if (v.openToAnonymous.value && v.openToAnonymous.witness)
    out.push(
      `Open to anonymous callers: for example, ${requestClause(keyWitness(v.openToAnonymous.witness), outcome(v.openToAnonymous.witness, true), undefined, KEY_POLICY)}.`,
    );
  if (v.openToOtherAccounts.value && v.openToOtherAccounts.witness)
    out.push(
      `Open to other accounts: for example, ${requestClause(keyWitness(v.openToOtherAccounts.witness), outcome(v.openToOtherAccounts.witness, true), undefined, KEY_POLICY)}.`,
    );
  else if (v.openToOrganization?.value)
    out.push(
      `Open to every account of organisation ${v.openToOrganization.organizations.join(', ') || '(the one it names)'}, not only the accounts the policy names.`,
    );
  if (!v.openToAnonymous.value && !v.openToOtherAccounts.value && !v.openToOrganization?.value)
    out.push('Not open to other accounts or to anonymous callers.');
  out.push(
    v.s3CanUse.value
      ? `S3 can use the key for SSE-KMS uploads and downloads (kms:GenerateDataKey and kms:Decrypt through ${v.s3CanUse.viaService}).`
      : 'S3 cannot use the key: no principal of the accounts the policy names may call kms:GenerateDataKey and kms:Decrypt through S3, so SSE-KMS uploads with this key fail (KMS-005).',
  );
  if (!v.complete) out.push(INCOMPLETE);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The report

function statementRefs(doc: PolicyDocument, lines: LineIndex): (StatementRef | null)[] {
  const labels = statementLabels(doc);
  const out: (StatementRef | null)[] = [];
  for (const st of doc.statements) {
    const label = labels.get(st.index);
    out[st.index] = {
      label: typeof label === 'string' ? label : `statement ${st.index + 1}`,
      range: lines.range(st.sid?.span ?? { offset: st.span.offset, length: 1 }),
    };
  }
  for (let i = 0; i < out.length; i++) out[i] ??= null;
  return out;
}

/** The report of one analysed policy. Never throws for a policy it cannot explain: `message` says why. */
export function explainReport(input: ExplainInput): ExplainReport {
  const { analysis, lines } = input;
  const file = fileName(input.uri);
  const doc = analysis.doc;
  const kind = analysis.kind.kind === 'bucket-policy' || analysis.kind.kind === 'key-policy' ? analysis.kind.kind : 'other';
  const empty = (message: string): ExplainReport => ({ uri: input.uri, file, kind, message, statements: [], sections: [] });
  if (analysis.notAnalysed) return empty(`This file was not analysed: ${analysis.notAnalysed}.`);
  if (kind === 'other' || !doc) {
    return empty(
      `This file is checked as ${analysis.kind.kind} (${analysis.kind.reason}). The report is for S3 bucket policies and KMS key policies.`,
    );
  }
  const syntax = doc.syntaxErrors[0];
  if (syntax) {
    const at = lines.position(syntax.span.offset);
    return empty(
      `Line ${at.line + 1}, column ${at.character + 1}: ${syntax.message}. AWS rejects a policy that does not parse, so there is nothing to explain yet.`,
    );
  }
  if (!doc.root) return empty('The document is empty. AWS rejects an empty policy, so there is nothing to explain yet.');
  const statements = statementRefs(doc, lines);
  if (kind === 'key-policy') {
    if (!analysis.keyVerdict) return empty('The key policy could not be evaluated (an internal error; see the log).');
    return { uri: input.uri, file, kind, statements, sections: [keySection(doc, analysis.keyVerdict, input)] };
  }
  const verdicts = (analysis.verdicts ?? []).filter(v => !input.bucket || v.bucket === input.bucket);
  if (!verdicts.length) {
    return empty(
      'The policy names no bucket in its Resource ARNs, so there is nothing to evaluate. Add "arn:aws:s3:::BUCKET" and "arn:aws:s3:::BUCKET/*", or set s3EncryptionGuard.bucketName.',
    );
  }
  return { uri: input.uri, file, kind, statements, sections: verdicts.map(v => bucketSection(doc, v, input)) };
}

function fileName(uri: string): string {
  const path = uri.replace(/[?#].*$/s, '');
  let name = path.slice(path.lastIndexOf('/') + 1) || path;
  try {
    name = decodeURIComponent(name);
  } catch {
    /* keep it as written */
  }
  return name;
}

/** How a decision reads in a cell of the given report kind (for tests and renderers). */
export const wordOf = (kind: 'bucket' | 'key', decision: Decision): CellWord => WORDS[kind][outcomeOf(decision)];
