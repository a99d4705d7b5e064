// The object ARNs of the request classes: for each Resource pattern that can name the bucket's
// objects, a key it matches and one it does not.
import { parseArn } from '../../policy/arn';
import { hasWildcard, matchesWildcard, compileWildcard, type WildcardMatcher } from '../../policy/wildcard';
import { hasVariableSyntax as hasVariable } from '../../policy/variables';
import { BoundedCache, stringBytes } from '../../bounded-cache';
import { OBJECT_KEY_INSTANCE } from './context-keys';
import { instantiate, instantiateVariablesOnly } from './instances';

/** A Resource pattern split once into what objectResources asks of it for every bucket. */
interface ObjectPattern {
  /** Service `s3`, empty region and account: the pattern can name S3 objects at all. */
  readonly s3: boolean;
  readonly partition: WildcardMatcher;
  /** The bucket part before the first `/` of the resource, or undefined when the resource has no `/`. */
  readonly bucket: WildcardMatcher | undefined;
  /** The key part after that `/`, or the whole resource when it has none. */
  readonly rest: string;
  readonly whole: WildcardMatcher;
}

/** Parsed once per pattern text: a document's patterns are asked about each of its buckets. */
const objectPatternCache = new BoundedCache<string, ObjectPattern | null>({
  maxBytes: 2 * 1024 * 1024,
  sizeOf: k => 4 * stringBytes(k),
});

function objectPattern(pattern: string): ObjectPattern | null {
  const hit = objectPatternCache.get(pattern);
  if (hit !== undefined) return hit;
  let parsed: ObjectPattern | null = null;
  const arn = parseArn(pattern);
  if (arn) {
    const slash = arn.resource.indexOf('/');
    parsed = {
      s3: matchesWildcard('s3', arn.service) && matchesWildcard('', arn.region) && matchesWildcard('', arn.account),
      partition: compileWildcard(arn.partition),
      bucket: slash >= 0 ? compileWildcard(arn.resource.slice(0, slash)) : undefined,
      rest: slash >= 0 ? arn.resource.slice(slash + 1) : arn.resource,
      whole: compileWildcard(pattern),
    };
  }
  objectPatternCache.set(pattern, parsed);
  return parsed;
}

/**
 * Object ARNs of the bucket: for each object pattern that can cover the bucket's objects, a key that
 * matches it and (when one exists) a key that does not; `bucket/example` when the policy has no
 * object pattern.
 */
export function objectResources(
  patterns: readonly string[],
  partition: string,
  bucket: string,
  variable: (key: string) => string,
): string[] {
  const prefix = `arn:${partition}:s3:::${bucket}/`;
  const seen = new Set<string>();
  const matching: string[] = [];
  const others: string[] = [];
  const add = (list: string[], key: string) => {
    const arn = prefix + key;
    if (!seen.has(arn)) {
      seen.add(arn);
      list.push(arn);
    }
  };
  for (const raw of patterns) {
    const pattern = hasVariable(raw) ? instantiateVariablesOnly(raw, variable) : raw;
    const parsed = objectPattern(pattern);
    if (!parsed || !parsed.s3 || !parsed.partition.test(partition)) continue;
    let keyPattern: string;
    if (parsed.bucket) {
      if (!parsed.bucket.test(bucket)) continue;
      keyPattern = parsed.rest;
    } else if (hasWildcard(parsed.rest) && matchesWildcard(`${bucket}/${OBJECT_KEY_INSTANCE}`, parsed.rest)) keyPattern = '*';
    else continue;
    add(matching, instantiate(keyPattern));
    const miss = ['other', 'x', 'other/x', `${instantiate(keyPattern)}-other`, 'zzz'].find(k => !parsed.whole.test(prefix + k));
    if (miss !== undefined) add(others, miss);
  }
  const out = [...matching, ...others];
  return out.length ? out : [prefix + OBJECT_KEY_INSTANCE];
}
