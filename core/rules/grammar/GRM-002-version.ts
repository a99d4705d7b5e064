// GRM-002: only two policy language versions exist; 2008-10-17 (and, per AWS, a missing
// Version) turns policy variables such as ${aws:username} into literal text.
// docs/design/aws-facts.md#grm-002; IAM-UG reference_policies_elements_version.
import { spanOf } from '../../policy/parse';
import { editsFix, insertMember, markSafe, replaceFix } from '../edits';
import { show } from '../labels';
import { ALL_POLICY_KINDS, type Rule } from '../types';

const CURRENT = '2012-10-17';
const OLD = '2008-10-17';
const CURRENT_JSON = `"${CURRENT}"`;

export const grm002: Rule = {
  meta: {
    id: 'GRM-002',
    title: 'Version',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'The policy language has exactly two versions, "2012-10-17" and the legacy "2008-10-17"; any other value, or a value that is not a string, is rejected (Access Analyzer: "Invalid version", "Data type mismatch"). Under "2008-10-17", and according to AWS also when Version is missing, policy variables such as ${aws:username} are not substituted but compared as literal text.',
    example:
      '{"Version": "2012-10-18", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      missing: {
        // AWS's pages disagree on what a missing Version means (docs/design/aws-facts.md open question 10): soft wording.
        summary: 'The policy has no "Version": policy variables such as ${aws:username} may not work.',
        detail:
          'AWS documents that they then do not work (probably treated as literal text, as under the legacy 2008-10-17). Add "Version": "2012-10-17".',
      },
      notString: {
        summary: '"Version" is {value}, not a string: AWS rejects the policy.',
        detail: 'AWS reports a data type mismatch. Write "Version": "2012-10-17" with quotes.',
      },
      legacy: {
        summary: '"Version": "2008-10-17" is the legacy policy language: policy variables do not work.',
        detail: 'Under it policy variables such as ${aws:username} are treated as literal text. Use "2012-10-17".',
      },
      unknown: {
        summary: '"Version" is {value}: AWS accepts only "2012-10-17" (or the legacy "2008-10-17").',
        detail: 'AWS rejects the policy. Use "2012-10-17".',
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    const root = doc.root;
    if (!root || root.type !== 'object') return;
    // Setting 2012-10-17 makes policy variables work: with none in the document that changes
    // nothing, so the fix is safe; with some, what they match changes (review it).
    const noVariables = !doc.text.includes('${');
    const version = doc.version;
    // "version" or "VERSION" is a misspelt Version: GRM-001 reports it with a rename, so adding another would duplicate it.
    if (!version && doc.members.some(m => m.key.value.toLowerCase() === 'version')) return;
    if (!version) {
      ctx.report({
        span: { offset: root.offset, length: 1 },
        severity: 'warning',
        messageId: 'missing',
        fixes: [
          markSafe(
            editsFix(`Add "Version": "${CURRENT}"`, [insertMember(doc.text, root, `"Version": ${CURRENT_JSON}`, 'first')]),
            noVariables,
          ),
        ],
      });
      return;
    }
    const span = spanOf(version.node);
    const fix = markSafe(replaceFix(`Set "Version" to "${CURRENT}"`, span, CURRENT_JSON), noVariables);
    if (typeof version.value !== 'string') {
      ctx.report({
        span,
        messageId: 'notString',
        data: { value: show(version.value, 40) },
        fixes: [fix],
      });
    } else if (version.value === OLD) {
      ctx.report({
        span,
        severity: 'warning',
        messageId: 'legacy',
        fixes: [fix],
      });
    } else if (version.value !== CURRENT) {
      ctx.report({
        span,
        messageId: 'unknown',
        data: { value: show(version.value, 40) },
        fixes: [fix],
      });
    }
  },
};
