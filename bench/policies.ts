// Realistic policies of a given size for the benchmarks.

/** A bucket policy of about `targetBytes`: HTTPS and SSE Denies plus per-tenant Allows with IP conditions. */
export function bucketPolicy(targetBytes: number, bucket = 'bench-bucket'): string {
  const statements: string[] = [
    JSON.stringify({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
    JSON.stringify({
      Sid: 'DenyNotKms',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }),
  ];
  let i = 0;
  const body = () => `{"Version": "2012-10-17", "Statement": [${statements.join(',\n')}]}`;
  while (body().length < targetBytes) {
    statements.push(
      JSON.stringify({
        Sid: `Tenant${i}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::1111222233${String(i % 100).padStart(2, '0')}:role/app-${i}` },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `arn:aws:s3:::${bucket}/tenant-${i}/*`,
        Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
      }),
    );
    i++;
  }
  if (statements.length > 3) statements.pop();
  return body();
}

/** A KMS key policy of about `targetBytes`. */
export function keyPolicy(targetBytes: number): string {
  const statements: string[] = [
    JSON.stringify({
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:*',
      Resource: '*',
    }),
  ];
  let i = 0;
  const body = () => `{"Version": "2012-10-17", "Statement": [${statements.join(',\n')}]}`;
  while (body().length < targetBytes) {
    statements.push(
      JSON.stringify({
        Sid: `Allow use ${i}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::111122223333:role/app-${i}` },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': '111122223333' } },
      }),
    );
    i++;
  }
  statements.pop();
  return body();
}
