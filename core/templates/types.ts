// Policies inside infrastructure templates (CloudFormation YAML/JSON, CDK output, Terraform).
//
// A scanner reads one template file and finds the policies and the resources around them
// (buckets' encryption settings, keys), with offsets into the template. Each policy is rendered as
// a JSON policy text that the one engine analyses exactly as it would a policy file; a source map
// turns every offset of that text back into the offset of the template value it came from, so
// findings land on the YAML scalar or HCL expression that caused them, and fixes can be written in
// the template's own syntax.
import type { Analysis } from '../analyze';
import type { BoundedCache } from '../bounded-cache';
import type { Span } from '../policy/model';
import type { Finding } from '../rules/types';

export type TemplateFormat = 'cloudformation' | 'terraform';

/** How a policy is written in its template: what a fix must be rendered as. */
export type PolicySyntax =
  | 'cfn-yaml' // a YAML mapping under PolicyDocument / KeyPolicy
  | 'cfn-json' // a JSON object under PolicyDocument / KeyPolicy (also CDK output)
  | 'cfn-json-string' // a JSON document written as one string value
  | 'hcl-jsonencode' // jsonencode({ ... }) in Terraform
  | 'hcl-heredoc' // <<EOF JSON EOF (or a quoted JSON string) in Terraform
  | 'hcl-policy-document'; // data "aws_iam_policy_document" statement blocks

/**
 * A value the template does not fix: a parameter without a default, an import, a data source, an
 * attribute of a resource whose name is not literal. In the rendered JSON it appears as
 * `placeholder(name)`; the engine treats it as "some value": never a reason to say "enforced",
 * never the only reason to say "not enforced".
 */
export interface Unresolved {
  /** What the template says, as the user would read it: `BucketName`, `var.bucket`, `data.aws_caller_identity.me.account_id`. */
  name: string;
  /** Where it is in the template. */
  span: Span;
  /**
   * True when it stands for one value the template or the stack creates (a bucket's generated name, a
   * key's ARN, the stack's account or Region): equal to itself wherever it appears, different from
   * every literal. False or absent for values that could be anything (a parameter without a default,
   * an import, a data source): a verdict that rests on one says so (TemplateEntry.dependsOn).
   */
  symbolic?: boolean;
  /**
   * The type of the resource whose attribute the value is (`AWS::KMS::Key` for `!GetAtt Key.Arn`),
   * when the name does not say it (Terraform names do: `aws_kms_key.data.arn`). It tells what the
   * value looks like (a key ARN, a role ARN), so that the engine reads a value of that shape.
   */
  resourceType?: string;
}

/** Begins and ends the stand-in for an unresolved value inside a rendered policy string. */
export const PLACEHOLDER_OPEN = '${?';
export const PLACEHOLDER_CLOSE = '}';

/** The stand-in for an unresolved value inside the rendered JSON policy: `${?BucketName}`. */
export function placeholder(name: string): string {
  return PLACEHOLDER_OPEN + name.replace(/[{}"\\]/g, '_') + PLACEHOLDER_CLOSE;
}

/** An edit of the template: replace [offset, offset+length) with newText. */
export interface TemplateEdit {
  span: Span;
  newText: string;
}

/** One policy found in a template. */
export interface EmbeddedPolicy {
  kind: 'bucket-policy' | 'key-policy';
  /** Where it is, as CLI output names it: `Resources.DataBucketPolicy.Properties.PolicyDocument`, `aws_s3_bucket_policy.data`, `data.aws_iam_policy_document.data`. */
  location: string;
  /** The whole policy value in the template (CodeLens, Explain, "policy under the cursor"). */
  span: Span;
  syntax: PolicySyntax;
  /** The policy rendered as JSON text: what the engine analyses. */
  json: string;
  /**
   * The template span of the value that produced json[offset, offset+length): the smallest
   * enclosing value that has one (a string, a key, a statement, the whole policy). Never 0:0
   * unless the policy itself starts there.
   */
  toTemplate(span: Span): Span;
  /**
   * An edit of `json` (a rule's fix) as an edit of the template in its own syntax and indentation,
   * or undefined when it cannot be written there (the fix is then not offered).
   */
  translateEdit(edit: { span: Span; newText: string }): TemplateEdit | undefined;
  /** The bucket the policy is attached to, when the template says it (literal or resolved). */
  bucketName?: string;
  /** The key's ARN for a key policy, when known. */
  keyArn?: string;
  /** The logical name of the resource it is attached to (`DataBucket`, `aws_s3_bucket.data`), for cross-resource checks. */
  attachedTo?: string;
  /** Values that could not be resolved, as they appear (placeholders) in `json`. */
  unresolved: Unresolved[];
}

/** A bucket resource's own encryption settings. */
export interface TemplateBucket {
  /** `Resources.DataBucket`, `aws_s3_bucket.data`. */
  location: string;
  /** The logical name that policies and encryption settings refer to. */
  logicalId: string;
  span: Span;
  bucketName?: string;
  encryption?: {
    /** Where the encryption settings are (Terraform: the separate resource). */
    location: string;
    span: Span;
    /** `AES256`, `aws:kms`, `aws:kms:dsse`, or a placeholder. */
    sseAlgorithm?: { value: string; span: Span };
    kmsMasterKeyId?: { value: string; span: Span };
    bucketKeyEnabled?: { value: boolean; span: Span };
    blockedEncryptionTypes?: { value: string[]; span: Span };
  };
  publicAccessBlock?: {
    location: string;
    span: Span;
    blockPublicAcls?: boolean;
    ignorePublicAcls?: boolean;
    blockPublicPolicy?: boolean;
    restrictPublicBuckets?: boolean;
  };
}

/** A KMS key resource. */
export interface TemplateKey {
  location: string;
  logicalId: string;
  span: Span;
  keyArn?: string;
  enableKeyRotation?: { value: boolean; span: Span };
  keySpec?: { value: string; span: Span };
  /** Its key policy, also listed in TemplateScan.policies. */
  policyLocation?: string;
}

/** What a scanner found in one template file. */
export interface TemplateScan {
  format: TemplateFormat;
  policies: EmbeddedPolicy[];
  buckets: TemplateBucket[];
  keys: TemplateKey[];
  /** The template's own syntax errors (YAML, HCL), reported once, in template offsets. */
  errors: { span: Span; message: string }[];
  /** Set when the file was not scanned (too large, too deep, not a template after all): why, in one phrase. */
  notScanned?: string;
}

/**
 * Parsed parts of one template (a resource, a top-level block) by their text, kept across its
 * versions: a keystroke re-parses the part it is in. What a part holds is the scanner's own.
 */
export type PartCache = BoundedCache<string, unknown>;

/** A scanner for one template format. */
export interface TemplateScanner {
  format: TemplateFormat;
  /** Cheap test on the file name and the first bytes: is this file ours to scan? Must not parse the whole file. */
  claims(fileName: string, text: string): boolean;
  /** Scans; never throws on bad input (errors go in the result). Bounded in time and memory. */
  scan(text: string, fileName: string, parts?: PartCache): TemplateScan;
}

/** One entry of a template's analysis: a policy (analysed by the engine) or a bucket's settings. */
export interface TemplateEntry {
  kind: 'bucket-policy' | 'key-policy' | 'bucket-settings' | 'key-settings';
  location: string;
  span: Span;
  /** For policies: the engine's analysis of `policy.json` (verdicts, kind), spans in JSON offsets. */
  analysis?: Analysis;
  policy?: EmbeddedPolicy;
  /** Findings in template offsets, with fixes translated to the template's syntax. */
  findings: Finding[];
  /**
   * Names of values the template does not fix (parameters without a default, imports) that the
   * verdict rests on: it was decided as if each were a value of its own, and is marked incomplete.
   */
  dependsOn?: string[];
}

/** The analysis of one template file. */
export interface TemplateAnalysis {
  format: TemplateFormat;
  entries: TemplateEntry[];
  /** Syntax errors and limits of the template itself, in template offsets. */
  findings: Finding[];
}
