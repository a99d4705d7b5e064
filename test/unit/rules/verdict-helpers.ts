// Helpers for rule tests that check a fix by re-analysing the fixed policy with the engine.
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';

/** Upload decisions by class of the policy's (first) bucket: `none`, `AES256`, `aws:kms`, `aws:kms/named`, `aws:kms/other`, … `SSE-C`. */
export function decisions(text: string): Record<string, string> {
  const [v] = bucketVerdicts(parsePolicy(text));
  return Object.fromEntries(
    v.encryption.uploads.map(u => [
      u.kmsKey === null ? u.sse : `${u.sse}/${u.kmsKey === 'other' ? 'other' : 'named'}`,
      u.decision,
    ]),
  );
}
