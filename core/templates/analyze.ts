// The analysis of one infrastructure template: find its policies (the scanner), run the one
// engine on each exactly as on a JSON policy file, and bring every finding and fix back to the
// template. Values the template does not fix are analysed as symbols: each placeholder becomes a
// fresh value of its own (the same name, the same value: `!Ref DataBucket` in the Resource and the
// policy's Bucket are one bucket), so a verdict never rests on a guessed literal; where a verdict
// rests on a value that could be anything (a parameter without a default, an import), it says so.
import { analyze, LIMIT_CODE, type Analysis, type AnalysisSettings } from '../analyze';
import { BoundedCache, stringBytes } from '../bounded-cache';
import type { JsonNode, Span } from '../policy/model';
import { renderMessage } from '../rules/messages';
import type { Finding, Fix, RuleMeta } from '../rules/types';
import { tpl006 } from './rules/TPL-006-depends-on-unresolved';
import { crossResourceFindings } from './cross-resource';
import type { EngineView } from './rules/types';
import { findScanner } from './index';
import { end } from './tree';
import {
  PLACEHOLDER_CLOSE,
  PLACEHOLDER_OPEN,
  type EmbeddedPolicy,
  type TemplateAnalysis,
  type TemplateEntry,
  type PartCache,
  type TemplateScan,
  type TemplateScanner,
} from './types';

/** The code of a template's own syntax errors (YAML, HCL): not an AWS rule, reported once per template. */
export const TEMPLATE_SYNTAX_CODE = 'template-syntax';
/** The rule that says a verdict depends on a value the template does not fix. */
export const DEPENDS_RULE_ID = tpl006.meta.id;

/**
 * What one template's analyses share across its versions: a keystroke inside one policy re-parses
 * the part of the template it is in and re-analyses that policy only.
 */
export class TemplateCache {
  /** The engine's analyses, keyed by kind, settings and the policy's text as the engine reads it. */
  readonly analyses: BoundedCache<string, Analysis>;
  /** The scanner's parsed parts (resources, blocks), keyed by their text. */
  readonly parts: PartCache;
  constructor(maxBytes: number) {
    // Parts take a quarter: a 500 KB template's parsed parts hold a few megabytes.
    this.analyses = new BoundedCache<string, Analysis>({ maxBytes: maxBytes - (maxBytes >> 2) });
    this.parts = new BoundedCache<string, unknown>({ maxBytes: maxBytes >> 2 });
  }
}

/** A cache for `analyzeTemplate`: 32 MB of analyses and parsed parts. */
export function createTemplateCache(maxBytes = 32 * 1024 * 1024): TemplateCache {
  return new TemplateCache(maxBytes);
}

export interface TemplateAnalysisOptions {
  cache?: TemplateCache;
  /** Use this scanner rather than the one that claims the file (tests, `check --format`). */
  scanner?: TemplateScanner;
}

const info = (ruleId: string, span: Span, message: string): Finding => ({ ruleId, severity: 'info', span, message, fixes: [] });

/** Analyse one template. Never throws. */
export function analyzeTemplate(
  text: string,
  fileName: string,
  settings: AnalysisSettings = {},
  options: TemplateAnalysisOptions | TemplateCache = {},
): TemplateAnalysis {
  const opts: TemplateAnalysisOptions = options instanceof TemplateCache ? { cache: options } : options;
  const scanner = opts.scanner ?? findScanner(fileName, text);
  const start: Span = { offset: 0, length: Math.min(1, text.length) };
  if (!scanner) return { format: 'cloudformation', entries: [], findings: [] };
  let scan: TemplateScan;
  try {
    scan = scanner.scan(text, fileName, opts.cache?.parts);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0].slice(0, 160) : String(e);
    return {
      format: scanner.format,
      entries: [],
      findings: [
        info(
          LIMIT_CODE,
          start,
          `Not analysed as a template: the scanner failed (${why}). This is a bug of ours; the file itself may be fine.`,
        ),
      ],
    };
  }
  const findings: Finding[] = scan.errors.map(e => ({
    ruleId: TEMPLATE_SYNTAX_CODE,
    severity: 'error' as const,
    span: e.span,
    message: e.message,
    fixes: [],
  }));
  if (scan.notScanned) {
    findings.push(info(LIMIT_CODE, start, `Not analysed as a template: ${scan.notScanned}. Policies in it are not checked.`));
    return { format: scan.format, entries: [], findings };
  }
  const settingsKey = JSON.stringify([
    settings.rules ?? {},
    settings.requirements ?? {},
    settings.maxSteps,
    settings.maxStatements,
    settings.maxDiagnostics,
    settings.maxFileSize,
  ]);
  const entries: TemplateEntry[] = [];
  const views = new Map<TemplateEntry, EngineRun>();
  for (const policy of scan.policies) {
    try {
      entries.push(policyEntry(policy, fileName, settings, settingsKey, opts.cache, views));
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0].slice(0, 160) : String(e);
      entries.push({
        kind: policy.kind,
        location: policy.location,
        span: policy.span,
        policy,
        findings: [info(LIMIT_CODE, policy.span, `Not analysed: ${why} (a bug of ours).`)],
      });
    }
  }
  const names = new Map<string, string>();
  for (const v of views.values()) for (const sym of v.tokenized.symbols.values()) names.set(sym.token, sym.name);
  // Longest token first (see longestFirst).
  const byLength = [...names].sort((a, b) => b[0].length - a[0].length);
  const displayName = (text: string): string => {
    for (const [token, name] of byLength) if (text.includes(token)) text = replaceAll(text, token, '${' + name + '}');
    return text;
  };
  const engineOf = (entry: TemplateEntry): EngineView | undefined => {
    const v = views.get(entry);
    if (!v?.engine.doc) return undefined;
    return {
      doc: v.engine.doc,
      bucketName: v.bucketName ?? v.engine.bucketName ?? '',
      stackKeyArn: `arn:aws:kms:${REGION_TOKEN}:${ACCOUNT_TOKEN}:key/00000000-0000-4000-8000-0000000000aa`,
      stackAccount: ACCOUNT_TOKEN,
    };
  };
  try {
    entries.push(...crossResourceFindings(scan, entries, settings, { text, engineOf, displayName }));
  } catch {
    // A cross-resource check that throws is a bug of ours; the policies' own findings still stand.
  }
  return { format: scan.format, entries, findings };
}

/** A placeholder's stand-in for the engine: a value of its own, shaped like what it stands for. */
interface SymbolicValue {
  name: string;
  token: string;
  /** Stands for one value the template creates (a resource, the stack's account or Region), not for "anything". */
  fixed: boolean;
}

/** Placeholders in `json`, in order: [offset, length, name]. */
function placeholdersIn(json: string): [number, number, string][] {
  const out: [number, number, string][] = [];
  let pos = 0;
  for (;;) {
    const open = json.indexOf(PLACEHOLDER_OPEN, pos);
    if (open < 0) break;
    const close = json.indexOf(PLACEHOLDER_CLOSE, open + PLACEHOLDER_OPEN.length);
    if (close < 0) break;
    out.push([open, close + PLACEHOLDER_CLOSE.length - open, json.slice(open + PLACEHOLDER_OPEN.length, close)]);
    pos = close + PLACEHOLDER_CLOSE.length;
  }
  return out;
}

/**
 * The stack's account and Region as the engine sees them: the same in every policy of a template, so
 * that checks across policies agree. Key and role ARNs the stack creates carry them too (tokenFor).
 */
export const ACCOUNT_TOKEN = '900000000000';
export const REGION_TOKEN = 'zz-unresolved-1';

/** A 32-bit FNV-1a hash of `s`. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Terraform's data sources for the caller's account and Region: the stack's own, as in CloudFormation. */
const TF_ACCOUNT = /^data\.aws_caller_identity\.[\w-]+\.account_id$/;
const TF_REGION = /^data\.aws_region\.[\w-]+\.(?:name|region|id)$/;
/** `aws_kms_key.data.arn`: a Terraform resource's attribute (the type is in the name). */
const TF_ATTRIBUTE = /^(aws_[a-z0-9_]+)\.[A-Za-z_][\w-]*\.([a-z_]+)$/;

/**
 * What a value of a resource looks like, from the resource's type and the attribute: a key's ARN
 * or ID, a role's or user's ARN, another resource's ARN. Undefined for anything else (a name, a
 * URL), which keeps the plain stand-in.
 */
function shapeOf(name: string, resourceType: string | undefined): { arn: string } | { keyId: true } | undefined {
  let service: string;
  let kind: string;
  let attribute: string;
  const tf = TF_ATTRIBUTE.exec(name);
  if (resourceType?.startsWith('AWS::')) {
    [, service = '', kind = ''] = resourceType.toLowerCase().split('::');
    const dot = name.lastIndexOf('.');
    attribute = dot < 0 ? 'ref' : name.slice(dot + 1).toLowerCase();
  } else if (tf) {
    const parts = tf[1].split('_');
    service = parts[1] ?? '';
    kind = parts.slice(2).join('-');
    attribute = tf[2];
  } else return undefined;
  const isKey = service === 'kms' && kind === 'key';
  if (isKey && (attribute === 'ref' || attribute === 'keyid' || attribute === 'key_id' || attribute === 'id'))
    return { keyId: true };
  if (attribute !== 'arn' || !/^[a-z0-9-]+$/.test(service) || !kind) return undefined;
  if (isKey) return { arn: `arn:aws:kms:${REGION_TOKEN}:${ACCOUNT_TOKEN}:key/` };
  // IAM is global: its ARNs have no Region.
  if (service === 'iam') return { arn: `arn:aws:iam::${ACCOUNT_TOKEN}:${kind}/` };
  return { arn: `arn:aws:${service}:${REGION_TOKEN}:${ACCOUNT_TOKEN}:${kind}/` };
}

/**
 * The token for a placeholder: an account ID for the stack's account, a Region-shaped name for its
 * Region; for a resource's key ID or ARN, a value of that shape (`arn:aws:kms:…:key/<uuid>`,
 * `arn:aws:iam::…:role/<name>`), so that the engine reads a role as a principal and a key ARN as a
 * key ARN rather than as a malformed value; else a lower-case name that is a valid bucket name and
 * ARN part and has no wildcard or `${`, so every rule reads it as the plain value it is. The same
 * name gives the same token in every policy of a template (a short hash keeps different names apart).
 */
function tokenFor(name: string, resourceType?: string): string {
  if (name === 'AWS::AccountId' || TF_ACCOUNT.test(name)) return ACCOUNT_TOKEN;
  if (name === 'AWS::Region' || TF_REGION.test(name)) return REGION_TOKEN;
  const h = fnv(name);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const plain = `zz${h.toString(36)}-${slug || 'value'}`;
  const shape = shapeOf(name, resourceType);
  if (!shape) return plain;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
  const uuid = `${hex(h, 8)}-0000-4000-8000-${hex(fnv(`${name}#`), 8)}${hex(h, 4)}`;
  return 'keyId' in shape ? uuid : shape.arn + (shape.arn.includes(':kms:') ? uuid : plain);
}

/** Symbols longest token first: a key ARN's token holds the account's and the Region's, which must not be replaced inside it. */
const longestFirst = (symbols: Iterable<SymbolicValue>): SymbolicValue[] =>
  [...symbols].sort((a, b) => b.token.length - a.token.length);

const resourceTypeOf = (name: string, policy: EmbeddedPolicy): string | undefined =>
  policy.unresolved.find(x => x.name === name && x.resourceType)?.resourceType;

/** The symbol for the placeholder `name`, made on first sight: one token per name in a policy. */
function symbolFor(name: string, symbols: Map<string, SymbolicValue>, policy: EmbeddedPolicy): SymbolicValue {
  let s = symbols.get(name);
  if (!s) {
    s = { name, token: tokenFor(name, resourceTypeOf(name, policy)), fixed: isFixedSymbol(name, policy) };
    symbols.set(name, s);
  }
  return s;
}

/** Template names whose value is one thing the template (or the stack) creates: the same everywhere, unlike "anything". */
function isFixedSymbol(name: string, policy: EmbeddedPolicy): boolean {
  const u = policy.unresolved.find(x => x.name === name);
  if (u?.symbolic !== undefined) return u.symbolic;
  return name === 'AWS::AccountId' || name === 'AWS::Region';
}

/**
 * Rules whose findings rest on the engine's verdicts (what is denied, who is allowed): when the
 * verdict rests on a value that could be anything, they are told as what follows from the assumption.
 */
const VERDICT_RULE = /^(TLS-\d+|ENC-0(0[3-79]|1[0-8])|KMS-00[1-5])$/;

/**
 * Symbols that could stand for anything and on which the verdict rests: in a Deny of a bucket policy
 * (a Resource or condition value it may or may not match), in any statement of a key policy (an
 * Allow's principal may be anyone). The bucket's own name is the bucket, whatever it is.
 */
function freeSymbols(
  engine: Analysis,
  t: Tokenized,
  kind: EmbeddedPolicy['kind'],
  bucketName: string | undefined,
): SymbolicValue[] {
  const candidates = [...t.symbols.values()].filter(s => !s.fixed && !(bucketName ?? '').includes(s.token));
  if (!candidates.length || !engine.doc) return [];
  if (kind === 'key-policy') return candidates;
  // In a bucket policy only what an Allow says is harmless to the verdict (it denies nothing); a
  // value anywhere else (a Deny, a whole statement under `Fn::If`) may decide what is denied.
  const text = engine.doc.text;
  const allows = engine.doc.statements
    .filter(st => st.effect?.value === 'Allow')
    .map(st => text.slice(st.span.offset, end(st.span)));
  const count = (hay: string, needle: string): number => hay.split(needle).length - 1;
  return candidates.filter(s => count(text, s.token) > allows.reduce((n, st) => n + count(st, s.token), 0));
}

interface Tokenized {
  json: string;
  symbols: Map<string, SymbolicValue>;
  /** Replacements in order: original offset/length, engine offset/length. */
  swaps: { from: number; fromLength: number; to: number; toLength: number; name: string }[];
}

function tokenize(policy: EmbeddedPolicy): Tokenized {
  const symbols = new Map<string, SymbolicValue>();
  const swaps: Tokenized['swaps'] = [];
  let out = '';
  let pos = 0;
  for (const [offset, length, name] of placeholdersIn(policy.json)) {
    const s = symbolFor(name, symbols, policy);
    out += policy.json.slice(pos, offset);
    swaps.push({ from: offset, fromLength: length, to: out.length, toLength: s.token.length, name });
    out += s.token;
    pos = offset + length;
  }
  return { json: out + policy.json.slice(pos), symbols, swaps };
}

/** A string in which every placeholder is replaced by its token (a bucket name, a key ARN). */
function tokenizeValue(
  value: string | undefined,
  symbols: Map<string, SymbolicValue>,
  policy: EmbeddedPolicy,
): string | undefined {
  if (value === undefined) return undefined;
  let out = '';
  let pos = 0;
  for (const [offset, length, name] of placeholdersIn(value)) {
    out += value.slice(pos, offset) + symbolFor(name, symbols, policy).token;
    pos = offset + length;
  }
  return out + value.slice(pos);
}

/** An offset of the engine's text as an offset of `policy.json`; inside a token, its placeholder's start or end. */
function toPolicyOffset(t: Tokenized, o: number, side: 'start' | 'end'): number {
  let delta = 0;
  for (const s of t.swaps) {
    if (o < s.to) break;
    if (o < s.to + s.toLength || (side === 'end' && o === s.to + s.toLength))
      return side === 'start' ? s.from : s.from + s.fromLength;
    delta = s.from + s.fromLength - (s.to + s.toLength);
  }
  return o + delta;
}

function toPolicySpan(t: Tokenized, span: Span): Span {
  if (!t.swaps.length) return span;
  const from = toPolicyOffset(t, span.offset, 'start');
  const to = span.length ? toPolicyOffset(t, end(span), 'end') : from;
  return { offset: from, length: Math.max(0, to - from) };
}

const replaceAll = (s: string, find: string, by: string): string => (find ? s.split(find).join(by) : s);

/** Tokens back to placeholders (fix text: the template writes `${Name}` back) or to `${Name}` (what people read). */
function untokenize(s: string, t: Tokenized, as: 'placeholder' | 'display'): string {
  for (const sym of longestFirst(t.symbols.values())) {
    if (!s.includes(sym.token)) continue;
    s = replaceAll(s, sym.token, as === 'placeholder' ? PLACEHOLDER_OPEN + sym.name + PLACEHOLDER_CLOSE : '${' + sym.name + '}');
  }
  return s;
}

/** Strings of the engine's tree that hold a token: findings inside them are about a value the template does not write literally. */
function tokenStrings(root: JsonNode | undefined, t: Tokenized): Span[] {
  if (!root || !t.symbols.size) return [];
  const tokens = [...t.symbols.values()].map(s => s.token);
  const out: Span[] = [];
  const stack: JsonNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string' && typeof n.value === 'string' && tokens.some(tok => (n.value as string).includes(tok)))
      out.push({ offset: n.offset, length: n.length });
    for (const c of n.children ?? []) stack.push(c);
  }
  return out;
}

function deepUntokenize<T>(value: T, t: Tokenized, budget = { left: 10_000 }): T {
  if (budget.left-- <= 0) return value;
  if (typeof value === 'string') return untokenize(value, t, 'display') as T;
  if (Array.isArray(value)) return value.map(v => deepUntokenize(v, t, budget)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepUntokenize(v, t, budget);
    return out as T;
  }
  return value;
}

/**
 * The finding with its fixes translated on first read: a template's analysis carries hundreds of
 * findings, and only those the user acts on (a code action, `check --fix`) need their edits written
 * in the template. The property reads and serialises like a plain array.
 */
function withLazyFixes(finding: Finding, translate: () => Fix[]): Finding {
  let memo: Fix[] | undefined;
  Object.defineProperty(finding, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (memo ??= translate()),
    set: (v: Fix[]) => {
      memo = v;
    },
  });
  return finding;
}

/** What the engine saw of one policy: kept for the checks across resources. */
interface EngineRun {
  engine: Analysis;
  tokenized: Tokenized;
  bucketName?: string;
}

function policyEntry(
  policy: EmbeddedPolicy,
  fileName: string,
  settings: AnalysisSettings,
  settingsKey: string,
  cache: TemplateCache | undefined,
  views: Map<TemplateEntry, EngineRun>,
): TemplateEntry {
  const t = tokenize(policy);
  const bucketName = tokenizeValue(policy.bucketName, t.symbols, policy);
  const keyArn = tokenizeValue(policy.keyArn, t.symbols, policy);
  const policySettings: AnalysisSettings = {
    ...settings,
    // The template says what the value is; the user's globs for JSON files do not apply to it.
    kinds: { '**': policy.kind },
    bucketName,
    keyArn,
  };
  const key = `${policy.kind}\0${bucketName ?? ''}\0${keyArn ?? ''}\0${settingsKey}\0${t.json}`;
  let engine = cache?.analyses.get(key);
  if (!engine) {
    engine = analyze(t.json, `${fileName}#${policy.location}`, policySettings);
    cache?.analyses.set(key, engine, stringBytes(key) * 6);
  }
  const reason =
    policy.kind === 'bucket-policy'
      ? `it is the policy of an S3 bucket policy resource in the template (${policy.location})`
      : `it is the key policy of a KMS key resource in the template (${policy.location})`;
  const analysis: Analysis = t.symbols.size
    ? {
        ...engine,
        kind: { kind: policy.kind, source: 'content', reason },
        bucketName: policy.bucketName === undefined ? engine.bucketName : untokenize(bucketName ?? '', t, 'display'),
        verdicts: engine.verdicts && deepUntokenize(engine.verdicts, t),
        keyVerdict: engine.keyVerdict && deepUntokenize(engine.keyVerdict, t),
      }
    : { ...engine, kind: { kind: policy.kind, source: 'content', reason } };

  const inTokens = tokenStrings(engine.doc?.root, t);
  const findings: Finding[] = [];
  for (const f of engine.findings) {
    // A grammar check on a value the template does not fix ("not an ARN") is about our stand-in, not the template.
    if (f.ruleId !== LIMIT_CODE && inTokens.some(s => s.offset <= f.span.offset && end(f.span) <= end(s))) continue;
    const translate = (): Fix[] => {
      const fixes: Fix[] = [];
      for (const fix of f.fixes) {
        const edits = [];
        for (const e of fix.edits) {
          const te = policy.translateEdit({ span: toPolicySpan(t, e.span), newText: untokenize(e.newText, t, 'placeholder') });
          if (!te) break;
          edits.push(te);
        }
        if (edits.length === fix.edits.length) fixes.push({ ...fix, title: untokenize(fix.title, t, 'display'), edits });
      }
      return fixes;
    };
    const finding: Finding = {
      ...f,
      span: policy.toTemplate(toPolicySpan(t, f.span)),
      message: untokenize(f.message, t, 'display'),
      ...(f.detail !== undefined ? { detail: untokenize(f.detail, t, 'display') } : {}),
      fixes: [],
    };
    findings.push(f.fixes.length ? withLazyFixes(finding, translate) : finding);
  }

  // A value that could be anything (a parameter without a default, an import): the verdict assumed
  // it is a value of its own, and says so.
  const free = freeSymbols(engine, t, policy.kind, bucketName);
  const entry: TemplateEntry = { kind: policy.kind, location: policy.location, span: policy.span, analysis, policy, findings };
  views.set(entry, { engine, tokenized: t, bucketName });
  if (free.length && !engine.notAnalysed && !engine.notEvaluated) {
    const names = free.map(s => '${' + s.name + '}');
    // What the verdict says rests on the assumption: never a warning that something is not enforced only because a value is unknown.
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i];
      if (!VERDICT_RULE.test(f.ruleId) || f.severity === 'info') continue;
      findings[i] = {
        ...f,
        severity: 'info',
        message: `If ${names.join(' and ')} ${names.length > 1 ? 'are values' : 'is a value'} of ${names.length > 1 ? 'their' : 'its'} own: ${f.message}`,
      };
    }
    entry.dependsOn = free.map(s => s.name);
    if (analysis.verdicts) analysis.verdicts = analysis.verdicts.map(v => ({ ...v, complete: false }));
    if (analysis.keyVerdict) analysis.keyVerdict = { ...analysis.keyVerdict, complete: false };
    const first = policy.unresolved.find(u => u.name === free[0].name)?.span ?? policy.span;
    const setting = settings.rules?.[DEPENDS_RULE_ID];
    if (setting !== 'off') {
      const text = renderMessage(tpl006.meta as unknown as RuleMeta, 'dependsOn', {
        names: names.join(', '),
        them: names.length > 1 ? 'each of these were' : 'it were',
      });
      findings.push({
        ruleId: DEPENDS_RULE_ID,
        severity: setting ?? 'info',
        span: first,
        messageId: 'dependsOn',
        ...text,
        fixes: [],
      });
    }
  }
  findings.sort((a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId));
  return entry;
}
