// JSON text as rules write it into messages and fixes.
import type { Span } from '../policy/model';

/** JSON text for a string value, as it would be written in the policy. */
export const jsonString = (s: string): string => JSON.stringify(s);

/** `"a"` or `["a", "b"]`: one value stays a string, as AWS's own examples write it. */
export const jsonStringOrList = (values: readonly string[]): string =>
  values.length === 1 ? jsonString(values[0]) : `[${values.map(jsonString).join(', ')}]`;

/** The text a span covers. */
export const spanText = (text: string, span: Span): string => text.slice(span.offset, span.offset + span.length);
