// The values of one condition key in the request classes (docs/design/engine.md#request-classes): absent, each literal the
// policy compares it with (and its boundaries for numbers, dates and addresses), and one fresh value.
import type { OperatorFamily } from '../../policy/operators';
import { hasWildcard, matchesWildcard } from '../../policy/wildcard';
import { hasVariableSyntax as hasVariable } from '../../policy/variables';
import { isKeyPrefixCovered, lookupConditionKey, type ConditionKeyType } from '../../knowledge';
import { parseCidr } from '../conditions';
import { ALWAYS_PRESENT, FRESH_STRING, IDENTITY_KEY, type ContextValue } from './context-keys';
import { instantiate } from './instances';

export interface KeyDomain {
  /** Lower-cased context key. */
  readonly key: string;
  /** Canonical spelling for witnesses. */
  readonly name: string;
  /** Values in enumeration order; `undefined` stands for "absent from the request". */
  readonly values: readonly (ContextValue | undefined)[];
  /** `identity`: only IAM principals' requests carry it. */
  readonly scope: 'request' | 'identity';
  /** Which requests can carry the key at all. */
  readonly presence: 'always' | 'never' | 'per-action';
}

/** How the statements use one condition key: the operator families and literals its values come from. */
export interface KeyUsage {
  name: string;
  families: Set<OperatorFamily | 'unknown'>;
  literals: unknown[];
  setOperator: boolean;
}

const FAMILY_OF_TYPE: Record<string, OperatorFamily> = {
  String: 'String',
  ARN: 'Arn',
  Numeric: 'Numeric',
  Bool: 'Bool',
  Date: 'Date',
  IPAddress: 'IpAddress',
  Binary: 'Binary',
};

function keyType(key: string, u: KeyUsage): { family: OperatorFamily | 'unknown'; multivalued: boolean } {
  const info = lookupConditionKey(key);
  if (info) {
    const base = info.type.replace(/^ArrayOf/, '') as ConditionKeyType;
    return { family: FAMILY_OF_TYPE[base] ?? 'String', multivalued: info.multivalued };
  }
  const fam = [...u.families].find(f => f !== 'Null' && f !== 'unknown') ?? 'String';
  return { family: fam, multivalued: false };
}

export function keyDomain(key: string, u: KeyUsage, partition: string, freshAccount: string): KeyDomain {
  const info = lookupConditionKey(key);
  let presence: KeyDomain['presence'];
  if (info) presence = info.source === 'global' ? 'always' : 'per-action';
  // A key of a covered prefix (aws:, s3:, kms:) that the tables do not know is a typo: never in a request (GRM-017).
  else presence = isKeyPrefixCovered(key) ? 'never' : 'always';
  const scope: KeyDomain['scope'] = IDENTITY_KEY.test(key) ? 'identity' : 'request';
  if (presence === 'never') return { key, name: u.name, values: [undefined], scope, presence };

  const { family, multivalued } = keyType(key, u);
  const families = new Set<OperatorFamily | 'unknown'>([family, ...u.families]);
  families.delete('Null');
  families.delete('unknown');
  if (families.size === 0) families.add('String');

  const literals = u.literals
    .map(v => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined))
    .filter((v): v is string => v !== undefined && !hasVariable(v));
  const values: string[] = [];
  const added = new Set<string>();
  const add = (v: string | undefined) => {
    if (v !== undefined && !added.has(v)) {
      added.add(v);
      values.push(v);
    }
  };
  for (const lit of literals) {
    if (families.has('Numeric')) for (const v of numericBoundaries(lit)) add(v);
    if (families.has('Date')) for (const v of dateBoundaries(lit)) add(v);
    if (families.has('IpAddress')) for (const v of ipClasses(lit)) add(v);
    if (families.has('Bool')) {
      add('true');
      add('false');
    }
    if (families.has('String') || families.has('Arn') || families.has('Binary')) {
      add(lit);
      if (hasWildcard(lit)) add(instantiate(lit));
    }
  }
  // One fresh value, of the key's type.
  if (families.has('Bool')) {
    add('true');
    add('false');
  }
  if (families.has('Numeric') && values.length === 0) add('0');
  if (families.has('Date') && values.length === 0) add('2001-01-01T00:00:00Z');
  if (families.has('IpAddress') && values.length === 0) add('192.0.2.10');
  if (families.has('Binary')) add(freshAgainst('b3RoZXI=', literals));
  if (families.has('Arn')) add(freshAgainst(`arn:${partition}:iam::${freshAccount}:role/other`, literals));
  if (families.has('String')) add(freshAgainst(FRESH_STRING, literals));

  let ordered: (ContextValue | undefined)[];
  if (multivalued || (u.setOperator && info?.multivalued !== false)) {
    const lists: ContextValue[] = [[], ...values.map(v => [v])];
    if (values.length > 1) lists.push([values[0], values[values.length - 1]]);
    ordered = [undefined, ...lists];
  } else ordered = [undefined, ...values];
  if (ALWAYS_PRESENT.has(key)) ordered = ordered.filter(v => v !== undefined);
  return { key, name: u.name, values: ordered, scope, presence };
}

/** `base`, or `base-2`, `base-3`… whichever no literal (as a wildcard pattern) matches. */
function freshAgainst(base: string, literals: readonly string[]): string {
  let v = base;
  for (let n = 2; literals.some(l => l === v || matchesWildcard(v, l)) && n < 50; n++) v = `${base}-${n}`;
  return v;
}

function numericBoundaries(lit: string): string[] {
  const s = lit.trim();
  if (!/^[-+]?\d+(\.\d+)?$/.test(s)) return [lit];
  const decimals = (s.split('.')[1] ?? '').length;
  const n = Number(s);
  const step = 10 ** -decimals;
  return [(n - step).toFixed(decimals), s, (n + step).toFixed(decimals)];
}

function dateBoundaries(lit: string): string[] {
  const s = lit.trim();
  if (/^\d+$/.test(s)) return [String(Number(s) - 1), s, String(Number(s) + 1)];
  const t = Date.parse(s);
  if (Number.isNaN(t)) return [lit];
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return [iso(t - 1000), s, iso(t + 1000)];
}

/** An address inside and one outside a CIDR (IPv4 or IPv6), parsed as the evaluator parses it. */
export function ipClasses(cidr: string): string[] {
  const range = parseCidr(cidr.trim());
  if (!range) return [cidr];
  const width = range.bytes.length * 8;
  const value = range.bytes.reduce((acc, b) => (acc << 8n) + BigInt(b), 0n);
  const hostBits = BigInt(width - range.prefix);
  const network = (value >> hostBits) << hostBits;
  const last = network + (1n << hostBits) - 1n;
  const max = (1n << BigInt(width)) - 1n;
  const fmt = width === 32 ? formatIPv4 : formatIPv6;
  const out = [fmt(network)];
  if (network > 0n) out.push(fmt(network - 1n));
  else if (last < max) out.push(fmt(last + 1n));
  return out;
}

const formatIPv4 = (v: bigint): string => [24n, 16n, 8n, 0n].map(s => String((v >> s) & 255n)).join('.');
const formatIPv6 = (v: bigint): string =>
  Array.from({ length: 8 }, (_, i) => ((v >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');
