// TPL-006: a policy's verdict rests on a value the template does not fix. Reported by the template
// analysis itself (analyze.ts), where the values are known; this module gives it its metadata and docs.
import type { TemplateRule } from './types';
import { EXAMPLE_HEAD } from './default-encryption';

const template = (resource: string) => `${EXAMPLE_HEAD}  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: example-bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource:
${resource}
            Condition:
              Bool:
                aws:SecureTransport: 'false'
`;

export const tpl006: TemplateRule = {
  meta: {
    id: 'TPL-006',
    title: 'Verdict depends on a value the template does not fix',
    severity: 'info',
    appliesTo: ['template'],
    why:
      'A parameter without a default, an import or a condition whose branches differ can be any value when the stack is deployed, `*` or another bucket included. ' +
      'The policy is analysed as if the value were one of its own, matching nothing else it names; the verdict is then marked incomplete and the findings that rest on it are told as consequences of that assumption, never as "not enforced".',
    example: template(
      "              - !ImportValue SharedBucketArn\n              - !Sub ['${Arn}/*', {Arn: !ImportValue SharedBucketArn}]",
    ),
    useInstead: template('              - arn:aws:s3:::example-bucket\n              - arn:aws:s3:::example-bucket/*'),
    references: [
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html',
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      dependsOn: {
        summary: 'The verdict depends on {names}, which the template does not fix.',
        detail:
          'The policy was analysed as if {them} a value of its own, matching nothing else the policy names. A different value (`*`, another bucket, another condition value) can change what the policy denies; give it a literal value or a parameter default to have a definite verdict.',
      },
    },
  },
  check() {
    // Reported by analyzeTemplate, per policy.
  },
};
