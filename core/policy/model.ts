// The located, normalised policy model that every rule and the engine read.
// Spans are UTF-16 offsets into the document text (what jsonc-parser reports); the
// adapters turn them into line/character ranges.
import type { Node as JsonNode } from 'jsonc-parser';

export type { JsonNode };

export interface Span {
  offset: number;
  length: number;
}

export type { PolicyKind } from '../../shared/types';

/** A JSON value together with where it stands in the text. */
export interface Located<T = unknown> {
  value: T;
  span: Span;
  node: JsonNode;
}

/** A member `"Name": value` of an object: the key and the value, both located. */
export interface Member {
  key: Located<string>;
  valueNode: JsonNode;
  /** The span of the whole `"key": value` pair. */
  span: Span;
}

/**
 * A string-or-array element (`Action`, `Resource`, a condition value…) normalised to a list.
 * Items keep their JSON type: rules decide what a non-string means.
 */
export interface ValueList {
  /** The value node as written (a string, an array, or something invalid). */
  node: JsonNode;
  span: Span;
  isArray: boolean;
  items: Located<unknown>[];
}

export interface PrincipalEntry {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser` (or whatever was written). */
  type: Located<string>;
  values: ValueList;
}

export interface PrincipalBlock {
  member: Member;
  node: JsonNode;
  /** `"Principal": "*"` (any other plain string is kept in `invalidString`). */
  star: boolean;
  invalidString?: Located<string>;
  entries: PrincipalEntry[];
}

export interface ConditionEntry {
  /** The condition key as written, e.g. `aws:SecureTransport`. */
  key: Located<string>;
  values: ValueList;
}

export interface ConditionOperatorBlock {
  /** The operator as written, e.g. `ForAnyValue:StringNotEqualsIfExists`. */
  operator: Located<string>;
  node: JsonNode;
  entries: ConditionEntry[];
}

export interface ConditionBlock {
  member: Member;
  node: JsonNode;
  operators: ConditionOperatorBlock[];
}

export interface Statement {
  index: number;
  node: JsonNode;
  span: Span;
  /** Every member as written, in order (duplicates included). */
  members: readonly Member[];
  sid?: Located<unknown>;
  effect?: Located<unknown>;
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  action?: ValueList;
  notAction?: ValueList;
  resource?: ValueList;
  notResource?: ValueList;
  condition?: ConditionBlock;
}

export interface SyntaxProblem {
  message: string;
  span: Span;
}

export interface PolicyDocument {
  text: string;
  /** Undefined when the text holds no JSON value at all. */
  root?: JsonNode;
  /** The first MAX_SYNTAX_ERRORS syntax errors (a document of 100,000 stray commas has 100,000). */
  syntaxErrors: SyntaxProblem[];
  /** Syntax errors past MAX_SYNTAX_ERRORS, counted but not kept. */
  syntaxErrorsLeftOut?: number;
  /** Top-level members (only when the root is an object). */
  members: readonly Member[];
  version?: Located<unknown>;
  statementMember?: Member;
  statements: Statement[];
  /** True when analysis stopped early (see `limits`); rules then saw a prefix of the statements. */
  truncated: boolean;
}
