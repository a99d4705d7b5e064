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
  // Compact, so that it stays under the 128 KB size limit and the statement cap (1000) is what bites.
  statements1300: () =>
    policyWith(
      Array.from(
        { length: 1300 },
        (_, i) => `{"Effect":"deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${i}"}`,
      ),
    ),
  // Wildcard chains that took minutes as backtracking regular expressions (issue 10).
  wildcards30: () => policyWith([wildcardDeny(30)]),
  wildcards1000: () => policyWith([wildcardDeny(1000)]),
  // Quadratic for a `${…}` search that restarts at every `${`.
  unclosedVariables: () =>
    policyWith([`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/${'${'.repeat(60_000)}*"}`]),
  // Each bucket a pass over the document; verdicts stop at 20 buckets.
  buckets300: () =>
    policyWith([
      httpsDeny('b'),
      JSON.stringify({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    ]),
  // One level of the request walk per key: deep enough to overflow a recursive walk.
  conditionKeys3000: () =>
    policyWith([
      JSON.stringify({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringEquals: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`aws:PrincipalTag/t${i}`, 'x'])) },
      }),
    ]),
};

function wildcardDeny(wildcards: number): string {
  return JSON.stringify({
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::xyz', `arn:aws:s3:::xyz/${'A0*'.repeat(wildcards)}`],
    NotResource: undefined,
    Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::111122223333:role/${'A0*'.repeat(wildcards)}` } },
  });
}
