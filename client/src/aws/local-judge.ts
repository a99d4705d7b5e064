// The engine in-process as a posture Judge (the CLI and tests; the editor asks its language server
// instead). Imports the engine, so it lives apart from posture.ts. No vscode imports.
import { parsePolicy } from '../../../server/src/policy/parse';
import { bucketVerdicts } from '../../../server/src/engine/verdict';
import { keyPolicyVerdict } from '../../../server/src/engine/key-verdict';
import type { Judge } from './posture';

export function localJudge(): Judge {
  return {
    async bucketPolicy(text, bucket) {
      const doc = parsePolicy(text);
      if (!doc.statements.length) return null;
      return bucketVerdicts(doc, { bucketName: bucket })[0] ?? null;
    },
    async keyPolicy(text) {
      const doc = parsePolicy(text);
      if (!doc.statements.length) return null;
      return keyPolicyVerdict(doc);
    },
  };
}
