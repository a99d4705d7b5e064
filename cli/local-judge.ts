// The engine in-process as a posture Judge (the CLI and tests; the editor asks its language server
// instead). Imports the engine, so it lives apart from posture.ts.
import { parsePolicy } from '../core/policy/parse';
import { bucketVerdicts } from '../core/engine/verdict';
import { keyPolicyVerdict } from '../core/engine/key-verdict';
import type { Judge } from '../aws/posture';

/** AWS caps bucket policies at 20 KB and key policies at 32 KB; an S3-compatible store might not. */
const MAX_POLICY_CHARS = 1024 * 1024;

export function localJudge(): Judge {
  return {
    async bucketPolicy(text, bucket) {
      if (text.length > MAX_POLICY_CHARS) return null;
      const doc = parsePolicy(text);
      if (!doc.statements.length) return null;
      return bucketVerdicts(doc, { bucketName: bucket })[0] ?? null;
    },
    async keyPolicy(text, keyArn) {
      if (text.length > MAX_POLICY_CHARS) return null;
      const doc = parsePolicy(text);
      if (!doc.statements.length) return null;
      return keyPolicyVerdict(doc, { keyArn });
    },
  };
}
