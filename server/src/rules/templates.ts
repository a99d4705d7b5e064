// The canonical statements quick-fixes insert (RULES.md "Recommended templates for quick-fixes"),
// the edit that adds a statement to a policy, and fixes that edit statements and add or remove
// whole ones at once.
import { parse as parseJson, type ParseError } from 'jsonc-parser';
import { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID } from '../engine/requests';
import { bucketArn, dominantPartition, objectsArn, policyBucket } from '../policy/arn';
import type { PolicyDocument, Statement } from '../policy/model';
import { spanText } from './util';
import { editsFix, insertBeside, removeWithComma, separatorBefore } from './edits';
import { applyEdits } from './fixes';
import type { Fix, TextEditSpan } from './types';

const json = (v: unknown): string => JSON.stringify(v);

/** Deny every S3 action on the bucket and its objects to everyone, when `condition` holds. */
function bucketWideDenyStatement(partition: string, bucket: string, sid: string, condition: Record<string, Record<string, string | number>>): string {
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
export function uploadDenyStatement(partition: string, bucket: string, sid: string, condition: Record<string, Record<string, string | string[]>>): string {
  return json({ Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objectsArn(partition, bucket), Condition: condition });
}

/** The bucket a fix's statements are for, and its partition. */
export interface StatementTarget { partition: string; bucket: string }

const one = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

/** Deny uploads that name another algorithm; strict (template 2) also denies uploads without the header, else template 3. */
export function algorithmDenyStatement(t: StatementTarget, sid: string, algorithms: readonly string[], strict: boolean): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, strict
    ? { StringNotEquals: { [SSE]: one(algorithms) } }
    : { StringNotEqualsIfExists: { [SSE]: one(algorithms) }, Null: { [SSE]: 'false' } });
}

/** Deny uploads that name another KMS key; strict (template 2) also denies uploads that name none, else template 3. */
export function keyPinStatement(t: StatementTarget, sid: string, keys: readonly string[], strict: boolean): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, strict
    ? { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) } }
    : { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) }, Null: { [SSE_KMS_KEY_ID]: 'false' } });
}

/** The SSE-C ban (AWS sample RCP "S3-Deny-SSE-C", RULES.md ENC-011). */
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

/** A fix that appends statements to `Statement` (a lone statement object becomes an array). */
export function addStatementsFix(title: string, doc: PolicyDocument, statementsJson: string[]): Fix | undefined {
  const node = doc.statementMember?.valueNode;
  if (!node || statementsJson.length === 0) return undefined;
  if (node.type === 'object') {
    return editsFix(title, [{ span: { offset: node.offset, length: node.length }, newText: `[${[spanText(doc.text, node), ...statementsJson].join(', ')}]` }]);
  }
  if (node.type !== 'array') return undefined;
  const children = node.children ?? [];
  const last = children[children.length - 1];
  if (!last) return editsFix(title, [{ span: { offset: node.offset + 1, length: 0 }, newText: statementsJson.join(', ') }]);
  // Follow the file's layout: a new line with the indentation of the last statement.
  const joined = statementsJson.join(`,${separatorBefore(doc.text, last.offset)}`);
  return editsFix(title, [insertBeside(doc.text, { offset: last.offset, length: last.length }, joined, 'after')]);
}

/**
 * Do the statements that `edits` change still parse as JSON? Only they are parsed again (a 20 KB
 * policy is re-checked on every keystroke); inserted statements are JSON.stringify output.
 */
function editedStatementsValid(doc: PolicyDocument, edits: readonly TextEditSpan[]): boolean {
  for (const st of doc.statements) {
    const inside = edits.filter(e => e.span.offset >= st.node.offset && e.span.offset + e.span.length <= st.node.offset + st.node.length);
    if (!inside.length) continue;
    const shifted = inside.map(e => ({ span: { offset: e.span.offset - st.node.offset, length: e.span.length }, newText: e.newText }));
    const errors: ParseError[] = [];
    parseJson(applyEdits(spanText(doc.text, st.node), shifted), errors, { allowTrailingComma: true });
    if (errors.length) return false;
  }
  return true;
}

/**
 * One fix: `edits` inside statements, optionally `removed` (a statement that goes; replaced by the
 * appended statements when there are any) and `appended` statements. Undefined when the result
 * would not be a valid policy document.
 */
export function statementsFix(doc: PolicyDocument, title: string, edits: TextEditSpan[], appended: string[], removed?: Statement): Fix | undefined {
  const node = doc.statementMember?.valueNode;
  if (!node) return undefined;
  let all: TextEditSpan[];
  if (node.type === 'object') {
    // A lone statement object: rewrite it as a whole.
    const shifted = edits.map(e => ({ span: { offset: e.span.offset - node.offset, length: e.span.length }, newText: e.newText }));
    const own = applyEdits(spanText(doc.text, node), shifted);
    const items = removed ? appended : [own, ...appended];
    if (!items.length) return undefined;
    all = [{ span: { offset: node.offset, length: node.length }, newText: items.length === 1 ? items[0] : `[${items.join(', ')}]` }];
  } else if (node.type === 'array') {
    all = [...edits];
    const children = node.children ?? [];
    if (removed) {
      const i = children.findIndex(c => c.offset === removed.node.offset);
      if (i < 0) return undefined;
      if (appended.length) {
        // The appended statements take the removed one's place, laid out like it.
        all.push({ span: { offset: removed.node.offset, length: removed.node.length }, newText: appended.join(`,${separatorBefore(doc.text, removed.node.offset)}`) });
      } else {
        if (children.length < 2) return undefined;
        all.push(removeWithComma(children.map(c => ({ offset: c.offset, length: c.length })), i, 'previous'));
      }
    } else if (appended.length) {
      const add = addStatementsFix(title, doc, appended);
      if (!add) return undefined;
      all.push(...add.edits);
    }
  } else return undefined;
  if (!all.length || !editedStatementsValid(doc, edits)) return undefined;
  return editsFix(title, all);
}
