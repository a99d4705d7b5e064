// Pieces shared by the principal rules (GRM-004, GRM-005, GRM-006) and other grammar rules
// that insert members: principal ARN parsing, and text edits that add a member to an object
// or a condition to a statement while keeping the document valid JSON and its layout.
import type { JsonNode, Member, Statement } from '../../policy/model';
import { membersOf } from '../../policy/parse';
import type { TextEditSpan } from '../types';
import { jsonString } from '../util';

/** The parts of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): ArnParts | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/s.exec(value);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

export const ACCOUNT_ID = /^\d{12}$/;

/** `*` or `?` anywhere: the IAM wildcards. */
export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/** Role or user ARN (`arn:P:iam::ACCOUNT:role/path/Name`), with the name's last path segment. */
export function iamIdentity(value: string): { kind: 'role' | 'user'; arn: ArnParts; name: string } | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'iam') return undefined;
  const m = /^(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn.resource);
  if (!m) return undefined;
  return { kind: m[1] as 'role' | 'user', arn, name: m[2] };
}

/** The account a principal value names as a whole: `arn:P:iam::ACCOUNT:root` or a bare 12-digit ID. */
export function accountPrincipal(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  const arn = parseArn(value);
  return arn && arn.service === 'iam' && arn.resource === 'root' && ACCOUNT_ID.test(arn.account) ? arn.account : undefined;
}

/** An assumed-role session ARN `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
export function assumedRoleSession(value: string): { account: string; role: string } | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'sts') return undefined;
  const m = /^assumed-role\/([^/]+)\/.+$/.exec(arn.resource);
  return m ? { account: arn.account, role: m[1] } : undefined;
}

/** The whitespace from the start of the line to `offset`, if only whitespace precedes it on that line. */
function lineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** Insert `memberText` (`"Key": value`) right after `member`, following the object's layout. */
export function insertMemberAfter(text: string, members: readonly Member[], member: Member, memberText: string): TextEditSpan {
  const next = members[members.indexOf(member) + 1];
  if (next) {
    const indent = lineIndent(text, next.span.offset);
    const sep = indent !== undefined ? `\n${indent}` : ' ';
    return { span: { offset: next.span.offset, length: 0 }, newText: `${memberText},${sep}` };
  }
  const indent = lineIndent(text, member.span.offset);
  const sep = indent !== undefined ? `\n${indent}` : ' ';
  return { span: { offset: member.span.offset + member.span.length, length: 0 }, newText: `,${sep}${memberText}` };
}

/** Insert `memberText` as the first member of the object `node`. */
export function insertMemberFirst(text: string, node: JsonNode, memberText: string): TextEditSpan {
  const first = membersOf(node)[0];
  if (!first) return { span: { offset: node.offset + 1, length: 0 }, newText: memberText };
  const indent = lineIndent(text, first.span.offset);
  const sep = indent !== undefined ? `\n${indent}` : ' ';
  return { span: { offset: first.span.offset, length: 0 }, newText: `${memberText},${sep}` };
}

/** Insert `memberText` as the last member of the object `node`. */
export function appendMember(text: string, node: JsonNode, memberText: string): TextEditSpan {
  const members = membersOf(node);
  const last = members[members.length - 1];
  if (!last) return { span: { offset: node.offset + 1, length: 0 }, newText: memberText };
  return insertMemberAfter(text, members, last, memberText);
}

/**
 * An edit that adds `"operator": {"key": value}` to a statement's Condition (creating the
 * Condition when there is none). Undefined when that would not be a plain addition: the
 * Condition is not an object, is duplicated, or already has a block for `operator`.
 * Conditions are ANDed, so adding a block narrows the statement exactly by the new test.
 */
export function addConditionEdit(text: string, st: Statement, operator: string, key: string, valueJson: string): TextEditSpan | undefined {
  const block = `${jsonString(operator)}: {${jsonString(key)}: ${valueJson}}`;
  const conditions = st.members.filter(m => m.key.value === 'Condition');
  if (conditions.length === 0) {
    const last = st.members[st.members.length - 1];
    if (!last) return undefined;
    return insertMemberAfter(text, st.members, last, `"Condition": {${block}}`);
  }
  if (conditions.length > 1) return undefined;
  const node = conditions[0].valueNode;
  if (node.type !== 'object') return undefined;
  if (membersOf(node).some(m => m.key.value === operator)) return undefined;
  return appendMember(text, node, block);
}

/** `"a"` or `["a", "b"]`: one value stays a string, as AWS's own examples write it. */
export const jsonStringOrList = (values: readonly string[]): string =>
  values.length === 1 ? jsonString(values[0]) : `[${values.map(jsonString).join(', ')}]`;

/** `statementLabel(st)` at the start of a sentence. */
export const sentenceStart = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
