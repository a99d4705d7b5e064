// GRM-005: what a Principal (or NotPrincipal) value may look like. "*" alone means everyone
// ("Principal": "*" equals {"AWS": "*"}); otherwise an object keyed by AWS / Service /
// Federated / CanonicalUser. No wildcard inside a principal, no IAM groups, and principals
// must exist when the policy is saved (a deleted role or user shows up as its AROA/AIDA ID).
// RULES.md GRM-005; IAM-UG reference_policies_elements_principal; KMS-DG key-policy-overview.
import { ACCOUNT_ID, accountRootArn, iamIdentity, parseArn } from '../../policy/arn';
import type { Located, PrincipalBlock, PrincipalEntry, Statement } from '../../policy/model';
import { spanOf } from '../../policy/parse';
import { hasWildcard } from '../../policy/wildcard';
import { addConditionEdit, markSafe, replaceFix } from '../edits';
import { RESOURCE_POLICY_KINDS, type Fix, type Rule, type RuleContext } from '../types';
import { closest, jsonString, show, spanText } from '../util';

const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
/** Service principals end in the partition's DNS suffix; `.amazonaws.com` almost everywhere. */
const SERVICE_SUFFIXES = ['.amazonaws.com', '.amazonaws.com.cn', '.c2s.ic.gov', '.sc2s.sgov.gov'];
const UNIQUE_ID = /^(AIDA|AROA)[A-Z0-9]{8,}$/;

type Element = 'Principal' | 'NotPrincipal';

/** `{"AWS": v}` / `{"Service": v}` for a plain string that is clearly one of those: safe, the form of the value decides the type and the principal stays the same. */
function wrapFix(element: Element, value: Located<string>): Fix[] {
  const v = value.value;
  const type = ACCOUNT_ID.test(v) || /^arn:[^:]*:(iam|sts)::/.test(v) ? 'AWS'
    : SERVICE_SUFFIXES.some(s => v.endsWith(s)) ? 'Service' : undefined;
  return type ? [markSafe(replaceFix(`Write {"${type}": ${jsonString(v)}}`, value.span, `{"${type}": ${jsonString(v)}}`))] : [];
}

/**
 * Move a wildcard role/user ARN into `ArnLike aws:PrincipalArn` and name the account instead
 * (the form AWS recommends). Only offered when that is a plain rewrite: a Principal with one
 * AWS value, a literal account, and no ArnLike block already in the Condition. Not safe: naming the
 * account changes how the grant combines with the account's IAM policies; a person confirms it.
 */
function wildcardFix(ctx: RuleContext, st: Statement, element: Element, block: PrincipalBlock, entry: PrincipalEntry, item: Located<string>): Fix[] {
  if (element !== 'Principal' || block.entries.length !== 1 || entry.values.items.length !== 1) return [];
  const id = iamIdentity(item.value);
  if (!id || !ACCOUNT_ID.test(id.arn.account) || hasWildcard(id.arn.partition)) return [];
  const condition = addConditionEdit(ctx.doc.text, st, 'ArnLike', 'aws:PrincipalArn', jsonString(item.value));
  if (!condition) return [];
  const account = jsonString(accountRootArn(id.arn.partition, id.arn.account));
  return [{
    title: 'Name the account and match the pattern with ArnLike aws:PrincipalArn',
    preferred: true,
    edits: [{ span: item.span, newText: account }, condition],
  }];
}

function checkAwsValue(ctx: RuleContext, st: Statement, element: Element, block: PrincipalBlock, entry: PrincipalEntry, item: Located<string>): void {
  const v = item.value;
  if (v === '*' || ACCOUNT_ID.test(v)) return;
  const arn = parseArn(v);
  if (hasWildcard(v)) {
    ctx.report({
      span: item.span,
      message: `${element} ${show(v)} has a wildcard inside it: AWS does not accept wildcards in part of a principal ("*" alone means everyone) and rejects the policy. ` +
        'Name the account as principal and match the ARN pattern with an ArnLike condition on aws:PrincipalArn.',
      fixes: arn ? wildcardFix(ctx, st, element, block, entry, item) : [],
    });
    return;
  }
  if (arn) {
    if (arn.service === 'iam' && arn.resource.startsWith('group/')) {
      ctx.report({
        span: item.span,
        message: `${element} ${show(v)} is an IAM group: groups cannot be principals, so AWS rejects the policy ("Invalid principal"). Name the group's users or roles instead.`,
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
      message: `${element} ${show(v)} looks like the unique ID of a deleted IAM ${what}: AWS shows a principal this way once it is deleted, and saving the policy again probably fails with "Invalid principal in policy". ` +
        `Replace it with the ARN of the re-created ${what}, or remove it.`,
    });
    return;
  }
  ctx.report({
    span: item.span,
    message: `${element} ${show(v)} is not a valid AWS principal: use an IAM ARN such as "arn:aws:iam::111122223333:role/Name", a 12-digit account ID, or "*". AWS rejects the policy ("Invalid principal").`,
  });
}

function checkServiceValue(ctx: RuleContext, element: Element, item: Located<string>): void {
  const v = item.value;
  if (v === '*') return;
  if (hasWildcard(v)) {
    ctx.report({ span: item.span, message: `Service principal ${show(v)} has a wildcard: AWS does not accept wildcards in part of a principal. Name each service, e.g. "s3.amazonaws.com".` });
    return;
  }
  if (SERVICE_SUFFIXES.some(s => v.endsWith(s))) return;
  const bare = /^[a-z0-9-]+$/.test(v);
  ctx.report({
    span: item.span,
    severity: 'warning',
    message: `${element} service ${show(v)} does not end in ".amazonaws.com": it is probably not an AWS service principal, and AWS may reject the policy. ` +
      (bare ? `Use "${v}.amazonaws.com".` : 'Use the service principal name, e.g. "cloudtrail.amazonaws.com".'),
    // Not safe: the suffix depends on the partition (China uses .amazonaws.com.cn for some services).
    fixes: bare ? [replaceFix(`Change to "${v}.amazonaws.com"`, item.span, jsonString(`${v}.amazonaws.com`))] : [],
  });
}

function checkBlock(ctx: RuleContext, st: Statement, element: Element, block: PrincipalBlock): void {
  if (block.star) return;
  if (block.invalidString) {
    const v = block.invalidString;
    ctx.report({
      span: v.span,
      message: `"${element}": ${show(v.value)} is not valid: the only plain string AWS accepts here is "*" (everyone), so it rejects the policy. Write an object such as {"AWS": ${show(v.value)}}.`,
      fixes: wrapFix(element, v),
    });
    return;
  }
  const node = block.node;
  if (node.type !== 'object') {
    ctx.report({
      span: spanOf(node),
      message: `"${element}" is ${node.type === 'array' ? 'an array' : `a ${node.type}`}: AWS accepts only "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"} and rejects the policy.`,
    });
    return;
  }
  if (block.entries.length === 0) {
    ctx.report({
      span: spanOf(node),
      message: `"${element}" is an empty object and names no principal: AWS rejects the policy. Add {"AWS": ...}, {"Service": ...}, or use "*".`,
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
        message: `"${element}" has an unknown principal type ${show(type)}: AWS accepts only AWS, Service, Federated and CanonicalUser (case-sensitive) and rejects the policy. ` +
          (usable ? `Did you mean "${guess}"?` : 'Use one of those keys.'),
        // Safe when only the case differs ("aws" → "AWS"); a nearest typo is a guess.
        fixes: usable ? [markSafe(replaceFix(`Rename to "${guess}"`, entry.type.span, jsonString(guess)), guess.toLowerCase() === type.toLowerCase())] : [],
      });
      continue;
    }
    if (entry.values.isArray && entry.values.items.length === 0) {
      ctx.report({ span: entry.values.span, message: `"${element}" lists no ${type} principal (empty array): AWS rejects the policy. Add at least one, or remove "${type}".` });
      continue;
    }
    for (const item of entry.values.items) {
      if (typeof item.value !== 'string') {
        const raw = spanText(ctx.doc.text, item.span);
        ctx.report({
          span: item.span,
          message: `${type} principal ${show(item.value)} is not a string: AWS expects a quoted string here and probably rejects the policy.` +
            (typeof item.value === 'number' ? ` Write "${raw}".` : ''),
          fixes: typeof item.value === 'number' ? [markSafe(replaceFix('Quote the value', item.span, jsonString(raw)))] : [],
        });
        continue;
      }
      const s = item as Located<string>;
      if (type === 'AWS') checkAwsValue(ctx, st, element, block, entry, s);
      else if (type === 'Service') checkServiceValue(ctx, element, s);
      else if (s.value !== '*' && hasWildcard(s.value)) {
        ctx.report({ span: s.span, message: `${type} principal ${show(s.value)} has a wildcard: AWS does not accept wildcards in part of a principal and rejects the policy. Name the principal exactly.` });
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
    example: '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app-*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}',
    useInstead: '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://github.com/ministryofjustice/analytical-platform/pull/4932',
      'https://github.com/aws-samples/aws-blog-codepipeline-third-party-git-build-status/issues/6',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    for (const st of ctx.doc.statements) {
      if (st.principal) checkBlock(ctx, st, 'Principal', st.principal);
      if (st.notPrincipal) checkBlock(ctx, st, 'NotPrincipal', st.notPrincipal);
    }
  },
};
