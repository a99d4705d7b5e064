// TPL-005: a symmetric encryption KMS key without automatic rotation.
import type { TemplateRule } from './types';
import { EXAMPLE_HEAD, firstLine } from './default-encryption';

const key = (rotation: boolean) => `${EXAMPLE_HEAD}  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: ${rotation}
`;

export const tpl005: TemplateRule = {
  meta: {
    id: 'TPL-005',
    title: 'KMS key without automatic rotation',
    severity: 'warning',
    appliesTo: ['template'],
    why:
      'KMS rotates the key material of a customer managed symmetric encryption key only when automatic rotation is enabled (every year by default); ' +
      "CloudFormation's EnableKeyRotation defaults to false. Rotation is supported only on symmetric encryption keys, so asymmetric and HMAC keys are not reported.",
    example: key(false),
    useInstead: key(true),
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
      'https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noRotation: {
        summary: 'Key {key} does not rotate its key material: EnableKeyRotation is {setting}.',
        detail:
          'Set EnableKeyRotation to true; KMS then rotates the key material every year (RotationPeriodInDays sets another period), and old material still decrypts.',
      },
    },
  },
  check(ctx) {
    for (const k of ctx.scan.keys) {
      const spec = k.keySpec?.value;
      if (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') continue;
      if (k.enableKeyRotation?.value === true) continue;
      const setting = k.enableKeyRotation;
      ctx.report({
        target: { kind: 'key-settings', key: k },
        span: setting?.span ?? firstLine(k.span, ctx.text),
        messageId: 'noRotation',
        data: { key: k.logicalId, setting: setting ? 'false' : 'not set (false)' },
        // Only a value the template writes can be rewritten in place; adding a property is left to the author.
        fixes: setting
          ? [
              {
                title: 'Set EnableKeyRotation to true',
                edits: [{ span: setting.span, newText: 'true' }],
                preferred: true,
                safe: true,
              },
            ]
          : [],
      });
    }
  },
};
