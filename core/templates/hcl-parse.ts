// HCL (Terraform) parsing with exact ranges, through tree-sitter's Terraform grammar compiled to
// WebAssembly (web-tree-sitter + @tree-sitter-grammars/tree-sitter-hcl). Why this parser: it is
// error-tolerant (a file being typed still yields every complete block, errors are located
// nodes), every node has exact offsets, it needs no native build (one .wasm per platform-free
// package), and both packages are maintained by the tree-sitter organisation.
//
// Loading WebAssembly is asynchronous: `initTerraform()` is awaited once at start-up (server, CLI,
// tests); after it, `parseHcl` is synchronous. Before it, parseHcl says "not ready", never throws.
//
// The tree-sitter tree lives in WebAssembly memory: it is copied at once into plain objects
// (named nodes only, depth-capped) and freed, so nothing downstream can leak it.
import fs from 'node:fs';
import path from 'node:path';
import type { Language as TsLanguage, Parser as TsParser } from 'web-tree-sitter';
import { errorLine, plainLine } from '../../shared/escape';
import type { Span } from '../policy/model';
import { shifted } from './tree';
import { labelLiteral, outlineHcl } from './hcl-outline';
import type { PartCache } from './types';

/** One named syntax node: its grammar type, its offsets (UTF-16, like every Span) and its named children. */
export interface HclNode {
  type: string;
  start: number;
  end: number;
  children: HclNode[];
}

export interface HclParse {
  root?: HclNode;
  /** Syntax errors of the file, in order, at most MAX_HCL_ERRORS. */
  errors: { span: Span; message: string }[];
  /** Set when the file was not parsed: why, in one phrase. */
  notParsed?: string;
}

/** Larger .tf files are not parsed: a Terraform module of 500 KB is already large, and parse time grows with size. */
export const MAX_HCL_SIZE = 2 * 1024 * 1024;
/** Deeper syntax nodes are not copied (a policy is a handful of levels; 100 leaves room for any real module). */
export const MAX_HCL_DEPTH = 100;
/** At most this many syntax nodes are copied: a bound on memory for any input that passed the size limit. */
export const MAX_HCL_NODES = 1_000_000;
/**
 * Parsing gives up after this long: tree-sitter recovers from errors by trying alternatives, and a
 * hostile file must not hold the server. Generous, because a busy machine parses a large module
 * several times slower than an idle one, and a real module must not be refused for that.
 */
export const HCL_PARSE_DEADLINE_MS = 5000;
export const MAX_HCL_ERRORS = 20;
/** Why a file past MAX_HCL_DEPTH or MAX_HCL_NODES is not parsed. */
const TOO_LARGE_TREE = `the file nests deeper than ${MAX_HCL_DEPTH} levels or has more than ${MAX_HCL_NODES} syntax nodes`;
/** Characters handed to the parser per read: what its 10 KB UTF-16 input buffer holds. */
const INPUT_CHUNK = 5 * 1024 - 1;

/** The WebAssembly files, beside the bundle (dist/) or in node_modules (tests run from out/). */
export const HCL_WASM_FILES = { runtime: 'web-tree-sitter.wasm', grammar: 'tree-sitter-terraform.wasm' } as const;

let parser: TsParser | undefined;
/** The grammar's node types by id, and whether each is named: read once, so a node costs one call into WebAssembly for both. */
let typeNames: readonly string[] = [];
let typeIsNamed: readonly boolean[] = [];
let initializing: Promise<void> | undefined;
let initError: string | undefined;

/** Where a .wasm file may be: beside the bundle (dist/, dist/server/), else in node_modules above us (tests run from out/). */
function locate(file: string, inPackage: string): string {
  const tried = [path.join(__dirname, file), path.join(__dirname, '..', file)];
  // Walking up instead of require.resolve keeps the bundler from resolving it at build time.
  let dir = __dirname;
  for (let i = 0; i < 12; i++) {
    tried.push(path.join(dir, 'node_modules', inPackage, file));
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const found = tried.find(p => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`${file} not found (looked beside ${__dirname} and in node_modules)`);
  return found;
}

/**
 * Loads the parser (idempotent; concurrent callers share one load). Never rejects: a failure is
 * kept and every later parse says why Terraform files cannot be read.
 */
export function initTerraform(): Promise<void> {
  initializing ??= (async () => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ts = require('web-tree-sitter') as typeof import('web-tree-sitter');
      const runtime = locate(HCL_WASM_FILES.runtime, 'web-tree-sitter');
      const grammar = locate(HCL_WASM_FILES.grammar, '@tree-sitter-grammars/tree-sitter-hcl');
      await ts.Parser.init({ locateFile: () => runtime });
      const language: TsLanguage = await ts.Language.load(fs.readFileSync(grammar));
      const p = new ts.Parser();
      p.setLanguage(language);
      typeNames = Array.from({ length: language.nodeTypeCount }, (_, id) => language.nodeTypeForId(id) ?? 'ERROR');
      typeIsNamed = Array.from({ length: language.nodeTypeCount }, (_, id) => language.nodeTypeIsNamed(id));
      parser = p;
    } catch (e) {
      initError = errorLine(e);
    }
  })();
  return initializing;
}

/** Whether initTerraform has finished loading the parser. */
export const terraformReady = (): boolean => parser !== undefined;

/** Parses HCL text into plain nodes; bounded in size, time, depth and node count; never throws. */
export function parseHcl(text: string, deadlineMs = HCL_PARSE_DEADLINE_MS): HclParse {
  if (!parser)
    return {
      errors: [],
      notParsed: initError
        ? `the Terraform parser could not be loaded (${initError})`
        : 'the Terraform parser is not loaded yet (initTerraform was not awaited)',
    };
  if (text.length > MAX_HCL_SIZE) return { errors: [], notParsed: `the file is larger than ${MAX_HCL_SIZE / 1024 / 1024} MB` };
  const deadline = Date.now() + deadlineMs;
  let timedOut = false;
  let tree;
  try {
    parser.reset();
    // A callback handing out bounded chunks: given a string, web-tree-sitter slices the whole
    // rest of it on every read (its input buffer holds 10 KB), which is quadratic garbage.
    tree = parser.parse((index: number) => (index < text.length ? text.slice(index, index + INPUT_CHUNK) : ''), null, {
      // Returning true cancels the parse (web-tree-sitter's documented contract).
      progressCallback: (() => {
        if (Date.now() > deadline) timedOut = true;
        return timedOut;
      }) as () => void,
    });
  } catch (e) {
    return { errors: [], notParsed: `the file could not be parsed (${errorLine(e)})` };
  }
  if (!tree) {
    parser.reset();
    return { errors: [], notParsed: timedOut ? 'parsing took too long' : 'the file could not be parsed' };
  }
  try {
    return copyTree(tree, text);
  } finally {
    tree.delete();
  }
}

function copyTree(tree: import('web-tree-sitter').Tree, text: string): HclParse {
  const errors: HclParse['errors'] = [];
  const addError = (start: number, end: number, message: string) => {
    if (errors.length < MAX_HCL_ERRORS) errors.push({ span: { offset: start, length: Math.max(0, end - start) }, message });
  };
  const cursor = tree.walk();
  let count = 0;
  let tooDeep = false;
  const root: HclNode = { type: cursor.nodeType, start: cursor.startIndex, end: cursor.endIndex, children: [] };
  // Iterative pre-order walk: `nodes` holds the copied ancestors, `pushed` says for each level the
  // cursor went down whether that level's node was copied (ERROR nodes are not: their children
  // join the nearest copied ancestor, so a file with one typo still shows its other blocks).
  const nodes: HclNode[] = [root];
  const pushed: boolean[] = [];
  // The whole file may be one error (nothing in it parsed as a block).
  if (root.type === 'ERROR') addError(root.start, root.end, errorMessage(text, root.start, root.end));
  try {
    if (!cursor.gotoFirstChild()) return { root, errors };
    pushed.push(true);
    // Every cursor read is a call into WebAssembly: read only what a node needs. Without errors
    // in the tree, nothing can be missing or an ERROR, and anonymous tokens need no copy.
    const checkErrors = tree.rootNode.hasError;
    for (;;) {
      let copied: HclNode | undefined;
      const id = cursor.nodeTypeId;
      // An id past the table (the error symbol is 65535) reads as the parser names it.
      const type = typeNames[id] ?? cursor.nodeType;
      const named = typeIsNamed[id] ?? cursor.nodeIsNamed;
      const missing = checkErrors && cursor.nodeIsMissing;
      if (checkErrors) {
        if (missing) addError(cursor.startIndex, cursor.endIndex, `HCL syntax error: missing ${type}`);
        else if (type === 'ERROR')
          addError(cursor.startIndex, cursor.endIndex, errorMessage(text, cursor.startIndex, cursor.endIndex));
      }
      if (type !== 'ERROR' && named && !missing) {
        if (pushed.length > MAX_HCL_DEPTH || ++count > MAX_HCL_NODES) {
          tooDeep = true;
          break;
        }
        copied = { type, start: cursor.startIndex, end: cursor.endIndex, children: [] };
        nodes[nodes.length - 1].children.push(copied);
      }
      if (copied?.type === 'block' && pushed.length === 2 && !checkErrors && copyHeaderOnly(cursor, copied, text)) {
        // Fall through to the next sibling: the body of a block no policy needs is not copied.
      } else if ((copied || type === 'ERROR') && cursor.gotoFirstChild()) {
        pushed.push(copied !== undefined);
        if (copied) nodes.push(copied);
        continue;
      }
      // Next sibling, or up until there is one.
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || pushed.length === 0) {
          done = true;
          break;
        }
        if (pushed.pop()) nodes.pop();
      }
      if (done) break;
    }
  } finally {
    cursor.delete();
  }
  return finish();
  function finish(): HclParse {
    if (tooDeep)
      return {
        errors,
        notParsed: TOO_LARGE_TREE,
      };
    return { root, errors };
  }
}

/** Top-level blocks whose bodies the Terraform scanner reads; other blocks keep their kind and labels only. */
const READ_BODIES = /^(?:locals|variable|resource|data)$/;
const READ_TYPES = /^(?:aws_s3_bucket|aws_kms_key|aws_iam_policy_document)/;

/** Does the Terraform scanner read the body of a top-level block of this kind and first label? */
export const readsBody = (kind: string, label: string): boolean =>
  READ_BODIES.test(kind) && (kind === 'locals' || kind === 'variable' || READ_TYPES.test(label));

/**
 * For a top-level block that holds nothing the scanner reads (an aws_instance, a module call),
 * copies its kind and labels and leaves the cursor on it; returns false (nothing copied) for
 * blocks whose bodies are needed. Most of a real module is such blocks: not copying them is most
 * of the time a scan takes.
 */
function copyHeaderOnly(cursor: import('web-tree-sitter').TreeCursor, block: HclNode, text: string): boolean {
  if (!cursor.gotoFirstChild()) return false;
  const header: HclNode[] = [];
  do {
    const type = cursor.nodeType;
    if (type !== 'identifier' && type !== 'string_lit') break;
    header.push({ type, start: cursor.startIndex, end: cursor.endIndex, children: [] });
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  const kind = header[0] ? text.slice(header[0].start, header[0].end) : '';
  const label = header[1] ? text.slice(header[1].start, header[1].end).replace(/^"|"$/g, '') : '';
  if (readsBody(kind, label)) return false;
  // A label's string_lit keeps its text child, as the parser gives it.
  for (const h of header) if (h.type === 'string_lit') h.children.push(labelLiteral(h.start, h.end));
  block.children.push(...header);
  return true;
}

function errorMessage(text: string, start: number, end: number): string {
  const snippet = text
    .slice(start, Math.min(end, start + 30))
    .split('\n')[0]
    .trim();
  return snippet ? `HCL syntax error near "${plainLine(snippet, 30)}"` : 'HCL syntax error';
}

/** One block parsed on its own, offsets its own text's: kept by its text across versions. */
interface ParsedBlock {
  block?: HclNode;
  errors: HclParse['errors'];
  nodes: number;
  notParsed?: string;
}

function countNodes(n: HclNode): number {
  let count = 1;
  for (const c of n.children) count += countNodes(c);
  return count;
}

function shiftInPlace(n: HclNode, by: number): HclNode {
  n.start += by;
  n.end += by;
  for (const c of n.children) shiftInPlace(c, by);
  return n;
}

function shiftHcl(n: HclNode, by: number): HclNode {
  return { type: n.type, start: n.start + by, end: n.end + by, children: n.children.map(c => shiftHcl(c, by)) };
}

/**
 * Parses a Terraform file block by block (see hcl-outline.ts): the blocks the scanner reads are
 * parsed each on its own and kept in `parts` by their text, the others keep their type and labels
 * only. The tree is the one parseHcl gives for the whole file (the tests compare the two); a file
 * without an outline, or with a block that does not parse as one block, is parsed whole.
 */
export function parseHclByParts(text: string, parts?: PartCache, deadlineMs = HCL_PARSE_DEADLINE_MS): HclParse {
  if (!parser || text.length > MAX_HCL_SIZE) return parseHcl(text, deadlineMs);
  const blocks = outlineHcl(text);
  if (!blocks?.length) return parseHcl(text, deadlineMs);
  const deadline = Date.now() + deadlineMs;
  const errors: HclParse['errors'] = [];
  const children: HclNode[] = [];
  let nodes = 0;
  for (const b of blocks) {
    const label = b.labels[0] ?? '';
    if (!readsBody(b.kind, label)) {
      children.push({ type: 'block', start: b.start, end: b.end, children: b.header });
      continue;
    }
    const source = text.slice(b.start, b.end);
    const key = `hcl\0${source}`;
    let part = parts?.get(key) as ParsedBlock | undefined;
    if (!part) {
      const p = parseHcl(source, Math.max(0, deadline - Date.now()));
      const body = p.root?.children.find(c => c.type === 'body');
      const block = body?.children.length === 1 && body.children[0].type === 'block' ? body.children[0] : undefined;
      part = { block, errors: p.errors, nodes: block ? countNodes(block) : 0, notParsed: p.notParsed };
      parts?.set(key, part, source.length * 24);
    }
    if (part.notParsed) return { errors: [], notParsed: part.notParsed };
    if (!part.block) return parseHcl(text, Math.max(0, deadline - Date.now()));
    nodes += part.nodes;
    if (nodes > MAX_HCL_NODES)
      return {
        errors: [],
        notParsed: TOO_LARGE_TREE,
      };
    for (const e of part.errors)
      if (errors.length < MAX_HCL_ERRORS) errors.push({ span: shifted(e.span, b.start), message: e.message });
    // A part kept for the next version is copied into place; one parsed for this version only is moved.
    children.push(parts ? shiftHcl(part.block, b.start) : shiftInPlace(part.block, b.start));
  }
  const body: HclNode = { type: 'body', start: blocks[0].start, end: blocks[blocks.length - 1].end, children };
  return { root: { type: 'config_file', start: 0, end: text.length, children: [body] }, errors };
}
