// The outline of a block-style YAML template, read from its lines alone: the top-level sections
// and, in `Resources`, each resource's logical ID, its lines and its `Type` when that is written on
// a line of its own. The scanner then parses only the parts it reads (the sections, and the
// resources whose type it knows) — most of a real template is roles, functions and alarms — and
// each part on its own, so that a keystroke re-parses the part it is in (docs/design/architecture.md#templates-by-parts).
//
// Why lines are enough: YAML nests by indentation. A continuation line of a quoted or plain scalar,
// of a block scalar or of a flow collection must be indented deeper than the mapping it belongs
// to, so a content line indented no deeper than a resource key starts the next resource (or
// section). Nothing inside values needs to be understood to find those boundaries. Whatever the
// outline is not sure of (flow style at the top, tabs in indentation, anchors that parts could
// share, several documents, directives, a byte-order mark) gives undefined: the caller then parses
// the whole text, as it would without an outline.
import type { Span } from '../policy/model';

/** A top-level section or a resource: its key and the lines it spans, [start, end) of the text. */
export interface OutlinePart {
  key: string;
  keySpan: Span;
  /** The start of its first line. */
  start: number;
  /** The start of the next part's first line (or the end of the text). */
  end: number;
}

export interface OutlineResource extends OutlinePart {
  /** The literal `Type` written on a line of its own, with the span of its value. */
  type?: { value: string; span: Span; keyOffset: number };
  /** Where its first property starts (the value of the resource key). */
  bodyStart?: number;
}

export interface OutlineSection extends OutlinePart {
  /** The resources of a `Resources` section written as a block (absent for every other section). */
  resources?: OutlineResource[];
}

/** A plain, single- or double-quoted mapping key followed by `:` and the rest of the line. */
const KEY_LINE = /^(?:"([\w.\-/]*)"|'([\w.\-/]*)'|([A-Za-z0-9_][\w.\-/]*))[ \t]*:(?:[ \t]+(.*))?$/;
/** `Type: AWS::S3::Bucket`, quoted or not, with an optional comment. */
const TYPE_LINE = /^(?:Type|"Type"|'Type')[ \t]*:[ \t]*(?:"([\w:]+)"|'([\w:]+)'|([\w:]+))[ \t]*(?:#.*)?$/;
/** An anchor (`&name`) where a node can start: parts parsed apart could not share it. */
const ANCHOR = /(?:^|[\s[{,])&[^\s,[\]{}]/;

const hasInlineValue = (rest: string | undefined): boolean => rest !== undefined && rest !== '' && !rest.startsWith('#');

/** The outline of `text`, or undefined when the text is not a plain block-style template this reader is sure of. */
export function outlineYaml(text: string): OutlineSection[] | undefined {
  if (text.charCodeAt(0) === 0xfeff || ANCHOR.test(text)) return undefined;
  const sections: OutlineSection[] = [];
  let section: OutlineSection | undefined;
  let resource: OutlineResource | undefined;
  /** The indentation of resource keys, once the first is seen. */
  let resourceIndent = -1;
  /** The indentation of the current resource's properties, once its first is seen. */
  let childIndent = -1;
  let seenContent = false;
  const close = (at: number): void => {
    if (resource) resource.end = at;
    if (section) section.end = at;
  };
  for (let ls = 0; ls < text.length;) {
    const nl = text.indexOf('\n', ls);
    const le = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length : nl + 1;
    let indent = 0;
    while (ls + indent < le && text.charCodeAt(ls + indent) === 0x20) indent++;
    const first = text.charCodeAt(ls + indent);
    const line = text.slice(ls + indent, text.charCodeAt(le - 1) === 0x0d ? le - 1 : le);
    if (line === '' || first === 0x23 /* # */) {
      ls = next;
      continue;
    }
    if (first === 0x09 /* tab */) return undefined;
    if (indent === 0) {
      if (line.startsWith('---')) {
        // A document start is fine before anything else; a second document is not this reader's.
        if (seenContent || !/^---[ \t]*(#.*)?$/.test(line)) return undefined;
        seenContent = true;
        ls = next;
        continue;
      }
      const m = KEY_LINE.exec(line);
      if (!m) return undefined;
      const key = m[1] ?? m[2] ?? m[3];
      if (key === 'Resources' && sections.some(s => s.key === 'Resources')) return undefined;
      close(ls);
      resource = undefined;
      section = {
        key,
        keySpan: { offset: ls, length: line.indexOf(':') },
        start: ls,
        end: text.length,
        ...(key === 'Resources' && !hasInlineValue(m[4]) ? { resources: [] } : {}),
      };
      sections.push(section);
      seenContent = true;
      ls = next;
      continue;
    }
    if (!section) return undefined;
    if (section.resources) {
      if (resourceIndent < 0) resourceIndent = indent;
      if (indent < resourceIndent) return undefined;
      if (indent === resourceIndent) {
        const m = KEY_LINE.exec(line);
        if (!m) return undefined;
        if (resource) resource.end = ls;
        const key = m[1] ?? m[2] ?? m[3];
        resource = {
          key,
          keySpan: { offset: ls + indent, length: line.indexOf(':') },
          start: ls,
          end: text.length,
        };
        // A resource written on its line (`Name: {Type: …}`) has no outline of its own: it is parsed.
        if (hasInlineValue(m[4])) resource.bodyStart = -1;
        section.resources.push(resource);
        childIndent = -1;
      } else if (resource && resource.bodyStart !== -1) {
        if (childIndent < 0) {
          childIndent = indent;
          resource.bodyStart = ls + indent;
        }
        if (indent === childIndent && !resource.type) {
          const t = TYPE_LINE.exec(line);
          const value = t && (t[1] ?? t[2] ?? t[3]);
          if (value) {
            const at = ls + indent + line.indexOf(value, line.indexOf(':') + 1) - (t[3] ? 0 : 1);
            resource.type = { value, span: { offset: at, length: value.length + (t[3] ? 0 : 2) }, keyOffset: ls + indent };
          }
        }
      }
    }
    ls = next;
  }
  close(text.length);
  return sections.length ? sections : undefined;
}
