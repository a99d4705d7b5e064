// Facts derived from the objects of one parsed document (the document, its statements, condition
// blocks and JSON nodes), kept with that document: in Maps held by its root JSON node, which die
// with it.
//
// Each analysis makes a few thousand such objects, and they die in the next scavenge. Kept in
// module-wide WeakMaps instead, each one added an ephemeron entry that every scavenge had to process
// and the table had to clear later: that was 15 % of a 20 KB bucket policy's analysis
// (docs/design/engine.md#reuse). A property on each object would be as fast, but it shows in
// `assert.deepStrictEqual` and `console.log`, and a copy made by spreading (`{ ...cond, operators }`)
// would carry a fact about the original. A Map keyed by the object has none of these problems.
import type { JsonNode, PolicyDocument, Statement } from './model';

/** One derived fact per object: `get` what was kept, `set` it once known. */
export interface Slot<O extends object, T> {
  get(o: O): T | undefined;
  /** Keeps `value` for `o` (nothing is kept for an object outside any document) and returns it. */
  set(o: O, value: T): T;
}

const STORE = Symbol('derived facts');
type Store = (Map<object, unknown> | undefined)[];
type Rooted = JsonNode & { [STORE]?: Store };

/** Nesting is refused past 64 levels (parse.ts); this bound only keeps a broken tree from looping. */
const MAX_CLIMB = 10_000;

function rootOf(node: JsonNode): Rooted {
  let root = node as Rooted;
  for (let i = 0; root.parent && i < MAX_CLIMB; i++) root = root.parent;
  return root;
}

function storeOf(node: JsonNode | undefined, create: boolean): Store | undefined {
  if (!node) return undefined;
  const root = rootOf(node);
  let store = root[STORE];
  if (!store && create) {
    store = [];
    // Not enumerable: the tree looks as jsonc-parser made it (equality, printing, spreading).
    Object.defineProperty(root, STORE, { value: store, enumerable: false });
  }
  return store;
}

let slots = 0;

/** A slot for objects that `nodeOf` ties to a document's JSON tree. */
export function slot<O extends object, T>(nodeOf: (o: O) => JsonNode | undefined): Slot<O, T> {
  const id = slots++;
  return {
    get: o => storeOf(nodeOf(o), false)?.[id]?.get(o) as T | undefined,
    set: (o, value) => {
      const store = storeOf(nodeOf(o), true);
      if (store) (store[id] ??= new Map()).set(o, value);
      return value;
    },
  };
}

/** `fn` computed once per object (see `slot`). The result is shared: callers must not change it. */
function memoized<O extends object, T>(nodeOf: (o: O) => JsonNode | undefined, fn: (o: O) => T): (o: O) => T {
  const kept = slot<O, T | typeof NOTHING>(nodeOf);
  return o => {
    let hit = kept.get(o);
    if (hit === undefined) {
      const value = fn(o);
      hit = kept.set(o, value === undefined ? NOTHING : value);
    }
    return (hit === NOTHING ? undefined : hit) as T;
  };
}

/** Kept for a result of `undefined`, which `get` could not tell from "not computed yet". */
const NOTHING: unique symbol = Symbol('nothing');

export const documentNode = (doc: PolicyDocument): JsonNode | undefined => doc.root;
export const statementNode = (st: { node: JsonNode }): JsonNode => st.node;

/** `fn` once per parsed document (a document without any JSON value keeps nothing: `fn` runs each time). */
export const oncePerDocument = <T>(fn: (doc: PolicyDocument) => T): ((doc: PolicyDocument) => T) => memoized(documentNode, fn);
/** `fn` once per JSON node. */
export const oncePerNode = <T>(fn: (node: JsonNode) => T): ((node: JsonNode) => T) => memoized(n => n, fn);

const texts = slot<Statement, string>(statementNode);

/**
 * The statement's text: one string per statement and version. The caches that reuse work across
 * versions are keyed by it; as one string, its hash is computed once, not once per cache (a key
 * built afresh for each cache had to be copied and hashed each time).
 */
export function statementText(doc: PolicyDocument, st: Statement): string {
  return texts.get(st) ?? texts.set(st, doc.text.slice(st.span.offset, st.span.offset + st.span.length));
}

const documents = slot<JsonNode, PolicyDocument>(node => node);

/** Called by parsePolicy: what `documentOf` finds for the nodes of `doc`. */
export function rememberDocument(doc: PolicyDocument): void {
  if (doc.root) documents.set(doc.root, doc);
}

/** The parsed document a node belongs to (for facts asked of a statement alone, see statement-facts.ts). */
export const documentOf = (node: JsonNode): PolicyDocument | undefined => documents.get(rootOf(node));
