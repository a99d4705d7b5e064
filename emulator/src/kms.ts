// KMS key writes (JSON 1.1, X-Amz-Target TrentService.*), served when the seed is writable:
//
// - EnableKeyRotation {KeyId, RotationPeriodInDays?}: 90 to 2560 days (default 365). Only symmetric
//   encryption keys rotate (UnsupportedOperationException otherwise); a disabled key answers
//   DisabledException, a key pending deletion or import KMSInvalidStateException; an AWS managed key
//   rotates every year and cannot be changed (UnsupportedOperationException).
// - DisableKeyRotation {KeyId}: the same errors.
// - PutKeyPolicy {KeyId, Policy, PolicyName?}: PolicyName `default` only; the policy must be a JSON
//   object of at most 32 KB (MalformedPolicyDocumentException / LimitExceededException).
// Answers `{}` on success, as KMS does; the reads (GetKeyRotationStatus, GetKeyPolicy) reflect them.
import type { Key } from './wire';

export const KMS_WRITES = new Set(['EnableKeyRotation', 'DisableKeyRotation', 'PutKeyPolicy']);

const KEY_POLICY_MAX_BYTES = 32 * 1024;

export type KmsAnswer = { ok: true; value: unknown } | { ok: false; type: string; message: string };

const fail = (type: string, message: string): KmsAnswer => ({ ok: false, type, message });

export function kmsWrite(op: string, key: Key, input: Record<string, unknown>): KmsAnswer {
  const state = key.state ?? 'Enabled';
  if (op === 'PutKeyPolicy') {
    if (input.PolicyName !== undefined && input.PolicyName !== 'default')
      return fail('NotFoundException', `Policy ${String(input.PolicyName)} is not found`);
    if (typeof input.Policy !== 'string')
      return fail(
        'ValidationException',
        "1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null",
      );
    if (Buffer.byteLength(input.Policy) > KEY_POLICY_MAX_BYTES)
      return fail('LimitExceededException', `The key policy exceeds the maximum size of ${KEY_POLICY_MAX_BYTES} bytes.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.Policy);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      return fail(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    if (state === 'PendingDeletion') return fail('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    key.policy = input.Policy;
    return { ok: true, value: {} };
  }
  const spec = key.spec ?? 'SYMMETRIC_DEFAULT';
  if (spec !== 'SYMMETRIC_DEFAULT')
    return fail('UnsupportedOperationException', `${key.arn} key usage or key spec does not support this operation`);
  if (key.manager === 'AWS')
    return fail('UnsupportedOperationException', `${key.arn} is an AWS managed key: its rotation cannot be changed`);
  if (state === 'Disabled') return fail('DisabledException', `${key.arn} is disabled.`);
  if (state !== 'Enabled')
    return fail('KMSInvalidStateException', `${key.arn} is ${state.replace(/^Pending/, 'pending ').toLowerCase()}.`);
  if (op === 'EnableKeyRotation') {
    const days = input.RotationPeriodInDays;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 90 || days > 2560))
      return fail(
        'ValidationException',
        `1 validation error detected: Value '${String(days)}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560`,
      );
    key.rotation = true;
    key.rotationPeriodInDays = typeof days === 'number' ? days : (key.rotationPeriodInDays ?? 365);
    return { ok: true, value: {} };
  }
  key.rotation = false;
  return { ok: true, value: {} };
}
