// Checks across the resources of one template: the template rules (core/templates/rules) run on
// what the scanner found and what the engine decided about each policy. Format-independent:
// Terraform modules get the same checks. No vscode or LSP imports.
import type { AnalysisSettings } from '../analyze';
import { renderMessage } from '../rules/messages';
import type { Finding, RuleMeta } from '../rules/types';
import { TEMPLATE_RULES } from './rules/registry';
import type { EngineView, SettingsTarget, TemplateRuleContext } from './rules/types';
import { display } from './rules/types';
import type { TemplateBucket, TemplateEntry, TemplateKey, TemplateScan } from './types';

/** `${DataKey.Arn}` / `${DataKey}` → `DataKey`. */
function logicalIdIn(value: string): string | undefined {
  const m = /^\$\{([A-Za-z0-9_.:\-]+?)(\.Arn|\.KeyId)?\}$/.exec(value.trim());
  return m?.[1];
}

/** The settings entries with the template rules' findings, one per bucket or key that has any. */
export function crossResourceFindings(
  scan: TemplateScan,
  entries: readonly TemplateEntry[],
  settings: AnalysisSettings,
  engine: { text: string; engineOf(entry: TemplateEntry): EngineView | undefined; displayName(text: string): string },
): TemplateEntry[] {
  const policies = entries.filter(e => e.policy);
  const out = new Map<string, TemplateEntry>();
  const entryFor = (t: SettingsTarget): TemplateEntry => {
    const r = t.kind === 'bucket-settings' ? t.bucket : t.key;
    let e = out.get(r.location);
    if (!e) {
      e = { kind: t.kind, location: r.location, span: r.span, findings: [] };
      out.set(r.location, e);
    }
    return e;
  };
  const keyNamed = (value: string): TemplateKey | undefined => {
    const shown = display(value);
    const id = logicalIdIn(shown);
    if (id) return scan.keys.find(k => k.logicalId === id);
    return scan.keys.find(k => k.keyArn !== undefined && display(k.keyArn) === shown);
  };
  const seen = new Set<string>();
  for (const rule of TEMPLATE_RULES) {
    const setting = settings.rules?.[rule.meta.id];
    if (setting === 'off') continue;
    const ctx: TemplateRuleContext = {
      text: engine.text,
      scan,
      policies,
      policiesOf: (b: TemplateBucket) =>
        policies.filter(
          p =>
            p.kind === 'bucket-policy' &&
            (p.policy?.attachedTo === b.logicalId || (b.bucketName !== undefined && p.policy?.bucketName === b.bucketName)),
        ),
      keyPolicyOf: (k: TemplateKey) =>
        policies.find(p => p.kind === 'key-policy' && (p.policy?.attachedTo === k.logicalId || p.location === k.policyLocation)),
      keyNamed,
      engineOf: engine.engineOf,
      displayName: engine.displayName,
      report: r => {
        const text = renderMessage(rule.meta as unknown as RuleMeta, r.messageId, r.data);
        const f: Finding = {
          ruleId: rule.meta.id,
          severity: setting ?? r.severity ?? rule.meta.severity,
          span: r.span,
          messageId: r.messageId,
          ...text,
          fixes: r.fixes ?? [],
        };
        // One finding per rule, place and message: several policies of one bucket agree.
        const key = `${f.ruleId}\0${f.span.offset}\0${f.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        entryFor(r.target).findings.push(f);
      },
    };
    rule.check(ctx);
  }
  for (const e of out.values()) e.findings.sort((a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId));
  return [...out.values()];
}
