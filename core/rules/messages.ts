// A rule's messages live in its meta (meta.messages), as templates with `{name}` placeholders; a
// report names one by ID and gives the values. This fills them in.
import type { RuleMeta } from './types';

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fill `{name}` placeholders; a placeholder without a value is a bug in the rule (it throws, and the analysis logs the rule as failed). */
export function fillTemplate(template: string, data: Readonly<Record<string, string | number>> = {}, where = 'message'): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = data[name];
    if (v === undefined) throw new Error(`${where}: no value for {${name}}`);
    return String(v);
  });
}

/** The summary and detail of one of the rule's messages, filled in. */
export function renderMessage(
  meta: RuleMeta,
  messageId: string,
  data?: Readonly<Record<string, string | number>>,
): { message: string; detail?: string } {
  const m = meta.messages?.[messageId];
  if (!m) throw new Error(`${meta.id} has no message "${messageId}"`);
  const where = `${meta.id}/${messageId}`;
  const message = fillTemplate(m.summary, data, where);
  const detail = m.detail === undefined ? undefined : fillTemplate(m.detail, data, where);
  return detail ? { message, detail } : { message };
}
