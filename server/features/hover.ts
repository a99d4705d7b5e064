// Hover: on the top-level "Statement" or "Version" key, what kind of policy this is and why; on a
// statement's Effect or Sid, what the statement decides; on an action, a condition operator, key
// or value, what it is (knowledge/describe.ts); and on a range with one of our diagnostics, the
// rule behind it with a link to its page in docs/rules/. Every value from the policy, its file name
// or the settings goes into the Markdown through escapeMarkdown or markdownCode (a Sid is not a link).
import { findNodeAtOffset, getNodePath, type Node as JsonNode } from 'jsonc-parser';
import type { Hover, Position } from 'vscode-languageserver';
import { outcomeOf, requestClause } from '../../shared/wording';
import { explainRequests } from '../../core/engine/verdict';
import { SERVICE_PRINCIPALS, actionsNamed, lookupAction, lookupConditionKey } from '../../core/knowledge';
import {
  describeAction,
  describeActionPattern,
  describeConditionKey,
  describeConditionValue,
  describeOperator,
} from '../../core/knowledge/describe';
import type { Span, Statement } from '../../core/policy/model';
import { nodeValue } from '../../core/policy/parse';
import { hasWildcard } from '../../core/policy/wildcard';
import { RULES } from '../../core/rules/registry';
import type { RuleMeta } from '../../core/rules/types';
import { escapeMarkdown, markdownCode } from '../../shared/escape';
import type { DocumentAnalysis } from './document-analysis';
import { ruleDocUri } from './rule-docs';
import { statementLabel } from '../../core/rules/labels';
import { templateHover } from './templates';

const KIND_NAMES: Record<string, string> = {
  'bucket-policy': 'an S3 bucket policy',
  'key-policy': 'a KMS key policy',
  'identity-policy': 'an IAM identity policy',
  unknown: 'not a policy',
};

const within = (offset: number, span: { offset: number; length: number }) =>
  offset >= span.offset && offset <= span.offset + span.length;

/** What one statement decides, over the request classes of every bucket the policy names. */
function statementHover(a: DocumentAnalysis, st: Statement): string {
  const doc = a.analysis.doc!;
  const label = typeof st.sid?.value === 'string' && st.sid.value !== '' ? st.sid.value : st.index;
  const lines: string[] = [];
  for (const v of a.analysis.verdicts ?? []) {
    const requests = explainRequests(doc, v.bucket, { maxRequests: 5000 });
    const decided = requests.filter(r => r.statements.includes(label));
    const verb = st.effect?.value === 'Deny' ? 'denies' : 'allows';
    const intro = `**${escapeMarkdown(statementLabel(st))}** ${verb} ${decided.length} of ${requests.length} request classes for bucket ${markdownCode(v.bucket)}`;
    if (!decided.length) {
      lines.push(
        `${intro}: it never decides one${st.effect?.value === 'Deny' ? ' (no request matches it, or another Deny already does)' : ' (a Deny wins, or no request matches it)'}.`,
      );
      continue;
    }
    lines.push(
      [
        `${intro}, for example:`,
        ...decided.slice(0, 4).map(r => `- ${requestClause(r.request, outcomeOf(r.decision), escapeMarkdown)}`),
      ].join('\n'),
    );
  }
  return lines.join('\n\n');
}

/** The verdict and kind hovers (unchanged behaviour): text and the range they apply to. */
function policyHover(a: DocumentAnalysis, offset: number): { text: string; span?: Span } | undefined {
  const doc = a.analysis.doc!;
  const st = a.analysis.verdicts?.length
    ? doc.statements.find(
        s =>
          (s.effect &&
            (within(offset, s.effect.span) || s.members.some(m => m.key.value === 'Effect' && within(offset, m.key.span)))) ||
          (s.sid && within(offset, s.sid.span)),
      )
    : undefined;
  if (st) {
    const text = statementHover(a, st);
    if (text) return { text };
  }
  const member = doc.members.find(
    m =>
      (m.key.value === 'Statement' || m.key.value === 'Version') &&
      offset >= m.key.span.offset &&
      offset <= m.key.span.offset + m.key.span.length,
  );
  if (!member) return undefined;
  const k = a.analysis.kind;
  const bucket = a.analysis.bucketName ? ` Bucket: ${markdownCode(a.analysis.bucketName)}.` : '';
  // The reason may quote a glob from the settings.
  return {
    text: `**S3 Encryption Guard** checks this as ${KIND_NAMES[k.kind]}: ${escapeMarkdown(k.reason)}.${bucket}`,
    span: member.key.span,
  };
}

// ---------------------------------------------------------------------------------------------
// Actions, operators, keys and values

/** The string under the cursor, where it stands in the policy, and whether it is a member name. */
function stringAt(
  a: DocumentAnalysis,
  offset: number,
): { node: JsonNode; path: (string | number)[]; isKey: boolean } | undefined {
  const root = a.analysis.doc?.root;
  if (!root) return undefined;
  const node = findNodeAtOffset(root, offset, true);
  if (!node || node.type !== 'string' || typeof node.value !== 'string') return undefined;
  const isKey = node.parent?.type === 'property' && node.parent.children?.[0] === node;
  // getNodePath of a key names the member itself.
  const path = getNodePath(isKey ? (node.parent!.children?.[1] ?? node) : node);
  return { node, path, isKey };
}

function knowledgeHover(a: DocumentAnalysis, offset: number): { text: string; span: Span } | undefined {
  const at = stringAt(a, offset);
  if (!at || at.path[0] !== 'Statement') return undefined;
  const rest = at.path.slice(typeof at.path[1] === 'number' ? 2 : 1);
  const value = at.node.value as string;
  const span = { offset: at.node.offset, length: at.node.length };
  const [element, second, third] = rest;
  let text: string | undefined;
  if ((element === 'Action' || element === 'NotAction') && !at.isKey && rest.length <= 2) {
    const action = lookupAction(value);
    if (action) text = describeAction(action);
    else if (hasWildcard(value)) text = describeActionPattern(value, actionsNamed(value));
  } else if (element === 'Condition' && typeof second === 'string') {
    if (rest.length === 2 && at.isKey) {
      // Null's meaning depends on its values; the first key's values stand for the block.
      const valueNode = at.node.parent?.children?.[1];
      const firstValues = valueNode?.type === 'object' ? valueNode.children?.[0]?.children?.[1] : undefined;
      const values = firstValues ? [nodeValue(firstValues)].flat() : [];
      text = describeOperator(value, values);
    } else if (rest.length === 3 && at.isKey) {
      const key = lookupConditionKey(value);
      const valueNode = at.node.parent?.children?.[1];
      if (key) text = describeConditionKey(key, { operator: second, values: valueNode ? [nodeValue(valueNode)].flat() : [] });
    } else if (!at.isKey && typeof third === 'string' && rest.length <= 4) {
      text = describeConditionValue(third, second, value);
    }
  } else if ((element === 'Principal' || element === 'NotPrincipal') && second === 'Service' && !at.isKey) {
    const p = SERVICE_PRINCIPALS.find(s => s.value === value);
    if (p) text = `**${p.value}** · service principal\n\n${p.description}.`;
  }
  return text ? { text, span } : undefined;
}

// ---------------------------------------------------------------------------------------------
// The rule behind a diagnostic

const META = new Map<string, RuleMeta>(RULES.map(r => [r.meta.id, r.meta]));

/** The first sentences of a rule's "why", up to about 400 characters. */
function brief(why: string): string {
  const sentences = why.split(/(?<=[.!?])\s+(?=[A-Z`"(])/);
  let out = '';
  for (const s of sentences) {
    if (out && out.length + s.length > 400) break;
    out = out ? `${out} ${s}` : s;
  }
  return out;
}

function ruleHover(a: DocumentAnalysis, offset: number): { text: string; span: Span } | undefined {
  const hits = a.analysis.findings.filter(
    f => META.has(f.ruleId) && offset >= f.span.offset && offset <= f.span.offset + f.span.length,
  );
  if (hits.length === 0) return undefined;
  const ids = [...new Set(hits.map(f => f.ruleId))];
  const sections = ids.map(id => {
    const meta = META.get(id)!;
    const link = ruleDocUri(id);
    // The findings' own explanations first (what this diagnostic is about), then the rule's why.
    const details = hits.filter(f => f.ruleId === id && f.detail).map(f => escapeMarkdown(f.detail!, 2000));
    return [
      `**${id}** · ${meta.title}`,
      '',
      ...details.flatMap(d => [d, '']),
      brief(meta.why),
      '',
      link ? `[${id} documentation](${link})` : `Documentation: docs/rules/${id}.md`,
    ].join('\n');
  });
  const first = hits[0].span;
  return { text: sections.join('\n\n---\n\n'), span: first };
}

export function hover(a: DocumentAnalysis, position: Position, wantedTls?: string | null): Hover | null {
  if (a.template)
    return templateHover({ uri: a.uri, lines: a.lines, template: a.template }, a.analysis.findings, position, wantedTls);
  const doc = a.analysis.doc;
  if (!doc) return null;
  const offset = a.lines.offset(position);
  const parts = [
    policyHover(a, offset),
    a.analysis.kind.kind === 'unknown' ? undefined : knowledgeHover(a, offset),
    ruleHover(a, offset),
  ].filter((p): p is { text: string; span?: Span } => p !== undefined);
  if (parts.length === 0) return null;
  const span = parts.find(p => p.span)?.span;
  return {
    ...(span ? { range: a.lines.range(span) } : {}),
    contents: { kind: 'markdown', value: parts.map(p => p.text).join('\n\n---\n\n') },
  };
}
