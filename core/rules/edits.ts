// The text edits quick-fixes are made of: replacing a span, inserting or removing an object
// member or an array item, adding or removing a condition. Every edit keeps the document valid
// JSON and follows its layout (one member per line, or all on one line). Members are found by
// their position, never by object identity, so any `Member` of the object will do.
import type {
  ConditionBlock,
  ConditionEntry,
  ConditionOperatorBlock,
  JsonNode,
  Located,
  Member,
  Span,
  Statement,
  ValueList,
} from '../policy/model';
import { membersOf } from '../policy/parse';
import { spanText, jsonString } from './json-text';
import type { Fix, TextEditSpan } from './types';

/**
 * The fix marked safe for "fix all" when `when` holds (fixes.ts says what that takes: unambiguous,
 * cannot widen access or lock anyone out); the rule decides, with the reason in a comment.
 */
export const markSafe = <F extends Fix | undefined>(fix: F, when = true): F => (fix && when ? { ...fix, safe: true } : fix);

/** A fix made of the given edits. */
export function editsFix(title: string, edits: TextEditSpan[], preferred = true): Fix {
  return { title, edits, preferred };
}

/** A fix that replaces one span with new text. */
export function replaceFix(title: string, span: Span, newText: string, preferred = true): Fix {
  return editsFix(title, [{ span, newText }], preferred);
}

/**
 * Remove `spans[index]` from a comma-separated sequence (object members, array items) with the
 * comma that joins it to a neighbour: the next one when there is one, else the previous one.
 * `join` picks the side, so that several removals from one sequence never overlap.
 */
export function removeWithComma(spans: readonly Span[], index: number, join: 'next' | 'previous' = 'next'): TextEditSpan {
  const span = spans[index];
  const next = spans[index + 1];
  const prev = spans[index - 1];
  let offset = span.offset;
  let end = span.offset + span.length;
  if (next && (join === 'next' || !prev)) end = next.offset;
  else if (prev) offset = prev.offset + prev.length;
  return { span: { offset, length: end - offset }, newText: '' };
}

// ---------------------------------------------------------------------------------------------
// Object members

/** The whitespace from the start of the line to `offset`, if only whitespace precedes it on that line. */
function lineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The whitespace at the start of the line that holds `offset` (whatever follows it on the line). */
function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** The line break that ends the line before the one holding `offset`: `\r\n` in a file with CRLF line ends, else `\n`. */
function lineBreakBefore(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return lineStart >= 2 && text.charCodeAt(lineStart - 2) === 13 ? '\r\n' : '\n';
}

/** What separates the item (member, array item) at `offset` from the one before it: a line break and its indentation when it starts a line, else a space. */
export function separatorBefore(text: string, offset: number): string {
  const indent = lineIndent(text, offset);
  return indent !== undefined ? `${lineBreakBefore(text, offset)}${indent}` : ' ';
}

/**
 * Insert `newText` (one or more members or array items) into a comma-separated sequence right
 * before or after the item at `span`, following the layout (a new line with the item's
 * indentation when the item starts a line, else a space).
 */
export function insertBeside(text: string, span: Span, newText: string, side: 'before' | 'after'): TextEditSpan {
  const sep = separatorBefore(text, span.offset);
  return side === 'before'
    ? { span: { offset: span.offset, length: 0 }, newText: `${newText},${sep}` }
    : { span: { offset: span.offset + span.length, length: 0 }, newText: `,${sep}${newText}` };
}

/** Where `insertMember` puts the new member: first, last, or right after a member of the object. */
export type MemberPosition = 'first' | 'last' | { after: Member };

/** Insert `memberText` (`"Key": value`, or several members) into the object `object`, following its layout. */
export function insertMember(text: string, object: JsonNode, memberText: string, at: MemberPosition = 'last'): TextEditSpan {
  const members = membersOf(object);
  let before: Member | undefined;
  let after: Member | undefined;
  if (at === 'first') before = members[0];
  else if (at === 'last') after = members[members.length - 1];
  else {
    const i = members.findIndex(m => m.span.offset === at.after.span.offset);
    after = at.after;
    before = i >= 0 ? members[i + 1] : undefined;
  }
  if (before) return insertBeside(text, before.span, memberText, 'before');
  if (after) return insertBeside(text, after.span, memberText, 'after');
  return { span: { offset: object.offset + 1, length: 0 }, newText: memberText };
}

/** Remove the member of `object` whose key is `key`, with its joining comma; undefined when there is none. */
export function removeMember(object: JsonNode, key: Located<string>): TextEditSpan | undefined {
  const members = membersOf(object);
  const i = members.findIndex(m => m.key.span.offset === key.span.offset);
  return i < 0
    ? undefined
    : removeWithComma(
        members.map(m => m.span),
        i,
      );
}

/** A fix that removes the member of `object` whose key is `key`. */
export function removeMemberFix(title: string, object: JsonNode, key: Located<string>, preferred = true): Fix | undefined {
  const edit = removeMember(object, key);
  return edit && editsFix(title, [edit], preferred);
}

// ---------------------------------------------------------------------------------------------
// Whole values (statements) in the document's layout

/**
 * How the document writes an object or array, read from one it already has: what a value a fix
 * adds beside it (a statement) follows, so that it looks written by the same hand.
 */
export interface JsonLayout {
  /** One member or item per line (else all on one line). */
  multiLine: boolean;
  /** The indentation of the line with the value's closing bracket: the value's own depth. */
  indent: string;
  /** One level of indentation, as the document writes it: two or four spaces, a tab… */
  unit: string;
  /** The line break: `\r\n` in a file with CRLF line ends, else `\n`. */
  eol: string;
  /** A space after `:` (and after `,` on one line): `{"a": 1, "b": 2}`, else `{"a":1,"b":2}`. */
  spaced: boolean;
}

/** The indentation unit when the document shows none (a one-line policy that becomes multi-line never does). */
export const DEFAULT_INDENT_UNIT = '  ';

/**
 * The layout of an existing object or array. The unit is the indentation its first member or item
 * has beyond its closing bracket's; `fallbackUnit` when that does not show one (one line, a first
 * member on the opening line).
 */
export function layoutOf(text: string, node: JsonNode, fallbackUnit = DEFAULT_INDENT_UNIT): JsonLayout {
  const end = node.offset + node.length;
  const newline = text.indexOf('\n', node.offset);
  const multiLine = newline >= 0 && newline < end;
  const anyNewline = multiLine ? newline : text.indexOf('\n');
  const eol = anyNewline > 0 && text.charCodeAt(anyNewline - 1) === 13 ? '\r\n' : '\n';
  const indent = leadingWhitespace(text, Math.max(node.offset, end - 1));
  const first = node.children?.[0];
  const firstIndent = first && lineIndent(text, first.offset);
  const unit =
    firstIndent !== undefined && firstIndent.length > indent.length && firstIndent.startsWith(indent)
      ? firstIndent.slice(indent.length)
      : fallbackUnit;
  return { multiLine, indent, unit, eol, spaced: spacedAfterColon(text, node) };
}

/** Does the document put a space after a colon (judged on the node's first member that has one, else on the node itself)? */
function spacedAfterColon(text: string, node: JsonNode): boolean {
  let n: JsonNode | undefined = node;
  // Down the first children to the first property: bounded by the nesting depth of the value.
  while (n && n.type !== 'property') n = n.children?.[0];
  const [key, value] = n?.children ?? [];
  if (!key || !value) return true;
  return /\s/.test(text.slice(key.offset + key.length, value.offset));
}

/**
 * `value` (parsed JSON) as text in `layout`: on one line, or one member or item per line with the
 * layout's indentation from its depth on, nested objects and arrays too (as JSON.stringify writes
 * them, and as AWS's examples are laid out).
 */
export function renderJson(value: unknown, layout: JsonLayout): string {
  const { multiLine, unit, eol, spaced } = layout;
  const colon = spaced ? ': ' : ':';
  const render = (v: unknown, indent: string): string => {
    const inner = indent + unit;
    let items: string[];
    let open: string;
    if (Array.isArray(v)) {
      items = v.map(i => render(i, inner));
      open = '[';
    } else if (v && typeof v === 'object') {
      items = Object.entries(v).map(([k, i]) => `${JSON.stringify(k)}${colon}${render(i, inner)}`);
      open = '{';
    } else return JSON.stringify(v) ?? 'null';
    const close = open === '[' ? ']' : '}';
    if (!items.length) return open + close;
    return multiLine
      ? `${open}${eol}${inner}${items.join(`,${eol}${inner}`)}${eol}${indent}${close}`
      : `${open}${items.join(spaced ? ', ' : ',')}${close}`;
  };
  return render(value, layout.indent);
}

/** `text` with one more `unit` of indentation on every line after its first (empty lines stay empty): a value moved one level deeper. */
export function indentFollowingLines(text: string, unit: string): string {
  return text.replace(/\n(?![\r\n]|$)/g, `\n${unit}`);
}

// ---------------------------------------------------------------------------------------------
// String-or-array elements (Action, Resource…)

/** Add `newItemJson` next to `item`: inserted after it in an array; a lone string becomes an array. */
export function addItemFix(title: string, text: string, list: ValueList, item: Located, newItemJson: string): Fix {
  if (!list.isArray) return replaceFix(title, list.span, `[${spanText(text, item.span)}, ${newItemJson}]`);
  return replaceFix(title, { offset: item.span.offset + item.span.length, length: 0 }, `, ${newItemJson}`);
}

/** Replace one item by several (`"*"` → both bucket ARNs); a lone string becomes an array. */
export function replaceItemFix(title: string, list: ValueList, item: Located, newItemsJson: string[]): Fix {
  if (!list.isArray)
    return replaceFix(title, list.span, newItemsJson.length === 1 ? newItemsJson[0] : `[${newItemsJson.join(', ')}]`);
  return replaceFix(title, item.span, newItemsJson.join(', '));
}

/** Remove one array item with the comma that joins it to a neighbour; undefined for a lone item. */
export function removeItemFix(title: string, list: ValueList, index: number): Fix | undefined {
  if (!list.isArray || list.items.length < 2) return undefined;
  return editsFix(title, [
    removeWithComma(
      list.items.map(i => i.span),
      index,
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** Does another operator of the same Condition already use this exact name (so renaming onto it would merge blocks)? */
export function operatorTaken(cond: ConditionBlock, name: string, except?: ConditionOperatorBlock): boolean {
  return cond.operators.some(o => o !== except && o.operator.value === name);
}

/**
 * An edit that adds `"operator": {"key": value}` to a statement's Condition (creating the
 * Condition when there is none). Undefined when that would not be a plain addition: the
 * Condition is not an object, is duplicated, or already has a block for `operator`.
 * Conditions are ANDed, so adding a block narrows the statement exactly by the new test.
 */
export function addConditionEdit(
  text: string,
  st: Statement,
  operator: string,
  key: string,
  valueJson: string,
): TextEditSpan | undefined {
  const block = `${jsonString(operator)}: {${jsonString(key)}: ${valueJson}}`;
  const conditions = st.members.filter(m => m.key.value === 'Condition');
  if (conditions.length === 0) {
    if (st.members.length === 0) return undefined;
    return insertMember(text, st.node, `"Condition": {${block}}`);
  }
  if (conditions.length > 1) return undefined;
  const node = conditions[0].valueNode;
  if (node.type !== 'object') return undefined;
  if (membersOf(node).some(m => m.key.value === operator)) return undefined;
  return insertMember(text, node, block);
}

/**
 * Is removing one condition entry safe when the test is always true? It changes no decision, but a
 * Deny left with no condition at all reads as "deny everything it names": whatever the author
 * meant to test is gone, so that removal waits for a person. Allow statements, and Deny statements
 * that keep another test, are safe.
 */
export const alwaysTrueRemovalIsSafe = (st: Statement, cond: ConditionBlock): boolean =>
  st.effect?.value !== 'Deny' || cond.operators.reduce((n, o) => n + o.entries.length, 0) > 1;

/** Remove one operator block; the whole `Condition` when it is the only one. */
export function removeOperatorFix(
  title: string,
  st: Statement,
  cond: ConditionBlock,
  ob: ConditionOperatorBlock,
  preferred = true,
): Fix | undefined {
  if (cond.operators.length > 1) return removeMemberFix(title, cond.node, ob.operator, preferred);
  return removeMemberFix(title, st.node, cond.member.key, preferred);
}

/**
 * Remove one condition key; when it is the last key of its operator, the operator goes too,
 * and when that is the last operator, the whole `Condition` element.
 */
export function removeConditionEntryFix(
  title: string,
  st: Statement,
  cond: ConditionBlock,
  ob: ConditionOperatorBlock,
  entry: ConditionEntry,
  preferred: boolean,
): Fix | undefined {
  if (ob.entries.length > 1) return removeMemberFix(title, ob.node, entry.key, preferred);
  return removeOperatorFix(title, st, cond, ob, preferred);
}
