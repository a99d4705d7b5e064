import { apiNameToAction, expandActionPattern, isKnownService, lookupAction, suggestAction } from '../../knowledge';
import type { PolicyKind, Statement, ValueList } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { markSafe, removeWithComma, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type StatementContext, type TextEditSpan } from '../types';
import { perStatement } from '../statement-rule';
import { jsonString } from '../json-text';
import { show, jsonTypeName, statementLabel, SUMMARY_SID, capitalizedStatementLabel } from '../labels';
import { memberNamed, statementHead } from '../model-lookups';

/** The one service whose actions a resource policy may name. */
const SERVICE_OF_KIND: Partial<Record<PolicyKind, { prefix: string; article: string; what: string; rejects: string }>> = {
  'bucket-policy': {
    prefix: 's3',
    article: 'an',
    what: 'a bucket policy',
    rejects: 'S3 rejects the policy ("Policy has invalid action")',
  },
  'key-policy': {
    prefix: 'kms',
    article: 'a',
    what: 'a key policy',
    rejects: 'KMS rejects the policy or the statement never applies',
  },
};

const ACTION_FORMAT = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

/**
 * What a malformed action was probably meant to be: `s3.GetObject`, `s3 : GetObject`, `GetObject`.
 * `exact` when only the separators and spaces were repaired and the result is a real action (or a
 * pattern that matches some), not the nearest name to a misspelling.
 */
function repairFormat(s: string, kind: PolicyKind): { target: string; exact: boolean } | undefined {
  const squeezed = s.replace(/\s+/g, '');
  const m = /^([A-Za-z0-9-]+)(?:[.:;/]+|::)([A-Za-z0-9*?]+)$/.exec(squeezed);
  let candidate = m ? `${m[1]}:${m[2]}` : squeezed;
  if (!candidate.includes(':')) {
    const prefix = SERVICE_OF_KIND[kind]?.prefix;
    if (!prefix) return undefined;
    candidate = `${prefix}:${candidate}`;
  }
  if (!ACTION_FORMAT.test(candidate)) return undefined;
  if (hasWildcard(candidate)) return expandActionPattern(candidate).length > 0 ? { target: candidate, exact: true } : undefined;
  const exact = lookupAction(candidate)?.fullName;
  if (exact) return { target: exact, exact: true };
  const guess = suggestAction(candidate);
  return guess ? { target: guess, exact: false } : undefined;
}

/** A problem with one item, and the action it should become (when there is one). */
interface ItemProblem {
  index: number;
  messageId: string;
  data: Record<string, string>;
  target?: string;
  /**
   * The repair is safe: a format repair onto a real action, or an API operation's IAM action (a
   * fixed table). The nearest name to a misspelling is not: in an Allow a wrong guess grants
   * another action.
   */
  safe?: boolean;
}

function problemOf(kind: PolicyKind, element: string, s: string): Omit<ItemProblem, 'index'> | undefined {
  if (s === '*') return undefined;
  const value = show(s, 40);
  if (!ACTION_FORMAT.test(s)) {
    const repaired = repairFormat(s, kind);
    return {
      messageId: repaired ? 'notActionFormatTypo' : 'notActionFormat',
      data: { element, value, target: repaired?.target ?? '' },
      target: repaired?.target,
      safe: repaired?.exact,
    };
  }
  const prefix = s.slice(0, s.indexOf(':')).toLowerCase();
  const expected = SERVICE_OF_KIND[kind];
  if (expected && prefix !== expected.prefix) {
    return {
      messageId: 'otherService',
      data: {
        element,
        value,
        article: expected.article,
        prefix: expected.prefix,
        what: expected.what,
        rejects: expected.rejects,
      },
    };
  }
  if (!isKnownService(prefix)) return undefined;
  if (hasWildcard(s)) {
    return expandActionPattern(s).length === 0
      ? { messageId: 'patternMatchesNothing', data: { element, value, prefix } }
      : undefined;
  }
  if (lookupAction(s)) return undefined;
  const viaApi = apiNameToAction(s);
  if (viaApi) return { messageId: 'apiOperation', data: { value, target: viaApi }, target: viaApi, safe: true };
  const guess = suggestAction(s);
  return {
    messageId: guess ? 'unknownActionTypo' : 'unknownAction',
    data: { value, target: guess ?? '', service: prefix.toUpperCase() },
    target: guess,
  };
}

/**
 * One fix for every item that should become the same action: the first is replaced (or, when
 * the list already holds that action, kept as it is) and the others are removed, so that fixing
 * `["s3:CreateMultipartUpload", "s3:UploadPart"]` gives `["s3:PutObject"]`, not a duplicate.
 */
function groupFix(list: ValueList, target: string, indexes: number[], safe: boolean): Fix {
  const items = list.items;
  if (!list.isArray) return markSafe(replaceFix(`Replace with "${target}"`, items[0].span, jsonString(target)), safe);
  const literal = items.findIndex(
    (i, k) => !indexes.includes(k) && typeof i.value === 'string' && i.value.toLowerCase() === target.toLowerCase(),
  );
  const anchor = literal >= 0 ? literal : indexes[0];
  const edits: TextEditSpan[] = [];
  if (literal < 0) edits.push({ span: items[anchor].span, newText: jsonString(target) });
  const spans = items.map(i => i.span);
  for (const j of indexes) {
    if (j === anchor) continue;
    // Items before the kept one take their following comma, items after it their preceding one: the spans never overlap.
    edits.push(removeWithComma(spans, j, j < anchor ? 'next' : 'previous'));
  }
  const title =
    literal >= 0
      ? `Remove (already covered by "${target}")`
      : indexes.length > 1
        ? `Replace with one "${target}"`
        : `Replace with "${target}"`;
  return markSafe({ title, edits, preferred: true }, safe);
}

function checkList(ctx: StatementContext, st: Statement, list: ValueList, element: 'Action' | 'NotAction'): void {
  const node = list.node;
  if (node.type !== 'string' && node.type !== 'array') {
    ctx.report({ span: list.span, messageId: 'listWrongType', data: { element, type: jsonTypeName(node.type) } });
    return;
  }
  if (list.isArray && list.items.length === 0) {
    const member = memberNamed(st.members, element);
    ctx.report({
      span: member ? member.key.span : list.span,
      messageId: 'emptyList',
      data: { element, statement: statementLabel(st, SUMMARY_SID) },
    });
    return;
  }
  const problems: (ItemProblem | undefined)[] = list.items.map((item, index) => {
    if (typeof item.value !== 'string') {
      return { index, messageId: 'itemNotString', data: { element, type: jsonTypeName(item.node.type) } };
    }
    const p = problemOf(ctx.kind, element, item.value);
    return p && { index, ...p };
  });
  const byTarget = new Map<string, number[]>();
  for (const p of problems)
    if (p?.target) byTarget.set(p.target.toLowerCase(), [...(byTarget.get(p.target.toLowerCase()) ?? []), p.index]);
  // A group's fix is safe when every item it rewrites is safely repaired.
  const safeTarget = (target: string) => byTarget.get(target.toLowerCase())!.every(i => problems[i]?.safe === true);
  for (const p of problems) {
    if (!p) continue;
    const fix = p.target ? groupFix(list, p.target, byTarget.get(p.target.toLowerCase())!, safeTarget(p.target)) : undefined;
    ctx.report({ span: list.items[p.index].span, messageId: p.messageId, data: p.data, fixes: fix ? [fix] : [] });
  }
}

export const grm007: Rule = {
  meta: {
    id: 'GRM-007',
    title: 'Action / NotAction',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'Every statement needs exactly one of `Action` and `NotAction`, each naming `service:Action` (case-insensitive). S3 refuses unknown names with `Policy has invalid action`. A classic trap: `s3:CreateMultipartUpload`, `s3:UploadPart`, `s3:CopyObject` are API operations, not IAM actions; multipart uploads and copies are all authorised as `s3:PutObject` (`s3:AbortMultipartUpload` and `s3:ListMultipartUploadParts` are separate). A bucket policy can only name `s3:` actions and a key policy `kms:` actions.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ["s3:CreateMultipartUpload", "s3:UploadPart"], "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noAction: {
        summary: '{statement} has neither "Action" nor "NotAction": AWS rejects the policy.',
        detail: 'Add "Action" with the actions the statement controls.',
      },
      bothActionAndNotAction: {
        summary: '{statement} has both "Action" and "NotAction": AWS rejects the policy.',
        detail: 'Keep one of them (split the statement if you need both).',
      },
      listWrongType: {
        summary: '"{element}" must be an action string or an array of them, not {type}: AWS rejects the policy.',
      },
      emptyList: {
        summary: '"{element}" in {statement} is empty: the statement names no action, so it does nothing.',
        detail: 'AWS may reject it. List the actions.',
      },
      itemNotString: {
        summary: 'Each {element} must be a string "service:ActionName", not {type}: AWS rejects the policy.',
      },
      notActionFormatTypo: {
        summary: '{element} {value} is not of the form "service:ActionName": AWS rejects the policy.',
        detail: 'Did you mean "{target}"?',
      },
      notActionFormat: {
        summary: '{element} {value} is not of the form "service:ActionName": AWS rejects the policy.',
        detail: 'Write the service prefix, a colon and the action name, e.g. "s3:GetObject".',
      },
      otherService: {
        summary: '{element} {value} is not {article} {prefix}: action, and {what} can only control {prefix}: actions.',
        detail: "{rejects}. Grant it in the caller's IAM policy or the other service's resource policy instead.",
      },
      patternMatchesNothing: {
        summary: '{element} pattern {value} matches no {prefix}: action, so it grants or denies nothing.',
        detail: 'Check the spelling.',
      },
      apiOperation: {
        summary: '{value} is an S3 API operation, not an IAM action: AWS rejects the policy.',
        detail: 'AWS answers "Policy has invalid action". That operation is authorised by "{target}".',
      },
      unknownActionTypo: {
        summary: 'Unknown action {value}: AWS rejects the policy ("Policy has invalid action").',
        detail: 'Did you mean "{target}"?',
      },
      unknownAction: {
        summary: 'Unknown action {value}: AWS rejects the policy ("Policy has invalid action").',
        detail: 'Check the {service} actions in the Service Authorization Reference.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    if (!st.action && !st.notAction) {
      ctx.report({
        span: statementHead(st),
        messageId: 'noAction',
        data: { statement: capitalizedStatementLabel(st, SUMMARY_SID) },
      });
      return;
    }
    if (st.action && st.notAction) {
      const member = memberNamed(st.members, 'NotAction');
      ctx.report({
        span: member ? member.key.span : st.notAction.span,
        messageId: 'bothActionAndNotAction',
        data: { statement: capitalizedStatementLabel(st, SUMMARY_SID) },
      });
    }
    if (st.action) checkList(ctx, st, st.action, 'Action');
    if (st.notAction) checkList(ctx, st, st.notAction, 'NotAction');
  }),
};
