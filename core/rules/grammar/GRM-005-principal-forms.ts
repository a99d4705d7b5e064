// GRM-005: what a Principal (or NotPrincipal) value may look like. "*" alone means everyone
// ("Principal": "*" equals {"AWS": "*"}); otherwise an object keyed by AWS / Service /
// Federated / CanonicalUser. No wildcard inside a principal, no IAM groups, and principals
// must exist when the policy is saved (a deleted role or user shows up as its AROA/AIDA ID).
// docs/design/aws-facts.md#grm-005; IAM-UG reference_policies_elements_principal; KMS-DG key-policy-overview.
import { ACCOUNT_ID, accountRootArn, iamIdentity, parseArn } from '../../policy/arn';
import type { Located, PrincipalBlock, PrincipalEntry, Statement } from '../../policy/model';
import { spanOf } from '../../policy/parse';
import { hasWildcard } from '../../policy/wildcard';
import { addConditionEdit, markSafe, replaceFix } from '../edits';
import { RESOURCE_POLICY_KINDS, type Fix, type Rule, type StatementContext } from '../types';
import { perStatement } from '../statement-rule';
import { jsonString, spanText } from '../json-text';
import { show, jsonTypeName, closest } from '../labels';

/** A principal value as summaries quote it: short enough that the sentence fits the Problems panel. */
const quoted = (value: unknown): string => show(value, 48);

const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
/** Service principals end in the partition's DNS suffix; `.amazonaws.com` almost everywhere. */
const SERVICE_SUFFIXES = ['.amazonaws.com', '.amazonaws.com.cn', '.c2s.ic.gov', '.sc2s.sgov.gov'];
const UNIQUE_ID = /^(AIDA|AROA)[A-Z0-9]{8,}$/;

type Element = 'Principal' | 'NotPrincipal';

/** `{"AWS": v}` / `{"Service": v}` for a plain string that is clearly one of those: safe, the form of the value decides the type and the principal stays the same. */
function wrapFix(element: Element, value: Located<string>): Fix[] {
  const v = value.value;
  const type =
    ACCOUNT_ID.test(v) || /^arn:[^:]*:(iam|sts)::/.test(v)
      ? 'AWS'
      : SERVICE_SUFFIXES.some(s => v.endsWith(s))
        ? 'Service'
        : undefined;
  return type ? [markSafe(replaceFix(`Write {"${type}": ${jsonString(v)}}`, value.span, `{"${type}": ${jsonString(v)}}`))] : [];
}

/**
 * Move a wildcard role/user ARN into `ArnLike aws:PrincipalArn` and name the account instead
 * (the form AWS recommends). Only offered when that is a plain rewrite: a Principal with one
 * AWS value, a literal account, and no ArnLike block already in the Condition. Not safe: naming the
 * account changes how the grant combines with the account's IAM policies; a person confirms it.
 */
function wildcardFix(
  ctx: StatementContext,
  st: Statement,
  element: Element,
  block: PrincipalBlock,
  entry: PrincipalEntry,
  item: Located<string>,
): Fix[] {
  if (element !== 'Principal' || block.entries.length !== 1 || entry.values.items.length !== 1) return [];
  const id = iamIdentity(item.value);
  if (!id || !ACCOUNT_ID.test(id.arn.account) || hasWildcard(id.arn.partition)) return [];
  const condition = addConditionEdit(ctx.text, st, 'ArnLike', 'aws:PrincipalArn', jsonString(item.value));
  if (!condition) return [];
  const account = jsonString(accountRootArn(id.arn.partition, id.arn.account));
  return [
    {
      title: 'Name the account and match the pattern with ArnLike aws:PrincipalArn',
      preferred: true,
      edits: [{ span: item.span, newText: account }, condition],
    },
  ];
}

function checkAwsValue(
  ctx: StatementContext,
  st: Statement,
  element: Element,
  block: PrincipalBlock,
  entry: PrincipalEntry,
  item: Located<string>,
): void {
  const v = item.value;
  if (v === '*' || ACCOUNT_ID.test(v)) return;
  const arn = parseArn(v);
  if (hasWildcard(v)) {
    ctx.report({
      span: item.span,
      messageId: 'partialWildcard',
      data: { element, value: quoted(v) },
      fixes: arn ? wildcardFix(ctx, st, element, block, entry, item) : [],
    });
    return;
  }
  if (arn) {
    if (arn.service === 'iam' && arn.resource.startsWith('group/')) {
      ctx.report({
        span: item.span,
        messageId: 'group',
        data: { element, value: quoted(v) },
      });
    }
    return;
  }
  const unique = UNIQUE_ID.exec(v);
  if (unique) {
    const what = unique[1] === 'AROA' ? 'role' : 'user';
    ctx.report({
      span: item.span,
      severity: 'warning',
      messageId: 'deletedIdentity',
      data: { element, value: quoted(v), what },
    });
    return;
  }
  ctx.report({
    span: item.span,
    messageId: 'invalidAws',
    data: { element, value: quoted(v) },
  });
}

function checkServiceValue(ctx: StatementContext, element: Element, item: Located<string>): void {
  const v = item.value;
  if (v === '*') return;
  if (hasWildcard(v)) {
    ctx.report({ span: item.span, messageId: 'serviceWildcard', data: { value: quoted(v) } });
    return;
  }
  if (SERVICE_SUFFIXES.some(s => v.endsWith(s))) return;
  const bare = /^[a-z0-9-]+$/.test(v);
  ctx.report({
    span: item.span,
    severity: 'warning',
    messageId: bare ? 'serviceNameBare' : 'serviceName',
    data: { element, value: quoted(v), fixed: `${v}.amazonaws.com` },
    // Not safe: the suffix depends on the partition (China uses .amazonaws.com.cn for some services).
    fixes: bare ? [replaceFix(`Change to "${v}.amazonaws.com"`, item.span, jsonString(`${v}.amazonaws.com`))] : [],
  });
}

function checkBlock(ctx: StatementContext, st: Statement, element: Element, block: PrincipalBlock): void {
  if (block.star) return;
  if (block.invalidString) {
    const v = block.invalidString;
    ctx.report({
      span: v.span,
      messageId: 'plainString',
      data: { element, value: quoted(v.value) },
      fixes: wrapFix(element, v),
    });
    return;
  }
  const node = block.node;
  if (node.type !== 'object') {
    ctx.report({
      span: spanOf(node),
      messageId: 'notObject',
      data: { element, type: jsonTypeName(node.type) },
    });
    return;
  }
  if (block.entries.length === 0) {
    ctx.report({
      span: spanOf(node),
      messageId: 'emptyObject',
      data: { element },
    });
    return;
  }
  const written = block.entries.map(e => e.type.value);
  for (const entry of block.entries) {
    const type = entry.type.value;
    if (!PRINCIPAL_TYPES.includes(type)) {
      const guess = PRINCIPAL_TYPES.find(t => t.toLowerCase() === type.toLowerCase()) ?? closest(type, PRINCIPAL_TYPES);
      const usable = guess !== undefined && !written.includes(guess);
      ctx.report({
        span: entry.type.span,
        messageId: usable ? 'unknownTypeTypo' : 'unknownType',
        data: { element, type: show(type, 40), guess: guess ?? '' },
        // Safe when only the case differs ("aws" → "AWS"); a nearest typo is a guess.
        fixes: usable
          ? [
              markSafe(
                replaceFix(`Rename to "${guess}"`, entry.type.span, jsonString(guess)),
                guess.toLowerCase() === type.toLowerCase(),
              ),
            ]
          : [],
      });
      continue;
    }
    if (entry.values.isArray && entry.values.items.length === 0) {
      ctx.report({ span: entry.values.span, messageId: 'emptyList', data: { element, type } });
      continue;
    }
    for (const item of entry.values.items) {
      if (typeof item.value !== 'string') {
        const raw = spanText(ctx.text, item.span);
        ctx.report({
          span: item.span,
          messageId: typeof item.value === 'number' ? 'numberNotString' : 'notString',
          data: { type, value: quoted(item.value), raw },
          fixes: typeof item.value === 'number' ? [markSafe(replaceFix('Quote the value', item.span, jsonString(raw)))] : [],
        });
        continue;
      }
      const s = item as Located<string>;
      if (type === 'AWS') checkAwsValue(ctx, st, element, block, entry, s);
      else if (type === 'Service') checkServiceValue(ctx, element, s);
      else if (s.value !== '*' && hasWildcard(s.value)) {
        ctx.report({ span: s.span, messageId: 'typeWildcard', data: { type, value: quoted(s.value) } });
      }
    }
  }
}

export const grm005: Rule = {
  meta: {
    id: 'GRM-005',
    title: 'Principal value forms',
    severity: 'error',
    appliesTo: RESOURCE_POLICY_KINDS,
    why: '"Principal" is either "*" (everyone; the same as {"AWS": "*"}) or an object whose keys are AWS, Service, Federated or CanonicalUser. A wildcard cannot match part of a principal ARN, IAM groups are not principals, and every principal must exist when the policy is saved: S3 answers "Invalid principal in policy", KMS "MalformedPolicyDocumentException ... invalid principals". A role or user deleted after the policy was written shows up as its unique ID (AROA…/AIDA…), and the policy can then no longer be saved unchanged.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppRolesRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app-*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppRolesRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://github.com/ministryofjustice/analytical-platform/pull/4932',
      'https://github.com/aws-samples/aws-blog-codepipeline-third-party-git-build-status/issues/6',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      partialWildcard: {
        summary: '{element} {value} has a wildcard inside it: AWS rejects the policy.',
        detail:
          'AWS does not accept wildcards in part of a principal ("*" alone means everyone). Name the account as principal and match the ARN pattern with an ArnLike condition on aws:PrincipalArn.',
      },
      group: {
        summary: '{element} {value} is an IAM group: groups cannot be principals.',
        detail: 'AWS rejects the policy ("Invalid principal"). Name the group\'s users or roles instead.',
      },
      deletedIdentity: {
        summary: '{element} {value} looks like the unique ID of a deleted IAM {what}.',
        detail:
          'AWS shows a principal this way once it is deleted, and saving the policy again probably fails with "Invalid principal in policy". Replace it with the ARN of the re-created {what}, or remove it.',
      },
      invalidAws: {
        summary: '{element} {value} is not a valid AWS principal: AWS rejects the policy.',
        detail:
          'AWS answers "Invalid principal". Use an IAM ARN such as "arn:aws:iam::111122223333:role/Name", a 12-digit account ID, or "*".',
      },
      serviceWildcard: {
        summary: 'Service principal {value} has a wildcard: AWS does not accept it.',
        detail: 'AWS does not accept wildcards in part of a principal. Name each service, e.g. "s3.amazonaws.com".',
      },
      serviceNameBare: {
        summary: '{element} service {value} is probably not an AWS service principal.',
        detail: 'It does not end in ".amazonaws.com", and AWS may reject the policy. Use "{fixed}".',
      },
      serviceName: {
        summary: '{element} service {value} is probably not an AWS service principal.',
        detail:
          'It does not end in ".amazonaws.com", and AWS may reject the policy. Use the service principal name, e.g. "cloudtrail.amazonaws.com".',
      },
      plainString: {
        summary: '"{element}" is the plain string {value}: AWS rejects the policy.',
        detail: 'The only plain string AWS accepts here is "*" (everyone). Write an object such as {"AWS": {value}}.',
      },
      notObject: {
        summary: '"{element}" is {type}: AWS accepts only "*" or an object and rejects the policy.',
        detail: 'Write an object such as {"AWS": "arn:aws:iam::111122223333:root"}.',
      },
      emptyObject: {
        summary: '"{element}" is an empty object and names no principal: AWS rejects the policy.',
        detail: 'Add {"AWS": ...}, {"Service": ...}, or use "*".',
      },
      unknownTypeTypo: {
        summary: '"{element}" has an unknown principal type {type}: AWS rejects the policy.',
        detail: 'AWS accepts only AWS, Service, Federated and CanonicalUser (case-sensitive). Did you mean "{guess}"?',
      },
      unknownType: {
        summary: '"{element}" has an unknown principal type {type}: AWS rejects the policy.',
        detail: 'AWS accepts only AWS, Service, Federated and CanonicalUser (case-sensitive). Use one of those keys.',
      },
      emptyList: {
        summary: '"{element}" lists no {type} principal (empty array): AWS rejects the policy.',
        detail: 'Add at least one, or remove "{type}".',
      },
      numberNotString: {
        summary: '{type} principal {value} is not a string: AWS probably rejects the policy.',
        detail: 'AWS expects a quoted string here. Write "{raw}".',
      },
      notString: {
        summary: '{type} principal {value} is not a string: AWS probably rejects the policy.',
        detail: 'AWS expects a quoted string here.',
      },
      typeWildcard: {
        summary: '{type} principal {value} has a wildcard: AWS rejects the policy.',
        detail: 'AWS does not accept wildcards in part of a principal. Name the principal exactly.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    if (st.principal) checkBlock(ctx, st, 'Principal', st.principal);
    if (st.notPrincipal) checkBlock(ctx, st, 'NotPrincipal', st.notPrincipal);
  }),
};
