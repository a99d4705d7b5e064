// The context keys the request walk sets itself (docs/design/engine.md#request-classes), the principal keys that follow from
// who sends a request, and how keys are spelt in witnesses.
import { lookupConditionKey } from '../../knowledge';

/** A context key's value in a Request: one string, or a list for multivalued keys. */
export type ContextValue = string | readonly string[];

export const SECURE_TRANSPORT = 'aws:securetransport';
export const TLS_VERSION = 's3:tlsversion';
export const SSE = 's3:x-amz-server-side-encryption';
export const SSE_KMS_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CUSTOMER_ALGORITHM = 's3:x-amz-server-side-encryption-customer-algorithm';
export const TRANSPORT_KEYS: readonly string[] = [SECURE_TRANSPORT, TLS_VERSION];
export const SSE_KEYS: readonly string[] = [SSE, SSE_KMS_KEY_ID, SSE_CUSTOMER_ALGORITHM];
export const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/**
 * Condition keys enumerated, one level of the request walk each. Real policies test a handful; a
 * document testing thousands would make every request a walk through thousands of levels, so past
 * this the rest are left out and the answers say they are incomplete.
 */
export const MAX_KEY_LEVELS = 64;

/** Server access logging delivers with no SSE header (docs/design/aws-facts.md#enc-013): always one of the principals. */
export const LOG_DELIVERY_SERVICE = 'logging.s3.amazonaws.com';

/**
 * Keys that follow from who sends the request; they are set with the principal instead of being
 * enumerated, so that no request is inconsistent (an anonymous caller with an aws:PrincipalArn).
 * IAM-UG reference_policies_condition-keys: absent for anonymous callers except aws:PrincipalType.
 */
export const PRINCIPAL_KEYS: readonly string[] = [
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalisawsservice',
  'aws:principalservicename',
  'aws:principalservicenameslist',
  'aws:principaltype',
  'aws:username',
];

/** Keys that only an IAM principal's request carries (never anonymous or service requests); enumerated for IAM principals only. */
export const IDENTITY_KEY =
  /^aws:(principalorgid|principalorgpaths|principaltag\/.*|userid|multifactorauthpresent|multifactorauthage|tokenissuetime|sourceidentity|federatedprovider|assumedroot|signinsessionarn)$/;

/** Keys IAM always puts in the request context (no "absent" class for them). */
export const ALWAYS_PRESENT = new Set(['aws:currenttime', 'aws:epochtime', 'aws:requestedregion']);

export const OBJECT_KEY_INSTANCE = 'example';
export const FRESH_STRING = 'other';
export const FRESH_ACCOUNT = '999999999999';

/** The canonical spelling of a context key for witnesses, or the spelling the policy uses. */
export function keyDisplayName(key: string, asWritten?: string): string {
  switch (key.toLowerCase()) {
    case SECURE_TRANSPORT:
      return 'aws:SecureTransport';
    case TLS_VERSION:
      return 's3:TlsVersion';
  }
  return lookupConditionKey(asWritten ?? key)?.name ?? asWritten ?? key;
}
