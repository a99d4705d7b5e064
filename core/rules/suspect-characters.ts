// Invisible and look-alike characters in policy strings: which ones count where, and what each
// should become. GRM-016 reports them; GRM-015 leaves the characters inside them to GRM-016.
import type { Located, PolicyDocument, Span, ValueList } from '../policy/model';
import { oncePerDocument } from '../policy/memo';
import { measureByStatements } from '../policy/statement-facts';

interface CharInfo {
  name: string;
  /** What the fix puts instead ('' = remove). */
  ascii: string;
  invisible: boolean;
}

const SMART_QUOTES = new Set([0x2018, 0x2019, 0x201c, 0x201d]);

export const LOOKALIKE_CHARS: ReadonlyMap<number, CharInfo> = new Map<number, CharInfo>([
  [0x200b, { name: 'ZERO WIDTH SPACE', ascii: '', invisible: true }],
  [0x200c, { name: 'ZERO WIDTH NON-JOINER', ascii: '', invisible: true }],
  [0x200d, { name: 'ZERO WIDTH JOINER', ascii: '', invisible: true }],
  [0x2060, { name: 'WORD JOINER', ascii: '', invisible: true }],
  [0xfeff, { name: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)', ascii: '', invisible: true }],
  [0x00a0, { name: 'NO-BREAK SPACE', ascii: '', invisible: true }],
  [0x2010, { name: 'HYPHEN', ascii: '-', invisible: false }],
  [0x2011, { name: 'NON-BREAKING HYPHEN', ascii: '-', invisible: false }],
  [0x2012, { name: 'FIGURE DASH', ascii: '-', invisible: false }],
  [0x2013, { name: 'EN DASH', ascii: '-', invisible: false }],
  [0x2014, { name: 'EM DASH', ascii: '-', invisible: false }],
  [0x2015, { name: 'HORIZONTAL BAR', ascii: '-', invisible: false }],
  [0x2212, { name: 'MINUS SIGN', ascii: '-', invisible: false }],
  [0x2018, { name: 'LEFT SINGLE QUOTATION MARK', ascii: "'", invisible: false }],
  [0x2019, { name: 'RIGHT SINGLE QUOTATION MARK', ascii: "'", invisible: false }],
  [0x201c, { name: 'LEFT DOUBLE QUOTATION MARK', ascii: '"', invisible: false }],
  [0x201d, { name: 'RIGHT DOUBLE QUOTATION MARK', ascii: '"', invisible: false }],
]);

/** `U+200B ZERO WIDTH SPACE`, or just `U+0430` for characters outside the table. */
export function describeChar(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const info = LOOKALIKE_CHARS.get(cp);
  return info ? `${code} ${info.name}` : code;
}

/**
 * Which characters count in a string:
 * - `strict`: names and keywords that are ASCII by definition (Version, Effect, actions,
 *   operators, principal types): the table plus any other non-ASCII or control character;
 * - `table`: ARNs, principals, condition keys (tag and encryption-context keys may be non-ASCII):
 *   the table only;
 * - `invisible`: free condition values (tag values may contain dashes): invisible characters only.
 */
type Scope = 'strict' | 'table' | 'invisible';

export interface SuspectString {
  /** How the element is called in messages: "Condition key", "Action"… */
  element: string;
  value: Located<string>;
  hits: { cp: number; position: number }[];
  /** The value with table characters removed or made ASCII; undefined when none is in the table. */
  fixed?: string;
}

/** Printable ASCII: no table character (they are all beyond it) and nothing any scope flags. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function hitsIn(value: string, scope: Scope): SuspectString['hits'] {
  const hits: SuspectString['hits'] = [];
  if (PRINTABLE_ASCII.test(value)) return hits;
  let position = 0;
  for (const ch of value) {
    position++;
    const cp = ch.codePointAt(0)!;
    const info = LOOKALIKE_CHARS.get(cp);
    if (info ? scope !== 'invisible' || info.invisible : scope === 'strict' && (cp > 0x7e || cp < 0x20))
      hits.push({ cp, position });
  }
  return hits;
}

function normalised(value: string, hits: SuspectString['hits']): string | undefined {
  if (!hits.some(h => LOOKALIKE_CHARS.has(h.cp))) return undefined;
  const flagged = new Set(hits.map(h => h.position));
  const chars = [...value];
  return chars
    .map((ch, i) => {
      const cp = ch.codePointAt(0)!;
      const info = LOOKALIKE_CHARS.get(cp);
      if (!info || !flagged.has(i + 1)) return ch;
      // Smart quotes around a value were quoting it, not part of it: "“aws:kms”" means aws:kms.
      if (SMART_QUOTES.has(cp) && (i === 0 || i === chars.length - 1)) return '';
      return info.ascii;
    })
    .join('');
}

/** Every policy string that holds an invisible or look-alike character, in document order (once per document: GRM-015 and GRM-016 both ask). */
export const suspectStrings: (doc: PolicyDocument) => SuspectString[] = oncePerDocument(findSuspectStrings);

/**
 * Printable ASCII and line breaks, without a backslash: every string value of such a text is
 * printable ASCII (an escape such as `\u200b` or `\t` would decode to something else). Raw
 * control characters inside a string are syntax errors.
 */
const PLAIN_UNESCAPED = /^[\t\n\r\x20-\x5b\x5d-\x7e]*$/;

function findSuspectStrings(doc: PolicyDocument): SuspectString[] {
  // One pass over the text instead of a test per string: most policies are plain ASCII.
  if (
    doc.syntaxErrors.length === 0 &&
    measureByStatements(doc, 'not plain unescaped', t => (PLAIN_UNESCAPED.test(t) ? 0 : 1)) === 0
  )
    return [];
  const out: SuspectString[] = [];
  const check = (element: string, value: Located<unknown> | undefined, scope: Scope) => {
    if (!value || typeof value.value !== 'string') return;
    const hits = hitsIn(value.value, scope);
    if (hits.length) out.push({ element, value: value as Located<string>, hits, fixed: normalised(value.value, hits) });
  };
  const checkList = (element: string, list: ValueList | undefined, scope: Scope) => {
    for (const item of list?.items ?? []) check(element, item, scope);
  };
  check('Version', doc.version, 'strict');
  for (const st of doc.statements) {
    check('Effect', st.effect, 'strict');
    for (const [element, block] of [
      ['Principal', st.principal],
      ['NotPrincipal', st.notPrincipal],
    ] as const) {
      if (!block) continue;
      check(element, block.invalidString, 'table');
      for (const e of block.entries) {
        check(`${element} type`, e.type, 'strict');
        checkList(element, e.values, 'table');
      }
    }
    checkList('Action', st.action, 'strict');
    checkList('NotAction', st.notAction, 'strict');
    checkList('Resource', st.resource, 'table');
    checkList('NotResource', st.notResource, 'table');
    for (const op of st.condition?.operators ?? []) {
      check('Condition operator', op.operator, 'strict');
      for (const entry of op.entries) {
        check('Condition key', entry.key, 'table');
        for (const item of entry.values.items) {
          const arn = typeof item.value === 'string' && item.value.startsWith('arn:');
          check('Condition value', item, arn ? 'table' : 'invisible');
        }
      }
    }
  }
  return out.sort((a, b) => a.value.span.offset - b.value.span.offset);
}

/** Spans of the strings GRM-016 reports (GRM-015 leaves the characters inside them to GRM-016). */
export const suspectSpans = (doc: PolicyDocument): Span[] => suspectStrings(doc).map(s => s.value.span);

/**
 * What a name means once its look-alike characters are made ASCII (`s3:x-amz-…\u200b-…` →
 * `s3:x-amz-…-…`), or undefined when it holds none. Rules that check names use it to leave a
 * name that is right apart from those characters to GRM-016, instead of reporting it twice.
 */
export function withoutLookalikes(name: string): string | undefined {
  const hits = hitsIn(name, 'table');
  return hits.length ? normalised(name, hits) : undefined;
}
