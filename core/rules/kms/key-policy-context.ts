// What the KMS rules KMS-006 and KMS-008…016 read from a key policy besides single statements:
// the key's region and account (from a key ARN in Resource, else from the rest of the policy),
// kms:ViaService values, and moving condition entries to another operator (the quick-fixes of
// KMS-008 and KMS-014).
import { ACCOUNT_ID, accountPrincipal, parseArn, parseKeyArn } from '../../policy/arn';
import type {
  ConditionBlock,
  ConditionEntry,
  ConditionOperatorBlock,
  Located,
  PolicyDocument,
  Statement,
} from '../../policy/model';
import { parseOperator, type ParsedOperator } from '../../policy/operators';
import { membersOf } from '../../policy/parse';
import { editsFix, insertMember, removeWithComma } from '../edits';
import { stringItems, operatorBlocks, coversAction, memberAt } from '../model-lookups';
import { oncePerDocument } from '../../policy/memo';
import { statementFact } from '../../policy/statement-facts';
import { jsonString, spanText } from '../json-text';
import type { Fix, TextEditSpan } from '../types';

/** An AWS Region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `us-iso-east-1`. */
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** A Region name inside a longer value (`s3-us-west-2.amazonaws.com`, `s3.dualstack.eu-west-1…`). */
const REGION_INSIDE = /(?:^|[^a-z])([a-z]{2}(?:-[a-z]+)+-\d{1,2})(?![0-9])/i;
const MAX_ENDPOINT_NAME = 253;

/** The key ARN(s) named in the policy's Resource elements, first one first. */
export const keyArns = oncePerDocument((doc: PolicyDocument): readonly { arn: string; region: string; account: string }[] => {
  const out: { arn: string; region: string; account: string }[] = [];
  for (const st of doc.statements) {
    for (const i of stringItems(st.resource)) {
      // The key's own ARN (KMS-DG key-policy-overview tolerates it in Resource).
      const k = parseKeyArn(i.value);
      if (k && REGION.test(k.region) && !out.some(o => o.arn === i.value))
        out.push({ arn: i.value, region: k.region, account: k.account });
    }
  }
  return out;
});

/** The key's Region when the policy names exactly one key ARN (several: we cannot tell which is this key). */
export function keyRegion(doc: PolicyDocument): string | undefined {
  const regions = new Set(keyArns(doc).map(k => k.region));
  return regions.size === 1 ? [...regions][0] : undefined;
}

/** The Region of a `SERVICE.REGION.amazonaws.com` kms:ViaService value. */
export function viaServiceRegion(value: string): string | undefined {
  const m = /^[a-z0-9-]+\.([a-z0-9-]+)\.amazonaws\.com$/.exec(value);
  return m && REGION.test(m[1]) ? m[1] : undefined;
}

/** A Region written somewhere inside a value (lower-cased), e.g. the `us-west-2` of `s3-us-west-2.amazonaws.com`. */
export function regionInside(value: string): string | undefined {
  // The search restarts at every position: quadratic on a long run of `-aa-aa…`. Service endpoint
  // names are short; a longer value holds no Region worth suggesting.
  if (value.length > MAX_ENDPOINT_NAME) return undefined;
  const m = REGION_INSIDE.exec(value);
  return m && REGION.test(m[1].toLowerCase()) ? m[1].toLowerCase() : undefined;
}

/** One string value of a kms:ViaService condition, with where it stands. */
export interface ViaServiceValue {
  st: Statement;
  cond: ConditionBlock;
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  entry: ConditionEntry;
  item: Located<string>;
}

/** Every string value of every kms:ViaService condition (String operators only; others are GRM-012's). */
export const viaServiceValues = oncePerDocument((doc: PolicyDocument): readonly ViaServiceValue[] => {
  const out: ViaServiceValue[] = [];
  for (const { st, cond, ob } of operatorBlocks(doc)) {
    const op = parseOperator(ob.operator.value);
    if (!op || op.family !== 'String') continue;
    for (const entry of ob.entries) {
      if (entry.key.value.toLowerCase() !== 'kms:viaservice') continue;
      for (const item of stringItems(entry.values)) out.push({ st, cond, ob, op, entry, item });
    }
  }
  return out;
});

/**
 * Does a ViaService value mean Amazon S3? `s3.REGION.amazonaws.com` and the wrong forms people
 * write for it: `s3.amazonaws.com`, `s3`, `s3-REGION.amazonaws.com`, an S3 ARN, `s3.*…`.
 */
export const meansS3 = (value: string): boolean => /^(?:s3(?:[.\-*?]|$)|arn:[^:]*:s3:)/i.test(value);

/** The valid S3 ViaService name for a Region (`.amazonaws.com` in every partition, docs/design/aws-facts.md#kms-006). */
export const s3ViaService = (region: string): string => `s3.${region}.amazonaws.com`;

/** Is this an exact, valid S3 ViaService value (`s3.REGION.amazonaws.com`)? */
export const isS3ViaService = (value: string): boolean => /^s3\./.test(value) && viaServiceRegion(value) !== undefined;

/**
 * Regions the policy states elsewhere: the key ARN's, ARNs with a Region field (trail ARNs, other
 * keys), kms:ViaService values of any service, aws:RequestedRegion values. Counted by occurrence.
 */
export const policyRegions = oncePerDocument((doc: PolicyDocument): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>();
  for (const st of doc.statements)
    for (const [r, n] of statementFact(st, 'Regions named', regionsNamed, doc)) counts.set(r, (counts.get(r) ?? 0) + n);
  return counts;
});

/** The Regions one statement names (see policyRegions), by occurrence: a statement fact, the same in every version. */
function regionsNamed(st: Statement): ReadonlyMap<string, number> {
  const counts = new Map<string, number>();
  const add = (r: string | undefined) => {
    if (r && REGION.test(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  };
  const fromArn = (v: string) => add(parseArn(v)?.region);
  for (const i of stringItems(st.resource)) fromArn(i.value);
  for (const o of st.condition?.operators ?? []) {
    for (const e of o.entries) {
      const key = e.key.value.toLowerCase();
      for (const i of stringItems(e.values)) {
        if (key === 'kms:viaservice') add(viaServiceRegion(i.value));
        else if (key === 'aws:requestedregion') add(i.value);
        else fromArn(i.value);
      }
    }
  }
  return counts;
}

/** The Region the policy is about: the key ARN's, else the only Region it names anywhere. */
export function contextRegion(doc: PolicyDocument): string | undefined {
  const fromKey = keyRegion(doc);
  if (fromKey) return fromKey;
  const regions = policyRegions(doc);
  return regions.size === 1 ? [...regions.keys()][0] : undefined;
}

/**
 * The account that owns the key: the key ARN's; else the one account whose root (or ID) is named
 * by an Allow covering kms:PutKeyPolicy (the default policy's "Enable IAM User Permissions"); else
 * the one account whose root any Allow names; else the one kms:CallerAccount value; else undefined.
 */
export const ownerAccount = oncePerDocument((doc: PolicyDocument): string | undefined => {
  const fromKey = new Set(keyArns(doc).map(k => k.account));
  if (fromKey.size > 0) return fromKey.size === 1 ? [...fromKey][0] : undefined;
  const admins = new Set<string>();
  const roots = new Set<string>();
  const callers = new Set<string>();
  for (const st of doc.statements) {
    if (st.effect?.value !== 'Allow') continue;
    for (const e of st.principal?.entries ?? []) {
      if (e.type.value !== 'AWS') continue;
      for (const i of stringItems(e.values)) {
        const account = accountPrincipal(i.value);
        if (!account) continue;
        roots.add(account);
        if (coversAction(st, 'kms:PutKeyPolicy')) admins.add(account);
      }
    }
    for (const o of st.condition?.operators ?? []) {
      for (const e of o.entries)
        if (e.key.value.toLowerCase() === 'kms:calleraccount')
          for (const i of stringItems(e.values)) if (ACCOUNT_ID.test(i.value)) callers.add(i.value);
    }
  }
  for (const set of [admins, roots, callers]) if (set.size > 0) return set.size === 1 ? [...set][0] : undefined;
  return undefined;
});

/** The account of an AWS principal value (`arn:…:iam::ACCOUNT:…`, `arn:…:sts::ACCOUNT:…` or a bare ID). */
export function principalAccount(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  const arn = parseArn(value);
  return arn && (arn.service === 'iam' || arn.service === 'sts') && ACCOUNT_ID.test(arn.account) ? arn.account : undefined;
}

/** Does the policy mention S3 use: a kms:ViaService value for S3, or the S3 encryption context key? */
export const s3UseEvidence = oncePerDocument((doc: PolicyDocument): { st: Statement; what: string } | undefined => {
  for (const v of viaServiceValues(doc)) if (meansS3(v.item.value)) return { st: v.st, what: `kms:ViaService "${v.item.value}"` };
  for (const { st, ob } of operatorBlocks(doc)) {
    for (const e of ob.entries)
      if (e.key.value.toLowerCase() === 'kms:encryptioncontext:aws:s3:arn')
        return { st, what: `the S3 encryption context (${e.key.value})` };
  }
  return undefined;
});

/**
 * A fix that moves `entries` of the operator block `ob` to the operator `target`: the operator is
 * renamed when every entry moves and no other block of the Condition is called `target`; otherwise
 * the entries leave `ob` and join the block named `target` (created next to `ob` when missing).
 * Conditions AND their blocks, so moving an entry changes only how that entry is tested.
 */
export function moveEntriesFix(
  title: string,
  text: string,
  cond: ConditionBlock,
  ob: ConditionOperatorBlock,
  entries: readonly ConditionEntry[],
  target: string,
): Fix | undefined {
  if (cond.node.type !== 'object' || ob.node.type !== 'object') return undefined;
  const existing = cond.operators.filter(o => o !== ob && o.operator.value === target);
  if (existing.length > 1 || existing.some(o => o.node.type !== 'object')) return undefined;
  const into = existing[0];
  if (!into && entries.length === ob.entries.length)
    return editsFix(title, [{ span: ob.operator.span, newText: jsonString(target) }]);
  // Keys the target block already tests would be duplicated: leave that to the author.
  if (into && entries.some(e => into.entries.some(x => x.key.value.toLowerCase() === e.key.value.toLowerCase())))
    return undefined;
  const members = membersOf(ob.node);
  const moved = entries.map(e => memberAt(ob.node, e.key));
  if (moved.some(m => !m)) return undefined;
  const movedText = moved.map(m => spanText(text, m!.span)).join(', ');
  const edits: TextEditSpan[] = [];
  if (entries.length === ob.entries.length) {
    // Everything goes into the existing block: the emptied operator goes too.
    const obMember = memberAt(cond.node, ob.operator);
    if (!obMember) return undefined;
    const all = membersOf(cond.node);
    edits.push(
      removeWithComma(
        all.map(m => m.span),
        all.findIndex(m => m.span.offset === obMember.span.offset),
      ),
    );
  } else {
    // Remove the moved members; each joins its next neighbour, the last one its previous neighbour.
    const indexes = moved.map(m => members.findIndex(x => x.span.offset === m!.span.offset)).sort((a, b) => a - b);
    const spans = members.map(m => m.span);
    let i = 0;
    while (i < indexes.length) {
      // A run of consecutive moved members is removed in one edit.
      let j = i;
      while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
      const first = indexes[i];
      const last = indexes[j];
      const next = spans[last + 1];
      const prev = spans[first - 1];
      const offset = next ? spans[first].offset : prev ? prev.offset + prev.length : spans[first].offset;
      const end = next ? next.offset : spans[last].offset + spans[last].length;
      edits.push({ span: { offset, length: end - offset }, newText: '' });
      i = j + 1;
    }
  }
  if (into) edits.push(insertMember(text, into.node, movedText, 'last'));
  else {
    const obMember = memberAt(cond.node, ob.operator);
    if (!obMember) return undefined;
    edits.push(insertMember(text, cond.node, `${jsonString(target)}: {${movedText}}`, { after: obMember }));
  }
  return editsFix(title, edits);
}
