import { withoutLookalikes } from '../suspect-characters';
import {
  actionsNamed,
  isKeyPrefixCovered,
  keyAppliesToAction,
  lookupConditionKey,
  suggestConditionKey,
  type ActionInfo,
} from '../../knowledge';
import type { ConditionBlock, ConditionEntry, ConditionOperatorBlock, Statement } from '../../policy/model';
import { parseOperator, resultWhenKeyAbsent } from '../../policy/operators';
import { alwaysTrueRemovalIsSafe, markSafe, removeConditionEntryFix, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type StatementContext } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';
import { show } from '../labels';
import { stringItems } from '../model-lookups';

const ABSENT = 'AWS rejects the policy, or the key is simply never present in a request{consequence}.';

/**
 * Keys people write for request headers that have no condition key, and what to do instead. In
 * bucket policies ENC-019 reports them (with the KMS key policy alternative), so this rule does
 * only in the other kinds of policy.
 */
const NOT_A_KEY = new Map(
  Object.entries({
    's3:x-amz-server-side-encryption-context':
      'There is no condition key for the x-amz-server-side-encryption-context header; restrict the encryption context with kms:EncryptionContext:… conditions in the KMS key policy instead',
    's3:x-amz-server-side-encryption-bucket-key-enabled':
      "There is no condition key for the Bucket Key header, so a policy cannot require S3 Bucket Keys; enable BucketKeyEnabled in the bucket's default encryption instead",
  }),
);

const KEY_FORMAT = /^[A-Za-z0-9-]+:\S+$/;

interface EntryScope {
  ctx: StatementContext;
  st: Statement;
  cond: ConditionBlock;
  ob: ConditionOperatorBlock;
  entry: ConditionEntry;
}

/** What the condition evaluates to today, the key being absent from every request. */
function absentResult(s: EntryScope): boolean | undefined {
  const op = parseOperator(s.ob.operator.value);
  return op
    ? resultWhenKeyAbsent(
        op,
        s.entry.values.items.map(i => i.value),
      )
    : undefined;
}

/**
 * Removing a key that is never present keeps the statement's meaning only when the condition
 * on it is true today; otherwise the statement is dead and removing the key would bring it to
 * life (a Deny could suddenly apply to everyone). Only the safe removal is offered as a fix,
 * and it is safe — an always-true test changes no decision — unless a rename is offered too: then
 * the key was probably meant as that one, and removing it would erase the author's intent — nor when
 * it is a Deny's last test (`alwaysTrueRemovalIsSafe`).
 */
function removalFix(s: EntryScope, preferred: boolean): Fix | undefined {
  if (absentResult(s) !== true) return undefined;
  return markSafe(
    removeConditionEntryFix(
      `Remove "${s.entry.key.value}" (it is never present, so this changes nothing)`,
      s.st,
      s.cond,
      s.ob,
      s.entry,
      preferred,
    ),
    preferred && alwaysTrueRemovalIsSafe(s.st, s.cond),
  );
}

function consequence(s: EntryScope): string {
  const r = absentResult(s);
  if (r === true) return `, so "${s.ob.operator.value}" on it is always true`;
  if (r === false) return `, so "${s.ob.operator.value}" on it is never true and the statement never applies`;
  return '';
}

function checkUnknown(s: EntryScope, renamed: Set<string>): boolean {
  const { ctx, ob, entry } = s;
  const key = entry.key.value;
  // A real key spoilt by a zero-width space or a typographic hyphen is GRM-016's finding.
  const ascii = withoutLookalikes(key);
  if (ascii !== undefined && lookupConditionKey(ascii)) return true;
  const wellFormed = KEY_FORMAT.test(key);
  if (wellFormed && (lookupConditionKey(key) || !isKeyPrefixCovered(key))) return false;
  const note = NOT_A_KEY.get(key.toLowerCase());
  if (note && ctx.kind === 'bucket-policy') return true;
  const guess = note ? undefined : suggestConditionKey(key);
  // Never rename onto a key the block already has, or that an earlier key is renamed to.
  const taken =
    guess !== undefined &&
    (renamed.has(guess.toLowerCase()) || ob.entries.some(e => e !== entry && e.key.value.toLowerCase() === guess.toLowerCase()));
  const fixes: Fix[] = [];
  if (guess && !taken) {
    renamed.add(guess.toLowerCase());
    // Safe when the text decides the key: only case or surrounding spaces differ, or only the
    // service prefix is missing ("x-amz-server-side-encryption"). The nearest key to a misspelling is
    // a guess, and a wrong one would test something the author never wrote.
    const written = key.trim().toLowerCase();
    const decided = guess.toLowerCase() === written || (!written.includes(':') && guess.toLowerCase().endsWith(`:${written}`));
    fixes.push(markSafe(replaceFix(`Rename to "${guess}"`, entry.key.span, jsonString(guess)), decided));
  }
  const removal = removalFix(s, fixes.length === 0);
  if (removal) fixes.push(removal);
  const messageId = note
    ? 'header'
    : wellFormed
      ? 'unknownKey'
      : key.trim() !== key && lookupConditionKey(key.trim())
        ? 'spacesAroundKey'
        : 'keyFormat';
  ctx.report({
    span: entry.key.span,
    messageId,
    data: {
      key: show(key, 52),
      note: note ?? '',
      consequence: consequence(s),
      advice: guess ? ` Did you mean "${guess}"?` : note ? ' Remove it.' : '',
    },
    fixes,
  });
  return true;
}

function statementActions(st: Statement): ActionInfo[] {
  return stringItems(st.action).flatMap(i => actionsNamed(i.value));
}

function checkApplies(s: EntryScope, actions: ActionInfo[]): void {
  const { ctx, st, entry } = s;
  const key = lookupConditionKey(entry.key.value);
  if (!key || key.source === 'global' || key.crossService) return;
  if (actions.some(a => keyAppliesToAction(entry.key.value, a))) return;
  const written = stringItems(st.action).map(i => i.value);
  const shown = written.length > 3 ? `${written.slice(0, 3).join(', ')}, …` : written.join(', ');
  const removal = removalFix(s, true);
  ctx.report({
    span: entry.key.span,
    severity: 'warning',
    messageId: 'notInRequest',
    data: { key: show(entry.key.value, 48), actions: shown, consequence: consequence(s) },
    fixes: removal ? [removal] : [],
  });
}

export const grm017: Rule = {
  meta: {
    id: 'GRM-017',
    title: 'Condition keys that do not exist or do not apply',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'Condition keys come from the Service Authorization Reference and the list of global keys. Invented ones — `s3:x-amz-server-side-encryption-context`, `s3:x-amz-server-side-encryption-bucket-key-enabled`, `s3:x-amz-server-side-encryption-kms-key-id`, `s3:SecureTransport`, `x-amz-server-side-encryption` without `s3:` — are rejected ("Invalid service condition key", "Invalid condition key format") or, if a policy with them is accepted, never present in a request. A real key on actions that never carry it (the SSE keys on `s3:GetObject` or `s3:ListBucket`) is absent at runtime too; S3 has rejected such statements with "Conditions do not apply to combination of actions and resources in statement". An absent key makes the condition constantly true or false (docs/design/aws-facts.md, table 0.2). In bucket policies the encryption-context and Bucket Key headers are reported by ENC-019 instead.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyOtherKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyOtherKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      unknownKey: {
        summary: 'Condition key {key} does not exist, so it is never in a request.',
        detail: `${ABSENT}{advice}`,
      },
      header: {
        summary: 'Condition key {key} does not exist, so it is never in a request.',
        detail: `{note}. ${ABSENT}{advice}`,
      },
      spacesAroundKey: {
        summary: '{key} has spaces around the key name, so it is not a condition key.',
        detail: `${ABSENT}{advice}`,
      },
      keyFormat: {
        summary: '{key} is not a condition key: keys are written "service:name".',
        detail: `Access Analyzer: "Invalid condition key format". ${ABSENT}{advice}`,
      },
      notInRequest: {
        summary: "{key} is never in the request context of this statement's actions.",
        detail:
          'Its actions ({actions}) never carry it: the key is absent at runtime{consequence}. S3 may also reject the statement ("Conditions do not apply to combination of actions and resources in statement"). Remove the key, or move it to a statement for the actions that carry it.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    let actions: ActionInfo[] | undefined;
    for (const { cond, ob } of operatorBlocksOf(st)) {
      // NotAction statements name what they exclude: whether a key applies cannot be judged.
      actions ??= st.action && !st.notAction ? statementActions(st) : [];
      const renamed = new Set<string>();
      for (const entry of ob.entries) {
        const s: EntryScope = { ctx, st, cond, ob, entry };
        if (checkUnknown(s, renamed)) continue;
        if (actions.length > 0) checkApplies(s, actions);
      }
    }
  }),
};
