// Completion in policy documents: element names, Effect and Version values, actions (with
// wildcard families), condition operators, condition keys, values of enumerated keys, bucket
// ARNs and principals seen in the document. Only for documents the analysis took for a policy.
//
// The cursor's place in the JSON comes from jsonc-parser's scanner (`getLocation`), which copes
// with the half-typed text of a keystroke (`"Action": "s3:Pu` unterminated); everything else is
// read from the cached analysis. Every item replaces the whole string token under the cursor,
// quotes included, so that accepting it leaves valid JSON; and every item is something AWS
// accepts in that place (the tests insert each one and re-check with the grammar rules).
import { getLocation, type JSONPath, type Node as JsonNode } from 'jsonc-parser';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from 'vscode-languageserver';
import {
  SERVICE_PRINCIPALS,
  actionFamilies,
  actionsNamed,
  allActions,
  allConditionKeys,
  keyAppliesToAction,
  keyFacts,
  lookupAction,
  lookupConditionKey,
  nullOperatorValues,
  resourceTypesOf,
  type ActionInfo,
  type ConditionKeyInfo,
  type ConditionKeyType,
  type KnownService,
  type KnownValue,
} from '../../core/knowledge';
import {
  describeAction,
  describeActionPattern,
  describeConditionKey,
  describeOperator,
  keyTypeText,
} from '../../core/knowledge/describe';
import { iamIdentity, parseArn, parseS3Arn, PARTITIONS } from '../../core/policy/arn';
import type { PolicyDocument, PolicyKind, Statement } from '../../core/policy/model';
import { ALL_OPERATOR_NAMES, parseOperator, type OperatorFamily } from '../../core/policy/operators';
import { containsWildcard } from '../../core/policy/wildcard';
import type { DocumentAnalysis } from './document-analysis';
import { templateCompletion } from './templates';
import type { AnalysisSettings } from '../../core/analyze';
import { plainLine } from '../../shared/escape';

export const COMPLETION_TRIGGER_CHARACTERS = ['"', ':'];

const TOP_LEVEL = ['Version', 'Statement'] as const;
const STATEMENT_ELEMENTS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
] as const;
/** Elements that AWS refuses together in one statement (GRM-006, GRM-007, docs/design/aws-facts.md#grm-001). */
const EXCLUSIVE: Record<string, string> = {
  Principal: 'NotPrincipal',
  NotPrincipal: 'Principal',
  Action: 'NotAction',
  NotAction: 'Action',
  Resource: 'NotResource',
  NotResource: 'Resource',
};
const TRIGGER_SUGGEST = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

/** Which operator families a key type accepts (as GRM-012 checks them). */
const FAMILIES_OF_TYPE: Record<string, readonly OperatorFamily[]> = {
  String: ['String'],
  ARN: ['Arn', 'String'],
  Numeric: ['Numeric'],
  Bool: ['Bool'],
  Date: ['Date'],
  IPAddress: ['IpAddress'],
  Binary: ['Binary'],
};

function familiesOf(k: ConditionKeyInfo): OperatorFamily[] {
  const types: ConditionKeyType[] = [k.type, ...(k.alsoAccepts ?? [])];
  return types.flatMap(t => FAMILIES_OF_TYPE[t.replace(/^ArrayOf/, '')] ?? []);
}

/** Can `operator` compare `key` without a type mismatch? Null tests presence, so it takes every key. */
function operatorFits(family: OperatorFamily, k: ConditionKeyInfo): boolean {
  return family === 'Null' || familiesOf(k).includes(family);
}

function servicesFor(kind: PolicyKind): KnownService[] {
  return kind === 'bucket-policy' ? ['s3'] : kind === 'key-policy' ? ['kms'] : ['s3', 'kms'];
}

/** Escape literal text for a snippet (`$`, `}` and `\` are special). */
const snippetText = (s: string): string => s.replace(/[$}\\]/g, m => `\\${m}`);

// ---------------------------------------------------------------------------------------------
// Where the cursor is

interface Place {
  path: JSONPath;
  atKey: boolean;
  /** The text to replace: the whole string token under the cursor (quotes included), or empty at the cursor. */
  range: { start: number; end: number };
  inString: boolean;
}

/** Is the string token closed? A lone `"`, or one ending in an escaped quote, is not. */
function terminated(text: string, start: number, length: number): boolean {
  if (length < 2 || text.charCodeAt(start + length - 1) !== 0x22) return false;
  let backslashes = 0;
  for (let i = start + length - 2; i > start && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 0;
}

function placeAt(text: string, offset: number): Place | undefined {
  const loc = getLocation(text, offset);
  const prev = loc.previousNode;
  if (prev) {
    if (prev.type !== 'string' && prev.type !== 'property') return undefined;
    const end = prev.offset + prev.length;
    const inside = offset > prev.offset && (offset < end || (offset === end && !terminated(text, prev.offset, prev.length)));
    // Right after a closed string (`"Allow"|`): nothing to complete there.
    if (!inside) return undefined;
    return { path: loc.path, atKey: loc.isAtPropertyKey, range: { start: prev.offset, end }, inString: true };
  }
  // Inside a number, true/false/null or a comment: nothing to offer.
  const before = text.charCodeAt(offset - 1);
  if (offset > 0 && /[A-Za-z0-9.-]/.test(String.fromCharCode(before))) return undefined;
  return { path: loc.path, atKey: loc.isAtPropertyKey, range: { start: offset, end: offset }, inString: false };
}

/** The first character after `offset` that is not white space (or '' at the end). */
function nextSignificant(text: string, offset: number): string {
  const m = /\S/.exec(text.slice(offset, offset + 2000));
  return m ? m[0] : '';
}

// ---------------------------------------------------------------------------------------------
// What the document already says

interface DocumentStrings {
  buckets: { partition: string; bucket: string }[];
  /** `partition:account` pairs, first seen first. */
  accounts: { partition: string; account: string }[];
  identities: string[];
  kmsKeys: string[];
}

/** ARNs and account IDs in the document's values, except the string being typed (`skip` is its offset). */
function collectStrings(doc: PolicyDocument, bucketName: string | undefined, skip: number): DocumentStrings {
  const out: DocumentStrings = { buckets: [], accounts: [], identities: [], kmsKeys: [] };
  const seen = new Set<string>();
  const once = (id: string): boolean => (seen.has(id) ? false : (seen.add(id), true));
  const addAccount = (partition: string, account: string) => {
    if (/^\d{12}$/.test(account) && once(`a:${account}`)) out.accounts.push({ partition, account });
  };
  const visit = (value: string) => {
    if (/^\d{12}$/.test(value)) addAccount('aws', value);
    if (!value.startsWith('arn:')) return;
    const s3 = parseS3Arn(value);
    if (s3) {
      if (s3.bucket && !containsWildcard(s3.bucket) && !/[\s${}]/.test(s3.bucket) && once(`b:${s3.partition}:${s3.bucket}`))
        out.buckets.push({ partition: s3.partition, bucket: s3.bucket });
      return;
    }
    const arn = parseArn(value);
    if (!arn) return;
    if (arn.account) addAccount(arn.partition, arn.account);
    if (arn.service === 'kms' && /^key\/[A-Za-z0-9-]+$/.test(arn.resource) && once(`k:${value}`)) out.kmsKeys.push(value);
    if (iamIdentity(value) && !containsWildcard(value) && once(`i:${value}`)) out.identities.push(value);
  };
  if (bucketName && once(`b:aws:${bucketName}`)) out.buckets.push({ partition: 'aws', bucket: bucketName });
  const walk = (node: JsonNode | undefined, depth: number) => {
    if (!node || depth > 12) return;
    if (node.type === 'string' && typeof node.value === 'string') {
      if (node.offset !== skip) visit(node.value);
    } else if (node.type === 'property') walk(node.children?.[1], depth + 1);
    else for (const c of node.children ?? []) walk(c, depth + 1);
  };
  walk(doc.root, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building items

interface Ctx {
  a: DocumentAnalysis;
  doc: PolicyDocument;
  kind: PolicyKind;
  text: string;
  place: Place;
  range: Range;
  /** Text added after a value inserted right after a colon: a space. */
  lead: string;
  strings?: DocumentStrings;
}

const strings = (c: Ctx): DocumentStrings =>
  (c.strings ??= collectStrings(c.doc, c.a.analysis.bucketName, c.place.inString ? c.place.range.start : -1));

function markdown(value: string) {
  return { kind: MarkupKind.Markdown, value };
}

/**
 * What `completionItem/resolve` needs to write an item's documentation. Long explanations are
 * computed only for the item the user looks at: a list of 150 operators with their full
 * explanations would be over 100 KB on every request.
 */
export type ResolveData = { action: string } | { pattern: string } | { operator: string } | { key: string; operator: string };

/** An item that puts `value` as a JSON string (or raw JSON with `raw`) in place of the token. */
function valueItem(
  c: Ctx,
  label: string,
  o: { kind: CompletionItemKind; detail?: string; doc?: string; data?: ResolveData; raw?: boolean; sortText?: string },
): CompletionItem {
  const newText = o.raw ? label : JSON.stringify(label);
  return {
    label,
    kind: o.kind,
    detail: o.detail,
    documentation: o.doc ? markdown(o.doc) : undefined,
    data: o.data,
    filterText: c.place.inString ? JSON.stringify(label) : label,
    sortText: o.sortText,
    textEdit: { range: c.range, newText: c.lead + newText },
  };
}

/** `"Name": value` for a member name, or just `"Name"` when the member already has its colon. */
function propertyItem(
  c: Ctx,
  name: string,
  o: {
    kind: CompletionItemKind;
    detail?: string;
    doc?: string;
    data?: ResolveData;
    value: string;
    suggestAfter?: boolean;
    sortText?: string;
  },
): CompletionItem {
  const after = nextSignificant(c.text, c.place.range.end);
  const item: CompletionItem = {
    label: name,
    kind: o.kind,
    detail: o.detail,
    documentation: o.doc ? markdown(o.doc) : undefined,
    sortText: o.sortText,
    data: o.data,
  };
  item.filterText = c.place.inString ? JSON.stringify(name) : name;
  if (after === ':') {
    item.textEdit = { range: c.range, newText: JSON.stringify(name) };
    return item;
  }
  const comma = after === '"' || after === '{' ? ',' : '';
  item.insertTextFormat = InsertTextFormat.Snippet;
  item.textEdit = { range: c.range, newText: `${snippetText(JSON.stringify(name))}: ${o.value}${comma}` };
  if (o.suggestAfter) item.command = TRIGGER_SUGGEST;
  return item;
}

/** The object the cursor's key belongs to: its member names, except the one being typed. */
function siblingNames(c: Ctx, objectPath: JSONPath): Set<string> {
  const names = new Set<string>();
  let node: JsonNode | undefined = c.doc.root;
  for (const seg of objectPath) {
    if (!node) break;
    if (typeof seg === 'number') node = node.type === 'array' ? node.children?.[seg] : undefined;
    else node = node.type === 'object' ? node.children?.find(p => p.children?.[0]?.value === seg)?.children?.[1] : undefined;
  }
  if (node?.type !== 'object') return names;
  for (const p of node.children ?? []) {
    const k = p.children?.[0];
    if (!k || typeof k.value !== 'string') continue;
    // The key under the cursor is being replaced.
    if (c.place.inString && k.offset === c.place.range.start) continue;
    names.add(k.value);
  }
  return names;
}

function elementItems(c: Ctx, level: 'document' | 'statement', objectPath: JSONPath): CompletionItem[] {
  const present = siblingNames(c, objectPath);
  const key = c.kind === 'key-policy';
  const accounts = strings(c).accounts;
  const values: Record<string, { value: string; suggest?: boolean; doc: string }> = {
    Version: {
      value: '"2012-10-17"',
      doc: 'The policy language version: always `"2012-10-17"` (the older 2008 version has no policy variables).',
    },
    Statement: {
      value: '[\n\t{\n\t\t$0\n\t}\n]',
      doc: 'The statements: an array of objects with Effect, Principal, Action, Resource and optionally Condition.',
    },
    Sid: { value: '"$1"', doc: 'An optional statement ID. IAM identity policies allow only A–Z, a–z and 0–9 (GRM-014).' },
    Effect: {
      value: '"${1|Deny,Allow|}"',
      doc: 'Deny or Allow. Enforcement (HTTPS, encryption) is written as a Deny: an Allow never stops what another policy allows.',
    },
    Principal: {
      value: key ? `{"AWS": "\${1:${snippetText(`arn:aws:iam::${accounts[0]?.account ?? '111122223333'}:root`)}}"}` : '"${1:*}"',
      doc: 'Who the statement applies to: `"*"` (everyone, typical for Deny statements), `{"AWS": "arn:aws:iam::ACCOUNT:root"}`, `{"Service": "cloudtrail.amazonaws.com"}`.',
    },
    NotPrincipal: {
      value: '{"AWS": "$1"}',
      suggest: true,
      doc: 'Everyone except these principals. Rarely what you want (GRM-006): prefer `"Principal": "*"` with a condition on aws:PrincipalArn.',
    },
    Action: { value: '"$1"', suggest: true, doc: 'The actions the statement controls: `"s3:PutObject"`, `"s3:*"`, or a list.' },
    NotAction: {
      value: '"$1"',
      suggest: true,
      doc: 'Every action except these (with Allow this grants far more than it seems).',
    },
    Resource: {
      value: key ? '"*"' : '"$1"',
      suggest: !key,
      doc: key
        ? 'In a key policy always `"*"`: the key the policy is attached to (GRM-010).'
        : 'The bucket and/or its objects: `arn:aws:s3:::BUCKET` and `arn:aws:s3:::BUCKET/*`.',
    },
    NotResource: { value: '"$1"', suggest: true, doc: 'Every resource except these.' },
    Condition: {
      value: '{\n\t"$1": {}\n}',
      suggest: true,
      doc: 'When the statement applies: `{"Operator": {"key": "value"}}`, e.g. `{"Bool": {"aws:SecureTransport": "false"}}`.',
    },
  };
  const names: readonly string[] =
    level === 'document'
      ? TOP_LEVEL
      : STATEMENT_ELEMENTS.filter(n => {
          // An identity policy takes no Principal. One recognised only because no statement names a
          // Principal yet may well be a bucket or key policy being written: offer Principal there.
          if (c.kind === 'identity-policy' && n === 'NotPrincipal') return false;
          if (c.kind === 'identity-policy' && n === 'Principal' && c.a.analysis.kind.source !== 'content') return false;
          if (key && (n === 'NotPrincipal' || n === 'NotResource')) return false;
          return true;
        });
  return names
    .filter(n => !present.has(n) && !(EXCLUSIVE[n] && present.has(EXCLUSIVE[n])))
    .map((n, i) =>
      propertyItem(c, n, {
        kind: CompletionItemKind.Property,
        detail: level === 'document' ? 'policy element' : 'statement element',
        doc: values[n].doc,
        value: values[n].value,
        suggestAfter: values[n].suggest,
        sortText: String(i).padStart(2, '0'),
      }),
    );
}

function enumItems(
  c: Ctx,
  values: readonly KnownValue[],
  kind: CompletionItemKind,
  exclude: Set<string> = new Set(),
): CompletionItem[] {
  return values
    .filter(v => !exclude.has(v.value))
    .map((v, i) => valueItem(c, v.value, { kind, doc: v.description, sortText: String(i).padStart(3, '0') }));
}

// --- actions and resources -------------------------------------------------------------------

type Granularity = 'bucket' | 'object';

function granularityOf(actions: readonly ActionInfo[]): Set<Granularity> {
  const out = new Set<Granularity>();
  for (const a of actions) for (const t of resourceTypesOf(a) ?? []) if (t === 'bucket' || t === 'object') out.add(t);
  return out;
}

/** What the statement's S3 resources can match; undefined when some resource could match anything (GRM-009's reading). */
function resourceGranularity(st: Statement | undefined, skipOffset: number): Set<Granularity> | undefined {
  if (!st?.resource) return undefined;
  const have = new Set<Granularity>();
  let any = false;
  for (const item of st.resource.items) {
    if (item.span.offset === skipOffset || typeof item.value !== 'string') continue;
    const arn = parseS3Arn(item.value);
    if (!arn || /\s/.test(item.value)) return undefined;
    any = true;
    if (arn.key !== undefined) have.add('object');
    else if (containsWildcard(arn.bucket)) {
      have.add('bucket');
      have.add('object');
    } else have.add('bucket');
  }
  return any ? have : undefined;
}

/** Other string items of the list the cursor is in (to leave out what is already there). */
function listedValues(
  list: { items: { value: unknown; span: { offset: number } }[] } | undefined,
  skipOffset: number,
): Set<string> {
  const out = new Set<string>();
  for (const i of list?.items ?? [])
    if (typeof i.value === 'string' && i.span.offset !== skipOffset) out.add(i.value.toLowerCase());
  return out;
}

function actionItems(c: Ctx, st: Statement | undefined, element: 'Action' | 'NotAction'): CompletionItem[] {
  const skip = c.place.inString ? c.place.range.start : -1;
  const listed = listedValues(element === 'Action' ? st?.action : st?.notAction, skip);
  // A bucket policy statement whose actions match none of its resources is refused (GRM-009).
  const have = element === 'Action' ? resourceGranularity(st, -1) : undefined;
  const fits = (actions: readonly ActionInfo[]) => {
    if (!have) return true;
    const g = granularityOf(actions.filter(a => a.service === 's3'));
    if (actions.every(a => a.service !== 's3')) return true;
    return [...g].some(x => have.has(x));
  };
  const items: CompletionItem[] = [];
  for (const service of servicesFor(c.kind)) {
    for (const f of actionFamilies(service)) {
      if (listed.has(f.pattern.toLowerCase()) || !fits(f.actions)) continue;
      items.push(
        valueItem(c, f.pattern, {
          kind: CompletionItemKind.Module,
          detail: `${f.actions.length} actions`,
          data: { pattern: f.pattern },
          sortText: `1${f.pattern}`,
        }),
      );
    }
    for (const a of allActions(service)) {
      if (listed.has(a.fullName.toLowerCase()) || !fits([a])) continue;
      items.push(
        valueItem(c, a.fullName, {
          kind: CompletionItemKind.Function,
          detail: a.accessLevel,
          data: { action: a.fullName },
          sortText: `0${a.fullName}`,
        }),
      );
    }
  }
  return items;
}

function resourceItems(
  c: Ctx,
  st: Statement | undefined,
  element: 'Resource' | 'NotResource',
  inArray: boolean,
): CompletionItem[] {
  const skip = c.place.inString ? c.place.range.start : -1;
  const listed = listedValues(element === 'Resource' ? st?.resource : st?.notResource, skip);
  const items: CompletionItem[] = [];
  if (c.kind === 'key-policy' || c.kind === 'identity-policy') {
    if (!listed.has('*'))
      items.push(
        valueItem(c, '*', {
          kind: CompletionItemKind.Constant,
          detail: c.kind === 'key-policy' ? 'this key' : 'every resource',
          sortText: '0',
        }),
      );
    if (c.kind === 'key-policy') return items;
  }
  // With actions named, every Action entry must act on one of the resources (GRM-009): per entry,
  // the bucket and/or object granularity of the actions it names.
  const entries =
    element === 'Resource' && st?.action && !st.notAction
      ? st.action.items
          .map(i => granularityOf(typeof i.value === 'string' ? actionsNamed(i.value).filter(a => a.service === 's3') : []))
          .filter(g => g.size > 0)
      : [];
  const others = element === 'Resource' ? (resourceGranularity(st, skip) ?? new Set<Granularity>()) : new Set<Granularity>();
  const useful = (g: Granularity) => entries.length === 0 || entries.some(e => e.has(g));
  const enough = (g: Granularity) => entries.every(e => e.has(g) || [...e].some(x => others.has(x)));
  for (const { partition, bucket } of strings(c).buckets) {
    const bucketArn = `arn:${partition}:s3:::${bucket}`;
    const objectsArn = `${bucketArn}/*`;
    const candidates: [string, Granularity, string][] = [
      [bucketArn, 'bucket', 'the bucket itself (bucket actions such as s3:ListBucket)'],
      [objectsArn, 'object', 'every object in the bucket (object actions such as s3:PutObject)'],
    ];
    for (const [arn, g, what] of candidates) {
      if (listed.has(arn.toLowerCase()) || !useful(g)) continue;
      // As the only resource, the ARN must leave no action without a resource it acts on.
      if (!inArray && !enough(g)) continue;
      items.push(valueItem(c, arn, { kind: CompletionItemKind.Reference, detail: what, sortText: `1${arn}` }));
    }
    // Bucket and object actions together in a single-string Resource: both ARNs as a list.
    if (!inArray && useful('bucket') && useful('object')) {
      const both = `[${JSON.stringify(bucketArn)}, ${JSON.stringify(objectsArn)}]`;
      items.push(
        valueItem(c, both, {
          kind: CompletionItemKind.Reference,
          raw: true,
          detail: 'the bucket and every object in it',
          sortText: `0${bucketArn}`,
        }),
      );
    }
  }
  return items;
}

// --- principals ------------------------------------------------------------------------------

function accountRoots(c: Ctx): string[] {
  return strings(c).accounts.map(
    ({ partition, account }) => `arn:${PARTITIONS.includes(partition) ? partition : 'aws'}:iam::${account}:root`,
  );
}

function principalValueItems(
  c: Ctx,
  st: Statement | undefined,
  type: string,
  element: 'Principal' | 'NotPrincipal',
): CompletionItem[] {
  const skip = c.place.inString ? c.place.range.start : -1;
  const block = element === 'Principal' ? st?.principal : st?.notPrincipal;
  const listed = listedValues(block?.entries.find(e => e.type.value === type)?.values, skip);
  if (type === 'Service') return enumItems(c, SERVICE_PRINCIPALS, CompletionItemKind.Value, listed);
  if (type !== 'AWS') return [];
  const items: CompletionItem[] = [];
  for (const root of accountRoots(c)) {
    if (!listed.has(root.toLowerCase()))
      items.push(
        valueItem(c, root, {
          kind: CompletionItemKind.Reference,
          detail: 'the account (delegates to its IAM policies)',
          sortText: `0${root}`,
        }),
      );
  }
  for (const id of strings(c).identities) {
    if (!listed.has(id.toLowerCase()))
      items.push(valueItem(c, id, { kind: CompletionItemKind.Reference, detail: 'seen in this policy', sortText: `1${id}` }));
  }
  if (!listed.has('*') && element === 'Principal')
    items.push(
      valueItem(c, '*', { kind: CompletionItemKind.Constant, detail: 'everyone, including anonymous callers', sortText: '2' }),
    );
  return items;
}

function principalItems(c: Ctx, element: 'Principal' | 'NotPrincipal'): CompletionItem[] {
  const items: CompletionItem[] = [];
  if (element === 'Principal')
    items.push(
      valueItem(c, '*', { kind: CompletionItemKind.Constant, detail: 'everyone, including anonymous callers', sortText: '0' }),
    );
  for (const root of accountRoots(c)) {
    const obj = `{"AWS": ${JSON.stringify(root)}}`;
    items.push(
      valueItem(c, obj, {
        kind: CompletionItemKind.Reference,
        raw: true,
        detail: 'the account (delegates to its IAM policies)',
        sortText: `1${root}`,
      }),
    );
  }
  return items;
}

// --- conditions ------------------------------------------------------------------------------

function operatorItems(c: Ctx, st: Statement | undefined, conditionPath: JSONPath): CompletionItem[] {
  const present = new Set([...siblingNames(c, conditionPath)].map(n => n.toLowerCase()));
  // Renaming an operator that already has keys: only operators that fit them (GRM-012).
  const editing = c.place.inString
    ? st?.condition?.operators.find(o => o.operator.span.offset === c.place.range.start)
    : undefined;
  const keys = (editing?.entries ?? [])
    .map(e => lookupConditionKey(e.key.value))
    .filter((k): k is ConditionKeyInfo => k !== undefined);
  const items: CompletionItem[] = [];
  for (const name of ALL_OPERATOR_NAMES) {
    if (present.has(name.toLowerCase())) continue;
    const op = parseOperator(name)!;
    if (!keys.every(k => operatorFits(op.family, k))) continue;
    // ForAnyValue/ForAllValues are for multivalued keys: on single-valued ones KMS refuses them (KMS-008).
    if (op.set && !keys.every(k => k.multivalued)) continue;
    const rank = op.set ? 2 : op.ifExists ? 1 : 0;
    items.push(
      propertyItem(c, name, {
        kind: CompletionItemKind.Operator,
        detail: `${op.family}${op.negated ? ', negated' : ''}${op.ifExists ? ', IfExists' : ''}${op.set ? `, ${op.set}` : ''}`,
        data: { operator: name },
        value: '{\n\t"$1": $0\n}',
        suggestAfter: true,
        sortText: `${rank}${name}`,
      }),
    );
  }
  return items;
}

/** Concrete forms of templated keys worth offering (KMS-007, KMS-015). */
const CONCRETE_TEMPLATED: readonly string[] = ['kms:EncryptionContext:aws:s3:arn', 'kms:EncryptionContext:aws:cloudtrail:arn'];

function conditionKeyItems(c: Ctx, st: Statement | undefined, operator: string, blockPath: JSONPath): CompletionItem[] {
  const present = new Set([...siblingNames(c, blockPath)].map(n => n.toLowerCase()));
  const op = parseOperator(operator);
  const services = servicesFor(c.kind);
  const actions =
    st?.action && !st.notAction ? st.action.items.flatMap(i => (typeof i.value === 'string' ? actionsNamed(i.value) : [])) : [];
  const applies = (k: ConditionKeyInfo): boolean => {
    if (k.source === 'global') return !k.crossService;
    if (!services.includes(k.source)) return false;
    return actions.length === 0 || actions.some(a => keyAppliesToAction(k.name, a));
  };
  const keys = allConditionKeys().filter(k => applies(k) && (!op || operatorFits(op.family, k)) && (!op?.set || k.multivalued));
  const items: CompletionItem[] = [];
  const add = (k: ConditionKeyInfo, label: string, insert: string) => {
    if (present.has(label.toLowerCase())) return;
    const after = nextSignificant(c.text, c.place.range.end);
    const sortRank = k.source === 'global' ? (k.name === 'aws:SecureTransport' ? '1' : '2') : '0';
    const item: CompletionItem = {
      label,
      kind: CompletionItemKind.Field,
      detail: keyTypeText(k),
      data: { key: label, operator } satisfies ResolveData,
      filterText: c.place.inString ? JSON.stringify(label) : label,
      sortText: `${sortRank}${label}`,
      insertTextFormat: InsertTextFormat.Snippet,
    };
    const quoted = `"${insert}"`;
    if (after === ':') item.textEdit = { range: c.range, newText: quoted };
    else {
      const value = valuePlaceholder(c, k, op?.family);
      item.textEdit = { range: c.range, newText: `${quoted}: ${value.text}${after === '"' ? ',' : ''}` };
      if (value.suggest) item.command = TRIGGER_SUGGEST;
    }
    items.push(item);
  };
  for (const k of keys) {
    if (!k.templated) {
      add(k, k.name, snippetText(k.name));
      continue;
    }
    // `aws:PrincipalTag/${TagKey}` → `aws:PrincipalTag/` plus a tab stop for the tag key.
    const parts = k.definition.split(/(\$\{[^}]*\}|<[^>]*>)/);
    let n = 0;
    const insert = parts
      .map(p => (/^(\$\{|<)/.test(p) ? `\${${++n}:${snippetText(p.replace(/^\$\{|^<|\}$|>$/g, ''))}}` : snippetText(p)))
      .join('');
    add(k, k.definition, insert);
    for (const concrete of CONCRETE_TEMPLATED) {
      const info = lookupConditionKey(concrete);
      if (info && info.definition === k.definition) add(info, info.name, snippetText(info.name));
    }
  }
  return items;
}

/** Escape a value for a snippet choice (`,` and `|` are separators there). */
const choiceText = (s: string): string => snippetText(s).replace(/[,|]/g, m => `\\${m}`);

/**
 * The value inserted with a new condition key: a choice of its known values, a value of the right
 * type as placeholder (an empty string is no number, date, IP range or ARN: GRM-012), or an empty
 * string with value completion.
 */
function valuePlaceholder(c: Ctx, k: ConditionKeyInfo, family: OperatorFamily | undefined): { text: string; suggest?: boolean } {
  if (family === 'Null') return { text: '"${1|true,false|}"' };
  const known = keyFacts(k.name)?.values ?? [];
  if (known.length > 0 && known.length <= 6) return { text: `"\${1|${known.map(v => choiceText(v.value)).join(',')}|}"` };
  const base = k.type.replace(/^ArrayOf/, '');
  if (base === 'Bool') return { text: '"${1|true,false|}"' };
  if (base === 'Numeric') return { text: '"${1:0}"' };
  if (base === 'Date') return { text: '"${1:2026-01-01T00:00:00Z}"' };
  if (base === 'IPAddress') return { text: '"${1:192.0.2.0/24}"' };
  if (base === 'Binary') return { text: '"${1:AA==}"' };
  if (base === 'ARN' && family === 'Arn') {
    const seen = keyFacts(k.name)?.fromDocument === 'kmsKeyArns' ? strings(c).kmsKeys[0] : undefined;
    return { text: `"\${1:${snippetText(seen ?? 'arn:aws:*:*:*:*')}}"`, suggest: seen === undefined };
  }
  if (known.length > 0) return { text: `"\${1:${snippetText(known[0].value)}}"`, suggest: true };
  return { text: '"$1"', suggest: true };
}

function conditionValueItems(c: Ctx, st: Statement | undefined, operator: string, key: string): CompletionItem[] {
  const skip = c.place.inString ? c.place.range.start : -1;
  const entry = st?.condition?.operators.find(o => o.operator.value === operator)?.entries.find(e => e.key.value === key);
  const listed = listedValues(entry?.values, skip);
  const exclude = (v: string) => listed.has(v.toLowerCase());
  const op = parseOperator(operator);
  if (op?.family === 'Null')
    return enumItems(
      c,
      nullOperatorValues().filter(v => !exclude(v.value)),
      CompletionItemKind.Value,
    );
  const info = lookupConditionKey(key);
  const facts = keyFacts(key);
  const values: KnownValue[] = [...(facts?.values ?? [])];
  if (facts?.fromDocument === 'accounts')
    for (const a of strings(c).accounts) values.push({ value: a.account, description: 'an account ID seen in this policy' });
  if (facts?.fromDocument === 'kmsKeyArns')
    for (const k of strings(c).kmsKeys) values.push({ value: k, description: 'a KMS key ARN seen in this policy' });
  if (info?.name.toLowerCase() === 'kms:encryptioncontext:aws:s3:arn') {
    for (const { partition, bucket } of strings(c).buckets) {
      values.push({
        value: `arn:${partition}:s3:::${bucket}`,
        description: 'the bucket: the context S3 sends when the bucket uses S3 Bucket Keys (KMS-007)',
      });
      values.push({
        value: `arn:${partition}:s3:::${bucket}/*`,
        description: 'its objects: the context S3 sends without Bucket Keys (needs StringLike)',
      });
    }
  }
  if (values.length === 0 && info?.type === 'Bool')
    values.push({ value: 'true', description: 'true' }, { value: 'false', description: 'false' });
  // Values the operator would compare wrongly are left out (wildcards only under Like operators, GRM-013).
  const fitting = values.filter(v => !exclude(v.value) && (!containsWildcard(v.value) || op?.like === true));
  if (op && info && !operatorFits(op.family, info)) return [];
  return enumItems(c, fitting, CompletionItemKind.Value);
}

// ---------------------------------------------------------------------------------------------

/** The documentation of an item from `completion` (completionItem/resolve); other items come back as they are. */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as Partial<Record<string, unknown>> | undefined;
  if (!data || item.documentation) return item;
  let doc: string | undefined;
  if (typeof data.action === 'string') {
    const a = lookupAction(data.action);
    doc = a ? describeAction(a) : undefined;
  } else if (typeof data.pattern === 'string') {
    doc = describeActionPattern(data.pattern, actionsNamed(data.pattern));
  } else if (typeof data.key === 'string') {
    const k = lookupConditionKey(data.key);
    doc = k ? describeConditionKey(k, { operator: typeof data.operator === 'string' ? data.operator : undefined }) : undefined;
  } else if (typeof data.operator === 'string') {
    doc = describeOperator(data.operator);
  }
  return doc ? { ...item, documentation: markdown(doc) } : item;
}

/** Completion items at `position`, or null when the document is not a policy or nothing fits there. */
export function completion(a: DocumentAnalysis, position: Position, settings?: AnalysisSettings): CompletionList | null {
  if (a.template) return templateCompletion(a, position, settings ?? {}, completion);
  const doc = a.analysis.doc;
  const kind = a.analysis.kind.kind;
  if (!doc || kind === 'unknown' || a.analysis.notAnalysed) return null;
  const text = doc.text;
  const offset = a.lines.offset(position);
  const place = placeAt(text, offset);
  if (!place) return null;
  const lead = !place.inString && !place.atKey && text.charCodeAt(offset - 1) === 0x3a /* : */ ? ' ' : '';
  const c: Ctx = {
    a,
    doc,
    kind,
    text,
    place,
    range: a.lines.range({ offset: place.range.start, length: place.range.end - place.range.start }),
    lead,
  };
  // Labels may be values taken from the document (ARNs, accounts, keys): shown on one line with
  // controls visible. What an item inserts is JSON-escaped where it is built.
  const items = itemsAt(c).map(i => ({
    ...i,
    label: plainLine(i.label, 200),
    ...(i.detail ? { detail: plainLine(i.detail, 300) } : {}),
    ...(i.filterText ? { filterText: plainLine(i.filterText, 400) } : {}),
  }));
  return items.length > 0 ? { isIncomplete: false, items } : null;
}

function itemsAt(c: Ctx): CompletionItem[] {
  const { path, atKey } = c.place;
  if (path[0] !== 'Statement') {
    if (atKey && path.length === 1) return elementItems(c, 'document', []);
    if (!atKey && path.length === 1 && path[0] === 'Version')
      return enumItems(
        c,
        [{ value: '2012-10-17', description: 'the current policy language version' }],
        CompletionItemKind.Value,
      );
    return [];
  }
  // Statement as one object, or an array of them.
  const inArray = typeof path[1] === 'number';
  const stmtPath = inArray ? path.slice(0, 2) : path.slice(0, 1);
  const rest = path.slice(stmtPath.length);
  const index = inArray ? (path[1] as number) : 0;
  const st = c.doc.statements.find(s => s.index === index);
  if (rest.length === 0) return [];
  const [element, second, third, fourth] = rest;
  if (atKey) {
    if (rest.length === 1) return elementItems(c, 'statement', stmtPath);
    if (element === 'Condition' && rest.length === 2) return operatorItems(c, st, [...stmtPath, 'Condition']);
    if (element === 'Condition' && rest.length === 3 && typeof second === 'string')
      return conditionKeyItems(c, st, second, [...stmtPath, 'Condition', second]);
    if ((element === 'Principal' || element === 'NotPrincipal') && rest.length === 2) {
      const present = siblingNames(c, [...stmtPath, element]);
      return ['AWS', 'Service']
        .filter(t => !present.has(t))
        .map((t, i) =>
          propertyItem(c, t, {
            kind: CompletionItemKind.Property,
            detail: 'principal type',
            value: '"$1"',
            suggestAfter: true,
            sortText: String(i),
          }),
        );
    }
    return [];
  }
  const itemIndex = (n: number) => rest.length === n || (rest.length === n + 1 && typeof rest[n] === 'number');
  switch (element) {
    case 'Effect':
      return rest.length === 1
        ? enumItems(
            c,
            [
              {
                value: 'Deny',
                description: 'denies what the statement matches, whatever else allows it: how encryption and HTTPS are enforced',
              },
              { value: 'Allow', description: 'allows what the statement matches (unless a Deny matches too)' },
            ],
            CompletionItemKind.Value,
          )
        : [];
    case 'Action':
    case 'NotAction':
      return itemIndex(1) ? actionItems(c, st, element) : [];
    case 'Resource':
    case 'NotResource':
      return itemIndex(1) ? resourceItems(c, st, element, rest.length === 2) : [];
    case 'Principal':
    case 'NotPrincipal':
      if (rest.length === 1) return principalItems(c, element);
      if (typeof second === 'string' && itemIndex(2)) return principalValueItems(c, st, second, element);
      return [];
    case 'Condition':
      if (
        typeof second === 'string' &&
        typeof third === 'string' &&
        (rest.length === 3 || (rest.length === 4 && typeof fourth === 'number'))
      ) {
        return conditionValueItems(c, st, second, third);
      }
      return [];
    default:
      return [];
  }
}
