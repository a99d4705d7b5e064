// IAM and STS (AWS Query protocol: a form-encoded POST with Action=… and Version=…, XML answers),
// for the checks around remediation:
//
// - IAM GetRole (RoleName): the seed's roles (`roles`), with AssumeRolePolicyDocument URL-encoded as
//   IAM sends it (the Batch Operations role-trust check reads it); NoSuchEntity 404 otherwise.
// - STS GetCallerIdentity: the seed's `caller` ARN (default the account's user `auditor`), which the
//   bucket-policy lockout guard compares with the principals a policy denies.
// Errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…`.
import { randomUUID } from 'node:crypto';
import type { EmulatorSeed } from './types';
import { el } from './wire';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface QueryAnswer {
  status: number;
  body: string;
}

const error = (status: number, ns: string, code: string, message: string): QueryAnswer => ({
  status,
  body: `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type>${el('Code', code)}${el('Message', message)}</Error>${el('RequestId', randomUUID())}</ErrorResponse>`,
});

/** Answers one IAM or STS Query request (`service` from the credential scope), or null when it is neither. */
export function queryCall(
  service: string,
  params: URLSearchParams,
  seed: EmulatorSeed,
  account: string,
): { call: string; answer: () => QueryAnswer } | null {
  const action = params.get('Action') ?? '';
  const meta = `<ResponseMetadata>${el('RequestId', randomUUID())}</ResponseMetadata>`;
  if (service === 'sts') {
    if (action !== 'GetCallerIdentity')
      return { call: `sts:${action}`, answer: () => error(400, STS_NS, 'InvalidAction', `Could not find operation ${action}`) };
    return {
      call: 'sts:GetCallerIdentity',
      answer: () => {
        const arn = seed.caller ?? `arn:aws:iam::${account}:user/auditor`;
        return {
          status: 200,
          body: `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult>${el('Arn', arn)}${el('UserId', 'AIDAEXAMPLEUSERID0001')}${el('Account', account)}</GetCallerIdentityResult>${meta}</GetCallerIdentityResponse>`,
        };
      },
    };
  }
  if (service === 'iam') {
    if (action !== 'GetRole')
      return { call: `iam:${action}`, answer: () => error(400, IAM_NS, 'InvalidAction', `Could not find operation ${action}`) };
    return {
      call: 'iam:GetRole',
      answer: () => {
        const name = params.get('RoleName') ?? '';
        const role = (seed.roles ?? []).find(r => r.name === name);
        if (!role) return error(404, IAM_NS, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
        const trust = typeof role.trustPolicy === 'string' ? role.trustPolicy : JSON.stringify(role.trustPolicy);
        const path = role.path ?? '/';
        return {
          status: 200,
          body:
            `<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role>${el('Path', path)}${el('RoleName', name)}${el('RoleId', 'AROAEXAMPLEROLEID0001')}` +
            `${el('Arn', `arn:aws:iam::${account}:role${path}${name}`)}${el('CreateDate', '2024-01-15T10:00:00Z')}` +
            `${el('AssumeRolePolicyDocument', encodeURIComponent(trust))}${el('MaxSessionDuration', 3600)}</Role></GetRoleResult>${meta}</GetRoleResponse>`,
        };
      },
    };
  }
  return null;
}
