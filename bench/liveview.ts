// Benchmark: the editor side of the live view. The judge (`s3EncryptionGuard/analyze` of the built
// language server over stdio, one request per live policy, as the tree's load sends them), with and
// without the rules, and the tree model built from a 500-bucket report (posture-model.ts, on every
// load and filter change). Run alone: `node out/bench/liveview.js` after `npm run build` and tsc.
import fs from 'node:fs';
import path from 'node:path';
import { postureTree, type PostureNode } from '../client/views/posture-model';
import type { BucketPosture } from '../aws/types';
import { analyzeText } from '../server/features/live-analysis';
import { LspClient } from '../test/lsp/lsp-client';
import { EXAMPLES } from '../test/helpers/paths';
import { fmt, table, time, type Timing } from './stats';

const BUCKETS = 500;

export interface LiveViewResults {
  /** Wall time of BUCKETS concurrent judge requests for a 5-statement bucket policy, server over stdio. */
  judge500WithRulesMs: number;
  judge500VerdictOnlyMs: number;
  /** Per request, in-process (no IPC): the server's CPU per live policy. */
  judgeWithRules: Timing;
  judgeVerdictOnly: Timing;
  /** postureTree over BUCKETS buckets (≈10 nodes each). */
  tree500: Timing;
  treeNodes: number;
}

function report(): { buckets: BucketPosture[] } {
  const policy = fs.readFileSync(path.join(EXAMPLES, 'good-payments-data.bucket-policy.json'), 'utf8');
  const verdict = analyzeText(policy, 'bucket-policy', 'good-payments-data', {}).verdict as BucketPosture['policy']['verdict'];
  const buckets = Array.from({ length: BUCKETS }, (_, i): BucketPosture => ({
    name: `bucket-${String(i).padStart(3, '0')}`,
    region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
    defaultEncryption: {
      algorithm: 'aws:kms',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      bucketKeyEnabled: i % 2 === 0,
    },
    policy: { present: true, verdict, text: policy },
    publicAccessBlock: {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: i % 5 !== 0,
    },
    kmsKey: {
      arn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      state: 'Enabled',
      rotation: i % 4 !== 0,
      keySpec: 'SYMMETRIC_DEFAULT',
      region: 'eu-west-1',
      policyVerdict: null,
    },
    checks: [{ id: 'https', status: 'pass', message: 'Every HTTP request is denied.' }],
    errors: i % 50 === 0 ? [{ call: 'GetBucketPolicy', code: 'AccessDenied', message: 'Access Denied' }] : [],
  }));
  return { buckets };
}

export async function benchLiveView(): Promise<LiveViewResults> {
  const policy = fs.readFileSync(path.join(EXAMPLES, 'good-payments-data.bucket-policy.json'), 'utf8');
  const client = new LspClient();
  await client.initialize();
  const send = (diagnostics: boolean) =>
    client.conn.sendRequest('s3EncryptionGuard/analyze', {
      text: policy,
      kind: 'bucket-policy',
      bucket: 'good-payments-data',
      diagnostics,
    });
  const burst = async (diagnostics: boolean): Promise<number> => {
    const t = performance.now();
    await Promise.all(Array.from({ length: BUCKETS }, () => send(diagnostics)));
    return performance.now() - t;
  };
  try {
    await burst(true); // warm-up
    await burst(false);
    const judge500WithRulesMs = Math.min(await burst(true), await burst(true));
    const judge500VerdictOnlyMs = Math.min(await burst(false), await burst(false));
    const judgeWithRules = time(() => analyzeText(policy, 'bucket-policy', 'good-payments-data', {}, true));
    const judgeVerdictOnly = time(() => analyzeText(policy, 'bucket-policy', 'good-payments-data', {}, false));
    const r = report();
    const tree500 = time(() => postureTree(r, { connection: {} }));
    const count = (n: PostureNode): number => 1 + n.children.reduce((a, c) => a + count(c), 0);
    return {
      judge500WithRulesMs,
      judge500VerdictOnlyMs,
      judgeWithRules,
      judgeVerdictOnly,
      tree500,
      treeNodes: count(postureTree(r, { connection: {} })),
    };
  } finally {
    client.kill();
  }
}

export function printLiveView(r: LiveViewResults): void {
  console.log(
    table([
      ['live view (editor side)', 'median', 'p95', 'runs'],
      [`judge ${BUCKETS} live bucket policies over stdio, with the rules (wall, best of 2)`, fmt(r.judge500WithRulesMs), '', '2'],
      [
        `judge ${BUCKETS} live bucket policies over stdio, verdict only (what the tree sends)`,
        fmt(r.judge500VerdictOnlyMs),
        '',
        '2',
      ],
      [
        'one judgement in-process, with the rules',
        fmt(r.judgeWithRules.median),
        fmt(r.judgeWithRules.p95),
        String(r.judgeWithRules.runs),
      ],
      [
        'one judgement in-process, verdict only',
        fmt(r.judgeVerdictOnly.median),
        fmt(r.judgeVerdictOnly.p95),
        String(r.judgeVerdictOnly.runs),
      ],
      [
        `tree model for ${BUCKETS} buckets (${r.treeNodes} nodes)`,
        fmt(r.tree500.median),
        fmt(r.tree500.p95),
        String(r.tree500.runs),
      ],
    ]),
  );
}

if (require.main === module) {
  benchLiveView().then(printLiveView, e => {
    console.error(e);
    process.exit(1);
  });
}
