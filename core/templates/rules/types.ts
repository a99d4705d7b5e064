// Rules about a template's resources together (a bucket's default encryption against its policy, a
// key's rotation…): self-describing like the policy rules (docs are generated from the metadata),
// checked once per template on what the scanner found and the engine decided. Format-independent:
// CloudFormation and Terraform get the same checks. No vscode or LSP imports.
import type { Fix, RuleMeta, Severity } from '../../rules/types';
import type { PolicyDocument, Span } from '../../policy/model';
import type { TemplateBucket, TemplateEntry, TemplateKey, TemplateScan } from '../types';

export interface TemplateRuleMeta extends Omit<RuleMeta, 'appliesTo' | 'exampleRequirements'> {
  appliesTo: readonly ['template'];
  /** A whole CloudFormation YAML template that triggers the rule. */
  example: string;
  /** The same template, fixed. */
  useInstead: string;
}

/** The resource a finding is about: its settings entry in the analysis. */
export type SettingsTarget = { kind: 'bucket-settings'; bucket: TemplateBucket } | { kind: 'key-settings'; key: TemplateKey };

export interface TemplateRuleContext {
  /** The template's text. */
  readonly text: string;
  readonly scan: TemplateScan;
  /** The policies' entries (engine analyses in display form: placeholders read `${Name}`). */
  readonly policies: readonly TemplateEntry[];
  /** The bucket policies attached to this bucket resource. */
  policiesOf(bucket: TemplateBucket): TemplateEntry[];
  /** The entry of this key resource's key policy, if it has one. */
  keyPolicyOf(key: TemplateKey): TemplateEntry | undefined;
  /** The key resource a value (`${DataKey.Arn}`, `${DataKey}`, a literal ARN a key resource has) names, if any. */
  keyNamed(value: string): TemplateKey | undefined;
  /** The engine's own view of a policy entry (its document with stand-ins for unresolved values), for checks that run the engine again. */
  engineOf(entry: TemplateEntry): EngineView | undefined;
  /** Text from the engine (a principal's label) as people read it: stand-ins back to `${Name}`. */
  displayName(text: string): string;
  report(input: {
    target: SettingsTarget;
    span: Span;
    messageId: string;
    data?: Readonly<Record<string, string | number>>;
    severity?: Severity;
    /** Edits of the template itself (a setting's value). */
    fixes?: Fix[];
  }): void;
}

export interface EngineView {
  doc: PolicyDocument;
  /** The bucket as the engine analysed it (a stand-in when the template does not fix it). */
  bucketName: string;
  /** An ARN for a key of the stack's own account and Region, as the engine sees them. */
  stackKeyArn: string;
  stackAccount: string;
}

export interface TemplateRule {
  meta: TemplateRuleMeta;
  check(ctx: TemplateRuleContext): void;
}

/** A placeholder (`${?Name}`) as people read it (`${Name}`). */
export const display = (value: string): string => value.split('${?').join('${');
