// STS GetCallerIdentity (the query protocol: a form-encoded POST, an XML answer), so a client can
// learn who it is as it does on AWS (aws/fix.ts's lock-out guard). The caller is the seed's
// `caller` ARN, by default the account's user `admin`. Nothing else of STS is served.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const xml = (s: string): string =>
  s.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** A request signed for STS (its credential scope names the service `sts`). */
export const isStsRequest = (req: http.IncomingMessage): boolean =>
  /Credential=[^/,\s]+\/\d{8}\/[a-z0-9-]+\/sts\/aws4_request/.test(req.headers.authorization ?? '');

export function handleSts(
  res: http.ServerResponse,
  body: string,
  account: string,
  caller: string | undefined,
  count: (call: string) => void,
): void {
  const form = new URLSearchParams(body);
  const action = form.get('Action') ?? '';
  count(`sts:${action || 'unknown'}`);
  const id = randomUUID();
  if (action !== 'GetCallerIdentity') {
    res.writeHead(400, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': id });
    return void res.end(
      `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${xml(action)} is not served by this local endpoint</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
    );
  }
  const arn = caller ?? `arn:aws:iam::${account}:user/admin`;
  const callerAccount = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? account;
  res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': id });
  res.end(
    `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>${xml(arn)}</Arn><UserId>AIDAEMULATOREXAMPLE01</UserId><Account>${callerAccount}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}
