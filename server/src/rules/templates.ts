// The canonical statements quick-fixes insert (RULES.md "Recommended templates for quick-fixes"),
// and the edit that adds a statement to a policy.
import { bucketArn, dominantPartition, objectsArn, policyBucket } from '../policy/arn';
import type { PolicyDocument } from '../policy/model';
import { spanText } from './util';
import { editsFix, insertBeside, separatorBefore } from './edits';
import type { Fix } from './types';

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
