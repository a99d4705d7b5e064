// The live view's Judge (aws/posture.ts): the language server judges live policies with
// the custom request `s3EncryptionGuard/analyze`, so the tree, the editor and the CodeLens agree
// and the user's requirements apply. A server that cannot answer gives no verdict (the tree says
// "verdict unavailable"), never an error through the posture fetch.
import type { Judge } from '../../aws/posture';
import type { BucketVerdict, KeyPolicyVerdict } from '../../shared/types';
import type { LiveAnalyzeParams, LiveAnalyzeResult } from '../../protocol/protocol';

export function serverJudge(analyze: (p: LiveAnalyzeParams) => Promise<LiveAnalyzeResult>, log: (msg: string) => void): Judge {
  const ask = async (p: LiveAnalyzeParams, what: string): Promise<LiveAnalyzeResult | null> => {
    try {
      return await analyze(p);
    } catch (e) {
      log(`live view: the language server could not judge ${what}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  return {
    async bucketPolicy(text, bucket) {
      const r = await ask({ text, kind: 'bucket-policy', bucket, diagnostics: false }, `the policy of bucket ${bucket}`);
      return r?.kind === 'bucket-policy' ? (r.verdict as BucketVerdict | null) : null;
    },
    async keyPolicy(text, keyArn) {
      const r = await ask({ text, kind: 'key-policy', keyArn, diagnostics: false }, `the policy of key ${keyArn ?? '(no ARN)'}`);
      return r?.kind === 'key-policy' ? (r.verdict as KeyPolicyVerdict | null) : null;
    },
  };
}
