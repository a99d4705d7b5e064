// Names and messages from buckets, keys, policies and endpoints on their way into the editor's UI.
// Three kinds of place, three treatments:
// - Markdown (tooltips): escapeMarkdown / markdownCode on each value (posture-model.ts, and the
//   status-bar tooltip below), in a MarkdownString that is not trusted and renders no HTML.
// - Plain text that VS Code shows as it is (tree labels and descriptions, view messages, editor
//   titles): plainLine, so a value stays on one line, its controls visible, clipped.
// - Plain text in which VS Code still reads a little syntax: `$(name)` renders a theme icon in the
//   status bar, quick picks and status-bar messages; `[label](command:…)` renders a link in a
//   notification. A value goes in through iconSafe or messageValue there.
// No vscode imports: the tests use these directly.
import { escapeMarkdown, plainLine } from '../../shared/escape';
import { marksText } from '../../aws/checks';
import type { CheckStatus } from '../../aws/types';
import type { PostureNode } from './posture-model';

// VS Code's theme-icon syntax: `$(name)` or `$(name~modifier)`; a backslash before it shows it as text.
const ICON = /\$\(([A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?)\)/g;

/** A value where `$(name)` would render an icon (status bar, quick pick items, status-bar messages). */
export function iconSafe(text: string, max?: number): string {
  return plainLine(text, max).replace(ICON, (_, name: string) => `\\$(${name})`);
}

/**
 * A value inside a notification (showInformationMessage…): one line, clipped, and no
 * `[label](target)`, which a notification renders as a link (commands included).
 */
export function messageValue(text: string, max = 200): string {
  return plainLine(text, max).replace(/\]\(/g, '] (');
}

/** What the tree shows for a node: plain text, one line each. */
export function treeItemText(n: Pick<PostureNode, 'label' | 'description' | 'status'>): {
  label: string;
  description?: string;
  accessibility: string;
} {
  const label = plainLine(n.label, 120);
  const description = n.description === undefined ? undefined : plainLine(n.description, 200);
  const state = { pass: 'passes', warn: 'warning', fail: 'fails', info: '' }[n.status];
  return { label, description, accessibility: `${label}${description ? `: ${description}` : ''}${state ? ` (${state})` : ''}` };
}

/**
 * The status-bar item's text after its icon, a few words wide (issue 11, item 8): one mark per
 * check of the verdict, `S3: ✓ HTTPS ⚠ SSE ✓ TLS` or `KMS: ✓ Admins ✓ Own accounts ✓ S3`, and how
 * many more buckets the policy names. Our words only: the names and ARNs of the verdict stay in the
 * tooltip (verdictTooltip), with the whole summary.
 */
export function verdictStatusText(
  kind: 'bucket-policy' | 'key-policy',
  marks: readonly { label: string; status: CheckStatus }[],
  buckets = 1,
): string {
  return `${kind === 'key-policy' ? 'KMS' : 'S3'}: ${marksText(marks)}${buckets > 1 ? ` (+${buckets - 1} buckets)` : ''}`;
}

const TOOLTIP_LINES = 20;

/** The status-bar item's Markdown tooltip: each verdict line (bucket names, key ARNs from the policy) escaped, at most 20. */
export function verdictTooltip(kind: 'bucket-policy' | 'key-policy', summary: readonly string[]): string {
  const lines = summary.slice(0, TOOLTIP_LINES).map(s => `- ${escapeMarkdown(s)}`);
  if (summary.length > TOOLTIP_LINES) lines.push(`- … and ${summary.length - TOOLTIP_LINES} more buckets`);
  return `**${kind === 'key-policy' ? 'Key policy' : 'Bucket policy'} verdict**\n\n${lines.join('\n')}\n\nClick for the Explain Enforcement report.`;
}
