// The canonical statements quick-fixes insert (docs/design/aws-facts.md "Recommended templates for quick-fixes"),
// the edit that adds a statement to a policy, and fixes that edit statements and add or remove
// whole ones at once.
import { parse as parseJson, type ParseError } from 'jsonc-parser';
import { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID } from '../engine/requests/context-keys';
import { bucketArn, dominantPartition, objectsArn, policyBucket } from '../policy/arn';
import type { JsonNode, PolicyDocument, Statement } from '../policy/model';
import {
  DEFAULT_INDENT_UNIT,
  editsFix,
  indentFollowingLines,
  insertBeside,
  layoutOf,
  removeWithComma,
  renderJson,
  separatorBefore,
  type JsonLayout,
} from './edits';
import { applyEdits } from './fixes';
import type { Fix, TextEditSpan } from './types';
import { spanText } from './json-text';

const json = (v: unknown): string => JSON.stringify(v);

/** Deny every S3 action on the bucket and its objects to everyone, when `condition` holds. */
function bucketWideDenyStatement(
  partition: string,
  bucket: string,
  sid: string,
  condition: Record<string, Record<string, string | number>>,
): string {
  return json({
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn(partition, bucket), objectsArn(partition, bucket)],
    Condition: condition,
  });
}

/** TLS-001: deny every request to the bucket and its objects that does not use HTTPS. */
export function httpsDenyStatement(partition: string, bucket: string): string {
  return bucketWideDenyStatement(partition, bucket, 'DenyInsecureTransport', { Bool: { 'aws:SecureTransport': 'false' } });
}

/** TLS-007 "Fixed": deny every request to the bucket and its objects below the TLS version (`"1.2"`). */
export function oldTlsDenyStatement(partition: string, bucket: string, min: string): string {
  return bucketWideDenyStatement(partition, bucket, 'DenyOutdatedTls', { NumericLessThan: { 's3:TlsVersion': Number(min) } });
}

/**
 * ENC-003 style: deny uploads whose header names another value than the ones allowed. Key ARNs
 * are compared with ArnNotEqualsIfExists (template 2), so uploads that name no key are not denied
 * by that statement.
 */
export function uploadDenyStatement(
  partition: string,
  bucket: string,
  sid: string,
  condition: Record<string, Record<string, string | string[]>>,
): string {
  return json({
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: objectsArn(partition, bucket),
    Condition: condition,
  });
}

/** The bucket a fix's statements are for, and its partition. */
export interface StatementTarget {
  partition: string;
  bucket: string;
}

const one = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

/** Deny uploads that name another algorithm; strict (template 2) also denies uploads without the header, else template 3. */
export function algorithmDenyStatement(t: StatementTarget, sid: string, algorithms: readonly string[], strict: boolean): string {
  return uploadDenyStatement(
    t.partition,
    t.bucket,
    sid,
    strict
      ? { StringNotEquals: { [SSE]: one(algorithms) } }
      : { StringNotEqualsIfExists: { [SSE]: one(algorithms) }, Null: { [SSE]: 'false' } },
  );
}

/** Deny uploads that name another KMS key; strict (template 2) also denies uploads that name none, else template 3. */
export function keyPinStatement(t: StatementTarget, sid: string, keys: readonly string[], strict: boolean): string {
  return uploadDenyStatement(
    t.partition,
    t.bucket,
    sid,
    strict
      ? { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) } }
      : { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) }, Null: { [SSE_KMS_KEY_ID]: 'false' } },
  );
}

/** The SSE-C ban (AWS sample RCP "S3-Deny-SSE-C", docs/design/aws-facts.md#enc-011). */
export function sseCBanStatement(t: StatementTarget, sid: string): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, { Null: { [SSE_CUSTOMER_ALGORITHM]: 'false' } });
}

/** A Sid that no statement of the policy has yet, nor any of `taken`: `base`, else `base2`, `base3`… */
export function freshSid(doc: PolicyDocument, base: string, taken: readonly string[] = []): string {
  const used = new Set([...taken, ...doc.statements.map(s => (typeof s.sid?.value === 'string' ? s.sid.value : ''))]);
  let sid = base;
  for (let n = 2; used.has(sid); n++) sid = `${base}${n}`;
  return sid;
}

/** Where the statements a fix adds apply: the policy's bucket and partition, if the policy says. */
export function fixTarget(doc: PolicyDocument, bucketName?: string): { partition: string; bucket: string } | undefined {
  const bucket = policyBucket({ doc, bucketName });
  return bucket ? { partition: dominantPartition(doc) ?? 'aws', bucket } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Adding statements, laid out as the policy is

/** A statement a fix adds: its JSON (from a template above) and what it does, in words for the fix's title. */
export interface NewStatement {
  json: string;
  /** `denies HTTP requests` */
  does: string;
}

export const newStatement = (json: string, does: string): NewStatement => ({ json, does });

function sidOf(json: string): string | undefined {
  try {
    const v = JSON.parse(json) as { Sid?: unknown };
    return typeof v?.Sid === 'string' ? v.Sid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The title of a fix that adds statements: it says that it adds a statement, which one (its Sid)
 * and what it does — `Add statement DenyInsecureTransport (denies HTTP requests)` — so that a person
 * can tell it from a fix that edits the statement under the cursor.
 */
export function addStatementsTitle(statements: readonly NewStatement[]): string {
  const named = statements.map(s => {
    const sid = sidOf(s.json);
    return sid ? `${sid} (${s.does})` : `that ${s.does}`;
  });
  const list = named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return `Add statement${statements.length > 1 ? 's' : ''} ${list}`;
}

/** A statement's JSON text in a layout (text that does not parse stays as it is). */
function renderStatement(json: string, layout: JsonLayout): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  return renderJson(value, layout);
}

/** One level of indentation as the policy writes it: shown by its top-level members. */
const documentUnit = (doc: PolicyDocument): string => (doc.root ? layoutOf(doc.text, doc.root).unit : DEFAULT_INDENT_UNIT);

/**
 * `items` (statement texts, already laid out) as the `Statement` list that replaces `node` (a lone
 * statement object or an empty list): on one line when `layout` is, else one statement per line,
 * one level deeper than the line that holds `node`.
 */
function statementList(items: readonly string[], layout: JsonLayout): string {
  if (!layout.multiLine) return `[${items.join(', ')}]`;
  const inner = layout.indent + layout.unit;
  return `[${layout.eol}${inner}${items.join(`,${layout.eol}${inner}`)}${layout.eol}${layout.indent}]`;
}

/**
 * Replace the lone statement object `node` by a list of `own` (its text, possibly edited; none when
 * it goes) and the new statements, laid out as the object is: a multi-line object moves one level
 * deeper and the new statements follow it, a one-line object stays on one line.
 */
function wrapLoneStatement(
  doc: PolicyDocument,
  node: JsonNode,
  own: string | undefined,
  statementsJson: readonly string[],
): string {
  const layout = layoutOf(doc.text, node, documentUnit(doc));
  const inner = { ...layout, indent: layout.multiLine ? layout.indent + layout.unit : layout.indent };
  const items = [
    ...(own === undefined ? [] : [layout.multiLine ? indentFollowingLines(own, layout.unit) : own]),
    ...statementsJson.map(s => renderStatement(s, inner)),
  ];
  return statementList(items, layout);
}

/**
 * The edit that appends statements to `Statement`, each laid out like its neighbour: after the last
 * statement, multi-line and indented like it when it spans lines (tabs or spaces, CRLF kept), on
 * one line when it does; into an empty list as the policy's other members are laid out; a lone
 * statement object becomes a list.
 */
function addStatementsEdit(doc: PolicyDocument, statementsJson: readonly string[]): TextEditSpan | undefined {
  const node = doc.statementMember?.valueNode;
  if (!node || statementsJson.length === 0) return undefined;
  const whole = { offset: node.offset, length: node.length };
  if (node.type === 'object')
    return { span: whole, newText: wrapLoneStatement(doc, node, spanText(doc.text, node), statementsJson) };
  if (node.type !== 'array') return undefined;
  const children = node.children ?? [];
  const last = children[children.length - 1];
  if (!last) {
    // An empty list: laid out as the policy's own members are, one level deeper than the "Statement" line.
    const root = doc.root ? layoutOf(doc.text, doc.root) : undefined;
    const layout: JsonLayout = root
      ? { ...root, indent: layoutOf(doc.text, node, root.unit).indent }
      : { multiLine: false, indent: '', unit: DEFAULT_INDENT_UNIT, eol: '\n', spaced: true };
    const inner = { ...layout, indent: layout.indent + layout.unit };
    return {
      span: whole,
      newText: statementList(
        statementsJson.map(s => renderStatement(s, inner)),
        layout,
      ),
    };
  }
  const layout = layoutOf(doc.text, last, documentUnit(doc));
  const joined = statementsJson.map(s => renderStatement(s, layout)).join(`,${separatorBefore(doc.text, last.offset)}`);
  return insertBeside(doc.text, { offset: last.offset, length: last.length }, joined, 'after');
}

/**
 * A fix that appends statements to `Statement` (see addStatementsEdit for the layout), titled by the
 * caller. Prefer `addStatementsFixFor`, whose title names the statements.
 */
export function addStatementsFix(title: string, doc: PolicyDocument, statementsJson: string[]): Fix | undefined {
  const edit = addStatementsEdit(doc, statementsJson);
  return edit && editsFix(title, [edit]);
}

/** A fix that appends `statements`, titled `Add statement SID (what it does)`. */
export function addStatementsFixFor(doc: PolicyDocument, statements: readonly NewStatement[]): Fix | undefined {
  return addStatementsFix(
    addStatementsTitle(statements),
    doc,
    statements.map(s => s.json),
  );
}

/**
 * Do the statements that `edits` change still parse as JSON? Only they are parsed again (a 20 KB
 * policy is re-checked on every keystroke); inserted statements are JSON.stringify output.
 */
function editedStatementsValid(doc: PolicyDocument, edits: readonly TextEditSpan[]): boolean {
  for (const st of doc.statements) {
    const inside = edits.filter(
      e => e.span.offset >= st.node.offset && e.span.offset + e.span.length <= st.node.offset + st.node.length,
    );
    if (!inside.length) continue;
    const shifted = inside.map(e => ({
      span: { offset: e.span.offset - st.node.offset, length: e.span.length },
      newText: e.newText,
    }));
    const errors: ParseError[] = [];
    parseJson(applyEdits(spanText(doc.text, st.node), shifted), errors, { allowTrailingComma: true });
    if (errors.length) return false;
  }
  return true;
}

/**
 * One fix: `edits` inside statements, optionally `removed` (a statement that goes; replaced by the
 * appended statements when there are any) and `appended` statements, laid out as the policy is.
 * The title is `title`, or `Add statement …` when the fix only adds statements; when it also edits,
 * the title says which statements it adds. Undefined when the result would not be a valid policy
 * document.
 */
export function statementsFix(
  doc: PolicyDocument,
  title: string | undefined,
  edits: TextEditSpan[],
  appended: readonly NewStatement[],
  removed?: Statement,
): Fix | undefined {
  const node = doc.statementMember?.valueNode;
  if (!node) return undefined;
  const added = appended.map(a => a.json);
  let all: TextEditSpan[];
  if (node.type === 'object') {
    // A lone statement object: rewrite it as a whole.
    const shifted = edits.map(e => ({
      span: { offset: e.span.offset - node.offset, length: e.span.length },
      newText: e.newText,
    }));
    const own = removed ? undefined : applyEdits(spanText(doc.text, node), shifted);
    if (own === undefined && !added.length) return undefined;
    const newText =
      own !== undefined && !added.length
        ? own
        : own === undefined && added.length === 1
          ? renderStatement(added[0], layoutOf(doc.text, node, documentUnit(doc)))
          : wrapLoneStatement(doc, node, own, added);
    all = [{ span: { offset: node.offset, length: node.length }, newText }];
  } else if (node.type === 'array') {
    all = [...edits];
    const children = node.children ?? [];
    if (removed) {
      const i = children.findIndex(c => c.offset === removed.node.offset);
      if (i < 0) return undefined;
      if (added.length) {
        // The appended statements take the removed one's place, laid out like it.
        const layout = layoutOf(doc.text, removed.node, documentUnit(doc));
        const newText = added.map(s => renderStatement(s, layout)).join(`,${separatorBefore(doc.text, removed.node.offset)}`);
        all.push({ span: { offset: removed.node.offset, length: removed.node.length }, newText });
      } else {
        if (children.length < 2) return undefined;
        all.push(
          removeWithComma(
            children.map(c => ({ offset: c.offset, length: c.length })),
            i,
            'previous',
          ),
        );
      }
    } else if (added.length) {
      const add = addStatementsEdit(doc, added);
      if (!add) return undefined;
      all.push(add);
    }
  } else return undefined;
  if (!all.length || !editedStatementsValid(doc, edits)) return undefined;
  const adds = appended.length ? addStatementsTitle(appended) : '';
  const named =
    title === undefined
      ? adds
      : adds && (edits.length || removed)
        ? `${title}, and ${adds.charAt(0).toLowerCase()}${adds.slice(1)}`
        : title;
  return editsFix(named || 'Edit the statements', all);
}
