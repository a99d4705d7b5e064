// jsonc-parser tree → located, normalised policy model.
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type {
  ConditionBlock,
  ConditionOperatorBlock,
  Located,
  Member,
  PolicyDocument,
  PrincipalBlock,
  Span,
  Statement,
  SyntaxProblem,
  ValueList,
} from './model';
import { oncePerNode, rememberDocument } from './memo';

/** Limits that keep one document from stalling the server (see `analyze`). */
export interface ParseLimits {
  /** Deeper nesting is refused before parsing: the parser recurses and would overflow the stack. */
  maxDepth: number;
  /** Statements beyond this many are not modelled. */
  maxStatements: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxDepth: 64, maxStatements: 1000 };

const SYNTAX_PREFIX = 'JSON syntax error: ';

/** Syntax errors kept per document: after the first hundred, more say nothing new and only hold memory. */
export const MAX_SYNTAX_ERRORS = 100;

export const spanOf = (node: JsonNode): Span => ({ offset: node.offset, length: node.length });

/**
 * A value and its node. The span is read from the node when asked: most never are (rules read
 * spans to report and fix), and a policy has thousands of values. One object instead of two per
 * value is less for each scavenge to copy while an analysis runs (docs/design/engine.md#reuse).
 * Each `span` is a new plain object, safe to keep or send.
 */
class LocatedValue<T> implements Located<T> {
  constructor(
    readonly value: T,
    readonly node: JsonNode,
  ) {}
  get span(): Span {
    return spanOf(this.node);
  }
}

/** A member `"key": value`; its span, the property node's (the value's parent), is read when asked (see LocatedValue). */
class ObjectMember implements Member {
  constructor(
    readonly key: Located<string>,
    readonly valueNode: JsonNode,
  ) {}
  get span(): Span {
    return spanOf(this.valueNode.parent ?? this.valueNode);
  }
}

export function located<T>(node: JsonNode, value: T): Located<T> {
  return new LocatedValue(value, node);
}

/** The value of a JSON node as a plain JS value (objects and arrays included). */
export function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const k = p.children?.[0];
        const v = p.children?.[1];
        if (k && v) out[String(k.value)] = nodeValue(v);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

const membersCache = oncePerNode((node: JsonNode): readonly Member[] => Object.freeze(collectMembers(node)));
const NO_MEMBERS: readonly Member[] = Object.freeze([]);

/** The members of an object node, in order, duplicates included (memoised per node: many rules ask). */
export function membersOf(node: JsonNode | undefined): readonly Member[] {
  return node?.type === 'object' ? membersCache(node) : NO_MEMBERS;
}

function collectMembers(node: JsonNode): Member[] {
  const out: Member[] = [];
  for (const prop of node.children ?? []) {
    // Indexes, not destructuring: this runs for every member of every object, and the iterator costs.
    const keyNode = prop.children?.[0];
    const valueNode = prop.children?.[1];
    // A property without a value only occurs in broken JSON: the syntax error covers it.
    if (!keyNode || !valueNode) continue;
    out.push(new ObjectMember(located(keyNode, String(keyNode.value)), valueNode));
  }
  return out;
}

/** Normalise a string-or-array element to a list that keeps every item's position. */
export function valueList(node: JsonNode): ValueList {
  if (node.type === 'array') {
    const items = (node.children ?? []).map(c => located(c, nodeValue(c)));
    return { node, span: spanOf(node), isArray: true, items };
  }
  return { node, span: spanOf(node), isArray: false, items: [located(node, nodeValue(node))] };
}

/**
 * Deepest nesting of objects/arrays, stopping as soon as `limit` is passed.
 * A plain character scan so that hostile input cannot recurse. It skips what the parser skips —
 * strings and comments (JSON policies may not have comments, but the tolerant parser reads past
 * them; a `"` inside a comment must not look like the start of a string that hides the brackets).
 */
export function nestingDepthExceeds(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      // A line break ends an unterminated string for the parser too.
      else if (c === 0x0a || c === 0x0d) inString = false;
      continue;
    }
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i + 2);
      i = end < 0 ? text.length : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

function principalBlock(member: Member): PrincipalBlock {
  const node = member.valueNode;
  const block: PrincipalBlock = { member, node, star: false, entries: [] };
  if (node.type === 'string') {
    if (node.value === '*') block.star = true;
    else block.invalidString = located(node, String(node.value));
  } else if (node.type === 'object') {
    for (const m of membersOf(node)) block.entries.push({ type: m.key, values: valueList(m.valueNode) });
  }
  return block;
}

function conditionBlock(member: Member): ConditionBlock {
  const node = member.valueNode;
  const operators: ConditionOperatorBlock[] = [];
  for (const op of membersOf(node)) {
    operators.push({
      operator: op.key,
      node: op.valueNode,
      entries: membersOf(op.valueNode).map(k => ({ key: k.key, values: valueList(k.valueNode) })),
    });
  }
  return { member, node, operators };
}

function statementOf(node: JsonNode, index: number): Statement {
  const members = membersOf(node);
  const st: Statement = { index, node, span: spanOf(node), members };
  // Later duplicates win, as in most JSON parsers; GRM-001 reports the duplicate itself.
  for (const m of members) {
    const v = m.valueNode;
    switch (m.key.value) {
      case 'Sid':
        st.sid = located(v, nodeValue(v));
        break;
      case 'Effect':
        st.effect = located(v, nodeValue(v));
        break;
      case 'Principal':
        st.principal = principalBlock(m);
        break;
      case 'NotPrincipal':
        st.notPrincipal = principalBlock(m);
        break;
      case 'Action':
        st.action = valueList(v);
        break;
      case 'NotAction':
        st.notAction = valueList(v);
        break;
      case 'Resource':
        st.resource = valueList(v);
        break;
      case 'NotResource':
        st.notResource = valueList(v);
        break;
      case 'Condition':
        st.condition = conditionBlock(m);
        break;
    }
  }
  return st;
}

function syntaxProblem(e: ParseError, text: string): SyntaxProblem {
  const names: Record<string, string> = {
    InvalidSymbol: 'Invalid symbol',
    InvalidNumberFormat: 'Invalid number',
    PropertyNameExpected: 'Property name expected',
    ValueExpected: 'Value expected',
    ColonExpected: 'Colon expected',
    CommaExpected: 'Comma expected',
    CloseBraceExpected: 'Closing brace } expected',
    CloseBracketExpected: 'Closing bracket ] expected',
    EndOfFileExpected: 'End of file expected',
    InvalidCommentToken: 'Comments are not allowed in JSON policies',
    UnexpectedEndOfComment: 'Unterminated comment',
    UnexpectedEndOfString: 'Unterminated string',
    UnexpectedEndOfNumber: 'Unterminated number',
    InvalidUnicode: 'Invalid unicode escape',
    InvalidEscapeCharacter: 'Invalid escape character',
    InvalidCharacter: 'Invalid character in string',
  };
  const code = printParseErrorCode(e.error);
  let message = names[code] ?? code;
  if (code === 'InvalidCommentToken') message = 'Comments are not allowed: AWS rejects policies that contain them';
  // Zero-length errors (end of file) still need something visible to attach to.
  let { offset, length } = e;
  if (length === 0) {
    if (offset >= text.length && text.length > 0) offset = text.length - 1;
    length = text.length > 0 ? 1 : 0;
  }
  return { message: `${SYNTAX_PREFIX}${message}`, span: { offset, length } };
}

/** Parse policy text into the located model. Never throws. */
export function parsePolicy(
  text: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): PolicyDocument & { depthExceededAt?: number } {
  const doc: PolicyDocument & { depthExceededAt?: number } = {
    text,
    syntaxErrors: [],
    members: [],
    statements: [],
    truncated: false,
  };
  const tooDeep = nestingDepthExceeds(text, limits.maxDepth);
  if (tooDeep !== undefined) {
    doc.depthExceededAt = tooDeep;
    doc.truncated = true;
    return doc;
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  doc.root = root;
  rememberDocument(doc);
  // One problem per place: a file cut short gets "} expected" and "] expected" for every level still
  // open, all at its end; say each different thing once.
  const byPlace = new Map<number, { span: Span; what: string[] }>();
  for (const e of errors) {
    const p = syntaxProblem(e, text);
    const seen = byPlace.get(p.span.offset);
    const what = p.message.slice(SYNTAX_PREFIX.length);
    if (seen) {
      if (!seen.what.includes(what)) seen.what.push(what);
    } else if (byPlace.size < MAX_SYNTAX_ERRORS) byPlace.set(p.span.offset, { span: p.span, what: [what] });
    else doc.syntaxErrorsLeftOut = (doc.syntaxErrorsLeftOut ?? 0) + 1;
  }
  doc.syntaxErrors = [...byPlace.values()].map(p => ({ span: p.span, message: `${SYNTAX_PREFIX}${p.what.join('; ')}` }));
  if (!root || root.type !== 'object') return doc;
  doc.members = membersOf(root);
  for (const m of doc.members) {
    if (m.key.value === 'Version') doc.version = located(m.valueNode, nodeValue(m.valueNode));
    if (m.key.value === 'Statement') doc.statementMember = m;
  }
  const st = doc.statementMember?.valueNode;
  if (st?.type === 'object') doc.statements.push(statementOf(st, 0));
  else if (st?.type === 'array') {
    const children = st.children ?? [];
    const n = Math.min(children.length, limits.maxStatements);
    for (let i = 0; i < n; i++) {
      const c = children[i];
      if (c.type === 'object') doc.statements.push(statementOf(c, i));
    }
    if (children.length > limits.maxStatements) doc.truncated = true;
  }
  return doc;
}
