// Policy text that the ENC rule tests share: the bucket, the SSE condition keys, a policy around
// statements, and the statements the tests (and the rules' fixes) write again and again.

export const B = 'arn:aws:s3:::b';
export const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const SSE = 's3:x-amz-server-side-encryption';
export const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_C = 's3:x-amz-server-side-encryption-customer-algorithm';

/** A 2012-10-17 policy with these statements. */
export const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
/** The policy `code` (written by `policy`) with more statements at the end. */
export const withAdded = (code: string, ...added: string[]) => code.replace(/\]\}$/, `, ${added.join(', ')}]}`);
/** A Deny of s3:PutObject on the bucket's objects, as people write it. */
export const denyPut = (sid: string, condition: string, principal = '"*"') =>
  `{"Sid": "${sid}", "Effect": "Deny", "Principal": ${principal}, "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": ${condition}}`;
/** JSON on one line with a space after colons and commas: how a fix adds a statement to a one-line policy. */
export const oneLine = (v: unknown): string =>
  JSON.stringify(v, null, 1)
    .replace(/,\n\s*/g, ', ')
    .replace(/\n\s*/g, '');
/** A statement as the fixes write it into a one-line policy (templates 2 and 3). */
export const canonical = (sid: string, condition: unknown) =>
  oneLine({ Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${B}/*`, Condition: condition });
/** The HTTPS Deny (TLS-001's canonical statement, with another Sid). */
export const httpDeny = `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["${B}", "${B}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;
/** The SSE-C ban as the fixes write it. */
export const ban = canonical('DenySseCUploads', { Null: { [SSE_C]: 'false' } });
