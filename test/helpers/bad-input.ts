// Hostile documents for the robustness tests (generated, so the repository stays small).
export const policyWith = (statements: string[]): string => `{"Version": "2012-10-17", "Statement": [${statements.join(',')}]}`;

export const httpsDeny = (bucket: string): string =>
  `{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;

export const BAD_INPUTS: Record<string, () => string> = {
  truncated: () => policyWith([httpsDeny('b')]).slice(0, 80),
  empty: () => '',
  binary: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('latin1'),
  fiveMegabytes: () => {
    const st = httpsDeny('big-bucket');
    const n = Math.ceil((5 * 1024 * 1024) / (st.length + 1));
    return policyWith(Array.from({ length: n }, () => st));
  },
  nested10000: () => `{"Statement": ${'['.repeat(10000)}${']'.repeat(10000)}}`,
  // Compact, so that it stays under the 1 MB size limit and the statement cap is what bites.
  statements10000: () => policyWith(Array.from({ length: 10000 }, (_, i) =>
    `{"Effect":"deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${i}"}`)),
};
