import { actionsNamed, resourceTypesOf, type ActionInfo } from '../../knowledge';
import { bucketArn, objectsArn, parseS3Arn, type S3Arn } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { addItemFix, markSafe, replaceFix } from '../edits';
import type { Fix, Rule, StatementContext } from '../types';
import { perStatement } from '../statement-rule';
import { jsonString } from '../json-text';
import { show } from '../labels';
import { stringItems } from '../model-lookups';

// S3 object actions use the `object` resource type (arn:aws:s3:::BUCKET/KEY), bucket actions the
// `bucket` type (arn:aws:s3:::BUCKET) (SAR-S3 resource table). A bucket policy statement whose
// actions match none of its resources is refused with "Action does not apply to any resource(s)
// in statement"; in an identity policy the statement is accepted but never grants that action.

type Kind = 'bucket' | 'object';

interface S3Resource {
  item: Located<string>;
  arn: S3Arn;
  kinds: ReadonlySet<Kind>;
}

interface ActionEntry {
  item: Located<string>;
  actions: ActionInfo[];
  /** Which of bucket/object the entry's actions act on (union over a pattern's actions). */
  kinds: Set<Kind>;
}

const kindsCache = new WeakMap<ActionInfo, readonly Kind[]>();
function kindsOfAction(a: ActionInfo): readonly Kind[] {
  let hit = kindsCache.get(a);
  if (!hit) {
    const types = resourceTypesOf(a) ?? [];
    hit = (['bucket', 'object'] as const).filter(k => types.includes(k));
    kindsCache.set(a, hit);
  }
  return hit;
}

/**
 * The S3 resources of a statement with the kinds each can match; undefined when some resource
 * could match anything (`"*"`, another service, an access point…): then every action applies.
 */
function s3Resources(st: Statement): S3Resource[] | undefined {
  const out: S3Resource[] = [];
  for (const item of stringItems(st.resource)) {
    const arn = parseS3Arn(item.value);
    if (!arn || /\s/.test(item.value)) return undefined;
    // In Resource, `*` also crosses `/`: `arn:aws:s3:::b*` matches the bucket and its objects.
    const kinds: Set<Kind> =
      arn.key !== undefined ? new Set(['object']) : hasWildcard(arn.bucket) ? new Set(['bucket', 'object']) : new Set(['bucket']);
    out.push({ item, arn, kinds });
  }
  return out;
}

function actionEntries(st: Statement): ActionEntry[] {
  const out: ActionEntry[] = [];
  for (const item of stringItems(st.action)) {
    const actions = actionsNamed(item.value).filter(a => a.service === 's3');
    // Unknown actions and other services are GRM-007's business.
    if (actions.length === 0) continue;
    out.push({ item, actions, kinds: new Set(actions.flatMap(kindsOfAction)) });
  }
  return out;
}

const quoteList = (names: string[]): string => names.map(n => `"${n}"`).join(', ');
/** The first action and how many more: a summary has no room for the whole list. */
const firstAndMore = (names: string[]): string =>
  `"${names[0]}"${names.length > 1 ? ` and ${names.length - 1} other action${names.length > 2 ? 's' : ''}` : ''}`;

/** One finding per bucket: on the first resource of that bucket that has the wrong kind. */
function firstPerBucket(resources: S3Resource[]): S3Resource[] {
  const seen = new Set<string>();
  return resources.filter(r => {
    const id = `${r.arn.partition}:${r.arn.bucket}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function checkStatement(ctx: StatementContext, st: Statement): void {
  // NotAction statements name what they exclude: granularity does not apply.
  if (!st.action || st.notAction || !st.resource) return;
  const resources = s3Resources(st);
  if (!resources || resources.length === 0) return;
  const have = new Set(resources.flatMap(r => [...r.kinds]));
  const entries = actionEntries(st);
  const failing = entries.filter(e => ![...e.kinds].some(k => have.has(k)));
  if (failing.length === 0) return;

  const severity = ctx.kind === 'bucket-policy' ? 'error' : 'warning';
  const bucketPolicy = ctx.kind === 'bucket-policy';
  /** What follows, briefly for the summary (`short`) and in full for the detail. */
  const consequence = (names: readonly string[]) => {
    const it = names.length > 1 ? 'them' : 'it';
    return bucketPolicy
      ? {
          short: 'S3 rejects the policy',
          consequence: 'S3 rejects the policy ("Action does not apply to any resource(s) in statement")',
        }
      : { short: `the statement never grants or denies ${it}`, consequence: `the statement never grants or denies ${it}` };
  };
  const text = ctx.text;
  const needObject = failing.filter(e => e.kinds.has('object'));
  const needBucket = failing.filter(e => !e.kinds.has('object') && e.kinds.has('bucket'));
  const needOther = failing.filter(e => e.kinds.size === 0);
  // Appending `/*` is right only when no action of the statement uses the bucket ARN itself.
  const bucketUsed = entries.some(e => e.kinds.has('bucket'));
  // The ARN to add follows from the actions, so the fix is unambiguous. It is safe where S3 rejects
  // the policy as written (nothing is granted today) and for a Deny; in an identity policy an Allow
  // is accepted and grants nothing for these actions today, so the fix would grant them: review it.
  const safe = ctx.kind === 'bucket-policy' || st.effect?.value === 'Deny';

  if (needObject.length > 0) {
    const names = needObject.map(e => e.item.value);
    const verb = names.length > 1 ? 'act' : 'acts';
    for (const r of firstPerBucket(resources.filter(x => x.kinds.has('bucket')))) {
      const objects = objectsArn(r.arn.partition, r.arn.bucket);
      const fix: Fix = markSafe(
        bucketUsed
          ? addItemFix(`Add "${objects}"`, text, st.resource, r.item, jsonString(objects))
          : replaceFix(`Change to "${objects}"`, r.item.span, jsonString(objects)),
        safe,
      );
      ctx.report({
        span: r.item.span,
        severity,
        messageId: bucketUsed ? 'objectActionsAddObjects' : 'objectActions',
        data: {
          actions: firstAndMore(names),
          names: quoteList(names),
          verb,
          value: r.item.value,
          objects,
          ...consequence(names),
        },
        fixes: [fix],
      });
    }
  }
  if (needBucket.length > 0) {
    const names = needBucket.map(e => e.item.value);
    const verb = names.length > 1 ? 'act' : 'acts';
    for (const r of firstPerBucket(resources.filter(x => x.kinds.has('object')))) {
      const bucket = bucketArn(r.arn.partition, r.arn.bucket);
      ctx.report({
        span: r.item.span,
        severity,
        messageId: 'bucketActions',
        data: { actions: firstAndMore(names), names: quoteList(names), verb, value: r.item.value, bucket, ...consequence(names) },
        fixes: [markSafe(addItemFix(`Add "${bucket}"`, text, st.resource, r.item, jsonString(bucket)), safe)],
      });
    }
  }
  // No fix: moving an action to another statement or policy is the author's design.
  for (const e of needOther) {
    const types = [...new Set(e.actions.flatMap(a => resourceTypesOf(a) ?? []))];
    ctx.report({
      span: e.item.span,
      severity,
      messageId: types.length > 0 ? 'otherResourceTypes' : 'noResourceType',
      data: { action: show(e.item.value, 40), types: types.join(', '), ...consequence([e.item.value]) },
    });
  }
}

export const grm009: Rule = {
  meta: {
    id: 'GRM-009',
    title: 'Action/resource granularity',
    severity: 'error',
    appliesTo: ['bucket-policy', 'identity-policy'],
    why: 'S3 object actions (`s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`, `s3:AbortMultipartUpload`…) act on the `object` resource type `arn:aws:s3:::BUCKET/KEY`; bucket actions (`s3:ListBucket`, `s3:GetBucketPolicy`, `s3:GetEncryptionConfiguration`…) on the `bucket` type `arn:aws:s3:::BUCKET`. S3 refuses a bucket policy statement in which an action matches none of the listed resources with `MalformedPolicy: Action does not apply to any resource(s) in statement`; a statement mixing both kinds needs both ARNs (S3 apparently accepts it when every action matches at least one resource). In an identity policy the statement is accepted but never applies to that action. A wildcard such as `s3:Get*` is fine as long as one of its actions applies.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    references: ['https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html'],
    confidence: 'DOC',
    fixable: true,
    messages: {
      objectActions: {
        summary: '{actions} {verb} on objects, but this ARN is the bucket itself: {short}.',
        detail:
          '{names} {verb} on objects (arn:aws:s3:::BUCKET/KEY), but "{value}" is the bucket itself and the statement lists no object ARN: {consequence}. Use "{objects}".',
      },
      objectActionsAddObjects: {
        summary: '{actions} {verb} on objects, but this ARN is the bucket itself: {short}.',
        detail:
          '{names} {verb} on objects (arn:aws:s3:::BUCKET/KEY), but "{value}" is the bucket itself and the statement lists no object ARN: {consequence}. Add "{objects}" (keep the bucket ARN for the bucket actions).',
      },
      bucketActions: {
        summary: '{actions} {verb} on the bucket, but this ARN names objects: {short}.',
        detail:
          '{names} {verb} on the bucket (arn:aws:s3:::BUCKET), but "{value}" names objects and the statement lists no bucket ARN: {consequence}. Add "{bucket}".',
      },
      otherResourceTypes: {
        summary: '{action} does not act on a bucket or its objects: {short}.',
        detail:
          "It applies to {types} resources, so it matches none of the statement's resources: {consequence}. Move it to a statement or policy for those resources.",
      },
      noResourceType: {
        summary: '{action} does not act on a bucket or its objects: {short}.',
        detail:
          'It only supports "Resource": "*", so it matches none of the statement\'s resources: {consequence}. Move it to a statement or policy for those resources.',
      },
    },
  },
  ...perStatement(checkStatement),
};
