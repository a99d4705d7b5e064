import type { JsonNode, Member, Statement } from '../../policy/model';
import { statementAnswer } from '../../policy/statement-facts';
import { membersOf, spanOf } from '../../policy/parse';
import { markSafe, removeMember, removeMemberFix, replaceFix } from '../edits';
import { closest, show, jsonTypeName } from '../labels';
import { jsonString, spanText } from '../json-text';
import { ALL_POLICY_KINDS, type Fix, type Rule, type RuleContext } from '../types';

const TOP_LEVEL = ['Version', 'Id', 'Statement'];
const STATEMENT_ELEMENTS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];

function checkUnknownMembers(ctx: RuleContext, members: readonly Member[], allowed: string[], where: string): void {
  for (const m of members) {
    if (allowed.includes(m.key.value)) continue;
    const guess = allowed.find(a => a.toLowerCase() === m.key.value.toLowerCase()) ?? closest(m.key.value, allowed);
    const taken = guess !== undefined && members.some(o => o.key.value === guess);
    const usable = guess !== undefined && !taken;
    ctx.report({
      span: m.key.span,
      messageId: usable ? 'unknownElementTypo' : 'unknownElement',
      data: { name: show(m.key.value, 40), where, guess: guess ?? '', allowed: allowed.join(', ') },
      // Safe only when the letter case is all that differs; a nearest typo ("Conditon") is a guess to look at.
      fixes: usable
        ? [
            markSafe(
              replaceFix(`Rename to "${guess}"`, m.key.span, jsonString(guess)),
              guess.toLowerCase() === m.key.value.toLowerCase(),
            ),
          ]
        : [],
    });
  }
}

/** A cheap pre-check, so that only objects with a duplicate pay for the member model. */
function hasDuplicateKey(node: JsonNode): boolean {
  const children = node.children ?? [];
  if (children.length < 2) return false;
  // Most objects in a policy have a handful of members: comparing pairs allocates nothing.
  if (children.length <= 8) {
    for (let i = 1; i < children.length; i++) {
      const key = children[i].children?.[0]?.value;
      for (let j = 0; j < i; j++) if (children[j].children?.[0]?.value === key) return true;
    }
    return false;
  }
  const seen = new Set<unknown>();
  for (const prop of children) {
    const key = prop.children?.[0]?.value;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Does the statement have a member that is not a statement element? (A statement fact: see check.) */
const hasUnknownElement = (st: Statement): boolean => st.members.some(m => !STATEMENT_ELEMENTS.includes(m.key.value));

/** Does any object in the subtree have a duplicate key? */
function duplicateInside(node: JsonNode, depth = 0): boolean {
  if (depth > 64) return false;
  if (node.type === 'object' && hasDuplicateKey(node)) return true;
  for (const c of node.children ?? []) if (duplicateInside(c, depth + 1)) return true;
  return false;
}

/**
 * Duplicate keys anywhere: most JSON parsers, AWS's included as far as anyone can tell, keep the
 * last. A statement is walked only when it has one, which follows from its text (a statement
 * fact): a keystroke in a large policy walks one statement, not all of them.
 */
function checkDuplicates(ctx: RuleContext, node: JsonNode, statements: ReadonlyMap<JsonNode, Statement>, depth = 0): void {
  if (depth > 64) return;
  const st = statements.get(node);
  if (st && !statementAnswer(ctx.doc, st, 'GRM-001 duplicate keys', s => duplicateInside(s.node))) return;
  if (node.type === 'object' && hasDuplicateKey(node)) {
    const members = membersOf(node);
    const lastByName = new Map<string, Member>();
    for (const m of members) lastByName.set(m.key.value, m);
    for (const m of members) {
      const last = lastByName.get(m.key.value)!;
      if (last === m) continue;
      // Neither fix is safe: merging adds the earlier block's conditions (a Deny then applies to
      // less, an Allow to less: a change of meaning), removing keeps today's meaning but maybe not
      // the intent. Which one is right needs the author.
      const fixes: Fix[] = [];
      if (m.valueNode.type === 'object' && last.valueNode.type === 'object') {
        // Merge the two blocks into the later one (the one that wins today), then drop the earlier.
        const inner = [...membersOf(m.valueNode), ...membersOf(last.valueNode)].map(x => spanText(ctx.doc.text, x.span));
        const merged = `{ ${inner.join(', ')} }`;
        fixes.push({
          title: `Merge both "${m.key.value}" blocks into one`,
          preferred: true,
          edits: [removeMember(node, m.key)!, { span: spanOf(last.valueNode), newText: merged }],
        });
      }
      fixes.push(
        removeMemberFix(`Remove this "${m.key.value}" (the later one is what counts)`, node, m.key, fixes.length === 0)!,
      );
      ctx.report({ span: m.key.span, messageId: 'duplicateKey', data: { name: show(m.key.value, 48) }, fixes });
    }
  }
  if (node.children) for (const c of node.children) checkDuplicates(ctx, c, statements, depth + 1);
}

export const grm001: Rule = {
  meta: {
    id: 'GRM-001',
    title: 'Document shape',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'A policy is a JSON object `{Version?, Id?, Statement}` whose `Statement` is one statement object or a non-empty array of them (a KMS key policy needs at least one statement). Anything else, including JSON syntax errors and unknown elements, is rejected. Duplicate keys are legal JSON but the later one silently replaces the earlier, a classic way a second condition block erases the first.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      empty: {
        summary: 'The document is empty: AWS rejects it as a policy.',
        detail: 'A policy needs at least {"Version": "2012-10-17", "Statement": [...]}.',
      },
      topLevelNotObject: {
        summary: 'The top level is {type}: a policy must be a JSON object with a "Statement" member.',
        detail: 'AWS rejects anything else. Write {"Version": "2012-10-17", "Statement": [...]}.',
      },
      noStatement: {
        summary: 'The policy has no "Statement": AWS rejects it.',
        detail: 'Add "Statement": [ ... ] with at least one statement.',
      },
      emptyStatement: {
        summary: '"Statement" is empty: AWS rejects a policy without statements.',
        detail: 'A policy needs at least one statement (AWS rejects an empty list).',
      },
      statementNotObject: {
        summary: 'Each statement must be a JSON object, not {type}.',
        detail: 'AWS rejects the policy. Write the statement as {"Effect": ..., "Action": ..., "Resource": ...}.',
      },
      statementWrongType: {
        summary: '"Statement" must be a statement object or an array of them, not {type}.',
        detail: 'AWS rejects the policy. Write "Statement": [ {...}, ... ].',
      },
      unknownElementTypo: {
        summary: 'Unknown element {name} {where}: AWS rejects the policy.',
        detail: 'Did you mean "{guess}"?',
      },
      unknownElement: {
        summary: 'Unknown element {name} {where}: AWS rejects the policy.',
        detail: 'Allowed {where}: {allowed}.',
      },
      duplicateKey: {
        summary: 'Duplicate key {name}: a later one in the same object silently replaces this one.',
        detail:
          "JSON parsers, AWS's included as far as anyone can tell, keep the last of duplicate keys, so this one has no effect. Merge the two, or remove the one you do not mean.",
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    const root = doc.root;
    if (!root) {
      ctx.report({ span: { offset: 0, length: Math.min(doc.text.length, 1) }, messageId: 'empty' });
      return;
    }
    if (root.type !== 'object') {
      ctx.report({ span: spanOf(root), messageId: 'topLevelNotObject', data: { type: jsonTypeName(root.type) } });
      return;
    }
    checkUnknownMembers(ctx, doc.members, TOP_LEVEL, 'at the top level');
    if (!doc.statementMember) {
      ctx.report({ span: { offset: root.offset, length: 1 }, messageId: 'noStatement' });
    } else {
      const st = doc.statementMember.valueNode;
      if (st.type === 'array') {
        if ((st.children ?? []).length === 0) {
          ctx.report({ span: spanOf(st), messageId: 'emptyStatement' });
        }
        for (const c of st.children ?? []) {
          if (c.type !== 'object')
            ctx.report({ span: spanOf(c), messageId: 'statementNotObject', data: { type: jsonTypeName(c.type) } });
        }
      } else if (st.type !== 'object') {
        ctx.report({ span: spanOf(st), messageId: 'statementWrongType', data: { type: jsonTypeName(st.type) } });
      }
    }
    for (const st of doc.statements)
      if (statementAnswer(doc, st, 'GRM-001 unknown elements', hasUnknownElement))
        checkUnknownMembers(ctx, st.members, STATEMENT_ELEMENTS, 'in a statement');
    checkDuplicates(ctx, root, new Map(doc.statements.map(s => [s.node, s])));
  },
};
