// Every rule the analysis runs, in ID order.
import type { Rule } from './types';
import { grm001 } from './grammar/GRM-001-document-shape';
import { grm002 } from './grammar/GRM-002-version';
import { grm003 } from './grammar/GRM-003-effect';
import { grm004 } from './grammar/GRM-004-principal-required';
import { grm005 } from './grammar/GRM-005-principal-forms';
import { grm006 } from './grammar/GRM-006-not-principal';
import { grm007 } from './grammar/GRM-007-action';
import { grm008 } from './grammar/GRM-008-bucket-policy-resource';
import { grm009 } from './grammar/GRM-009-action-resource-granularity';
import { grm010 } from './grammar/GRM-010-key-policy-resource';
import { grm011 } from './grammar/GRM-011-condition-shape';
import { grm012 } from './grammar/GRM-012-condition-value-types';
import { grm013 } from './grammar/GRM-013-wildcard-without-like';
import { grm014 } from './grammar/GRM-014-sid';
import { grm015 } from './grammar/GRM-015-size-and-charset';
import { grm016 } from './grammar/GRM-016-invisible-characters';
import { grm017 } from './grammar/GRM-017-condition-keys';
import { enc001 } from './encryption/ENC-001-sse-header-values';
import { enc003 } from './encryption/ENC-003-encryption-not-required';
import { enc004 } from './encryption/ENC-004-header-required-blocks-default-encryption';
import { enc005 } from './encryption/ENC-005-allow-instead-of-deny';
import { enc006 } from './encryption/ENC-006-string-equals-in-deny';
import { enc007 } from './encryption/ENC-007-separate-negated-statements';
import { enc008 } from './encryption/ENC-008-key-pin-value';
import { enc009 } from './encryption/ENC-009-key-pin-denies-default-key';
import { enc010 } from './encryption/ENC-010-null-key-id-only';
import { enc011 } from './encryption/ENC-011-sse-c';
import { enc012 } from './encryption/ENC-012-sse-condition-on-other-actions';
import { enc013 } from './encryption/ENC-013-principal-star-denies-services';
import { enc014 } from './encryption/ENC-014-multipart-header-conditions';
import { enc015 } from './encryption/ENC-015-sse-c-multipart-copy';
import { enc016 } from './encryption/ENC-016-post-and-presigned-uploads';
import { enc017 } from './encryption/ENC-017-writes-not-covered';
import { enc018 } from './encryption/ENC-018-aws-managed-key-cross-account';
import { enc019 } from './encryption/ENC-019-encryption-context-not-a-key';
import { kms001 } from './kms/KMS-001-lockout';
import { kms002 } from './kms/KMS-002-account-delegation';
import { kms003 } from './kms/KMS-003-wildcard-principal';
import { kms004 } from './kms/KMS-004-admin-user-separation';
import { kms005 } from './kms/KMS-005-s3-permissions';
import { kms006 } from './kms/KMS-006-via-service-format';
import { kms007 } from './kms/KMS-007-encryption-context-bucket-keys';
import { kms008 } from './kms/KMS-008-set-operator-on-encryption-context';
import { kms009 } from './kms/KMS-009-encryption-context-case';
import { kms010 } from './kms/KMS-010-s3-service-principal';
import { kms011 } from './kms/KMS-011-aws-managed-s3-key';
import { kms012 } from './kms/KMS-012-key-type-for-s3';
import { kms013 } from './kms/KMS-013-no-effect-in-key-policy';
import { kms014 } from './kms/KMS-014-alias-condition-values';
import { kms015 } from './kms/KMS-015-cloudtrail-key-policy';
import { kms016 } from './kms/KMS-016-cross-account-principals';
import { mis003 } from './mistakes/MIS-003-lockout-deny';
import { tls001 } from './transport/TLS-001-no-http-deny';
import { tls002 } from './transport/TLS-002-http-deny-misses-bucket';
import { tls003 } from './transport/TLS-003-allow-if-https';
import { tls004 } from './transport/TLS-004-http-deny-few-actions';
import { tls005 } from './transport/TLS-005-secure-transport-polarity';
import { tls006 } from './transport/TLS-006-secure-transport-always-present';
import { tls007 } from './transport/TLS-007-minimum-tls-version';
import { tls008 } from './transport/TLS-008-signature-keys';

export const RULES: readonly Rule[] = [
  grm001,
  grm002,
  grm003,
  grm004,
  grm005,
  grm006,
  grm007,
  grm008,
  grm009,
  grm010,
  grm011,
  grm012,
  grm013,
  grm014,
  grm015,
  grm016,
  grm017,
  enc001,
  enc003,
  enc004,
  enc005,
  enc006,
  enc007,
  enc008,
  enc009,
  enc010,
  enc011,
  enc012,
  enc013,
  enc014,
  enc015,
  enc016,
  enc017,
  enc018,
  enc019,
  tls001,
  tls002,
  tls003,
  tls004,
  tls005,
  tls006,
  tls007,
  tls008,
  kms001,
  kms002,
  kms003,
  kms004,
  kms005,
  kms006,
  kms007,
  kms008,
  kms009,
  kms010,
  kms011,
  kms012,
  kms013,
  kms014,
  kms015,
  kms016,
  mis003,
];

const byId = new Map(RULES.map(r => [r.meta.id, r]));
export const ruleById = (id: string): Rule | undefined => byId.get(id);
