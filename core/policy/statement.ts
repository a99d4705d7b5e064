// What a statement names, read from the model alone: shared by the engine (which statements can
// decide early) and the rules (wording, fixes).
import type { Statement } from './model';
import { matchesWildcard } from './wildcard';

/** `"Principal": "*"` or `{"AWS": "*"}` (and no NotPrincipal): the statement applies to every caller. */
export const isEveryone = (st: Statement): boolean =>
  !st.notPrincipal &&
  !!st.principal &&
  (st.principal.star || st.principal.entries.some(e => e.type.value === 'AWS' && e.values.items.some(i => i.value === '*')));

/** `Action` holds `*` or `s3:*` (and there is no NotAction): no S3 action is left out. */
export const isAnyS3Action = (st: Statement): boolean =>
  !st.notAction && !!st.action?.items.some(i => typeof i.value === 'string' && /^(?:s3:)?\*+$/i.test(i.value));

/** Does Action/NotAction take in `action`? (Case-insensitive, with wildcards; EVAL-005/006.) */
export function coversAction(st: Statement, action: string): boolean {
  const list = st.action ?? st.notAction;
  if (!list) return false;
  const named = list.items.some(i => typeof i.value === 'string' && matchesWildcard(action, i.value, { ignoreCase: true }));
  return st.notAction && !st.action ? !named : named;
}

/** The values of one principal type (`AWS`, `Service`…) of a statement's Principal that are strings. */
export function principalValues(st: Statement, type: string): string[] {
  return (st.principal?.entries ?? []).flatMap(e =>
    e.type.value === type ? e.values.items.flatMap(i => (typeof i.value === 'string' ? [i.value] : [])) : [],
  );
}
