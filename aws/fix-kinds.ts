// What a bucket fix can change (aws/fix.ts) and which fix answers which failing check
// (aws/checks.ts): the editor's tree offers the quick-fix from this, without loading the SDK.
// No imports.

/** What a fix can change; the tree's quick-fixes name one (`fixKindsForCheck`). */
export type FixKind = 'encryption' | 'block-sse-c' | 'public-access-block' | 'key-rotation' | 'policy';

export const FIX_KINDS: readonly FixKind[] = ['encryption', 'block-sse-c', 'public-access-block', 'key-rotation', 'policy'];

/** The fixes that answer a failing check (aws/checks.ts ids); empty: none does. */
export function fixKindsForCheck(checkId: string): FixKind[] {
  switch (checkId) {
    case 'default-encryption':
    case 'bucket-key':
    case 'default-key-required':
      return ['encryption'];
    case 'https':
    case 'min-tls':
    case 'sse-enforced':
    case 'sse-required':
    case 'kms-key-required':
    case 'headerless-uploads':
      return ['policy'];
    case 'key-mismatch':
      return ['encryption', 'policy'];
    case 'public-access-block':
      return ['public-access-block'];
    case 'kms-rotation':
      return ['key-rotation'];
    default:
      return [];
  }
}
