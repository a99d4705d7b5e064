// Benchmark: parse vs whole analysis for realistic maximum-size policies, and the hostile
// inputs of the robustness tests. Prints a table; asserts nothing (timings are not tests).
import { parseTree } from 'jsonc-parser';
import { analyze } from '../server/src/analyze';
import { BAD_INPUTS } from '../test/helpers/bad-input';

function bucketPolicy(targetBytes: number): string {
  const statements: string[] = [];
  let i = 0;
  const body = () => `{"Version": "2012-10-17", "Statement": [${statements.join(',\n')}]}`;
  while (body().length < targetBytes) {
    statements.push(JSON.stringify({
      Sid: `Stmt${i}`,
      Effect: i % 3 === 0 ? 'Deny' : 'Allow',
      Principal: i % 3 === 0 ? '*' : { AWS: `arn:aws:iam::1111222233${String(i % 100).padStart(2, '0')}:role/app-${i}` },
      Action: i % 3 === 0 ? 's3:PutObject' : ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::bench-bucket`, `arn:aws:s3:::bench-bucket/prefix-${i}/*`],
      Condition: i % 3 === 0
        ? { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Bool: { 'aws:SecureTransport': 'true' } }
        : { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
    }));
    i++;
  }
  statements.pop();
  return body();
}

function keyPolicy(targetBytes: number): string {
  const statements: string[] = [];
  let i = 0;
  const body = () => `{"Version": "2012-10-17", "Statement": [${statements.join(',\n')}]}`;
  while (body().length < targetBytes) {
    statements.push(JSON.stringify({
      Sid: `Allow use ${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::111122223333:role/app-${i}` },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': '111122223333' } },
    }));
    i++;
  }
  statements.pop();
  return body();
}

function time(fn: () => unknown, minMs = 500): { median: number; p95: number; runs: number } {
  for (let i = 0; i < 5; i++) fn(); // warm-up
  const samples: number[] = [];
  const end = performance.now() + minMs;
  while (performance.now() < end || samples.length < 5) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], p95: samples[Math.floor(samples.length * 0.95)], runs: samples.length };
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const rows: string[][] = [['input', 'size', 'parse (median)', 'analysis (median)', 'analysis (p95)', 'ratio', 'findings']];

const cases: [string, string, string][] = [
  ['bucket policy at the 20 KB limit', bucketPolicy(20 * 1024), 'bench-bucket.bucket-policy.json'],
  ['key policy at the 32 KB limit', keyPolicy(32 * 1024), 'bench.key-policy.json'],
  ...Object.entries(BAD_INPUTS).map(([n, make]): [string, string, string] => [`hostile: ${n}`, make(), `${n}.bucket-policy.json`]),
];
for (const [name, text, file] of cases) {
  const minMs = text.length > 1e6 ? 1500 : 500;
  // jsonc-parser alone recurses once per nesting level: 10 000 levels overflow the stack (the analysis refuses them first).
  let p: ReturnType<typeof time> | undefined;
  try { p = time(() => parseTree(text, []), minMs); } catch { p = undefined; }
  const a = time(() => analyze(text, file), minMs);
  const findings = analyze(text, file).findings.length;
  rows.push([name, `${(text.length / 1024).toFixed(1)} KB`, p ? fmt(p.median) : 'stack overflow', fmt(a.median), fmt(a.p95), p ? (a.median / p.median).toFixed(1) + '×' : '–', String(findings)]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}`);
