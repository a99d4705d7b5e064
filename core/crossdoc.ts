// Cross-document check: a bucket policy that pins a KMS key, checked against that key's policy when
// the workspace (editor) or the command line (CLI) has it. Shared by the server and the CLI; no
// vscode or LSP imports.
//
// How a key-policy file is linked to its key ARN, first match wins:
//   1. an explicit map, key ARN → file (setting s3EncryptionGuard.keyPolicies, CLI --key-policy ARN=FILE);
//   2. the key policy names the key's ARN in a Resource element;
//   3. the file name contains the key ID: `<key-id>.key-policy.json` (e.g. 1234abcd-12ab-34cd-56ef-1234567890ab.key-policy.json,
//      or app-data.1234abcd-….key-policy.json).
import path from 'node:path';
import type { Analysis, AnalysisSettings } from './analyze';
import { crossCheck, type CrossCheck, type KeyUseResult } from './engine/cross-check';
import { parseKeyArn } from './policy/arn';
import { detectKind } from './policy/kind';
import type { PolicyDocument, Span } from './policy/model';
import { parsePolicy } from './policy/parse';
import type { Finding, Severity } from './rules/types';
import { BoundedCache } from './bounded-cache';
import { shortKeyArn } from '../shared/wording';
import { clip } from '../shared/escape';
import { statementLabel } from './rules/labels';

/** The ID part of a key ARN (`key/ID`), lower-cased. */
export const keyIdOf = (arn: string): string | undefined => parseKeyArn(arn)?.id.toLowerCase();

interface IndexedKeyPolicy {
  path: string;
  /** The text; parsed again when a bucket policy needs it (a parsed model is up to MODEL_BYTES_PER_CHAR × its length). */
  text: string;
  /** Key ARNs its Resource elements name. */
  arns: string[];
}

/**
 * Heap a parsed policy model (or an analysis) retains per character of its text, measured with
 * --expose-gc over realistic bucket and key policies (33–70 bytes) and hostile shapes such as an
 * array of 400,000 numbers (86–91 bytes); rounded up so that budgets based on it hold.
 */
export const MODEL_BYTES_PER_CHAR = 100;
/** A string's characters may take two bytes each. */
const textBytes = (text: string): number => 2 * text.length;

export interface KeyPolicyIndexLimits {
  /** Sum of the indexed texts (default 64 MB; the language server sets less). */
  maxTextBytes?: number;
  /** Parsed models kept for the bucket policies being checked, by estimated size (default 16 MB). */
  maxParsedBytes?: number;
}

export interface LinkedKeyPolicy {
  path: string;
  doc: PolicyDocument;
  /** Why this file is the key's policy, in a few words. */
  how: string;
}

/** Largest key-policy file indexed (AWS's limit is 32 KB). */
export const MAX_KEY_POLICY_SIZE = 256 * 1024;

/** The key policies a workspace or a CLI run knows, by path; and the explicit ARN → file map. */
export class KeyPolicyIndex {
  private readonly files = new Map<string, IndexedKeyPolicy>();
  private readonly parsed: BoundedCache<string, { text: string; doc: PolicyDocument }>;
  private explicit = new Map<string, string>();
  private indexedBytes = 0;
  private readonly maxTextBytes: number;
  /** Key policies left out because the index was full (the caller may say so once). */
  refusedForSize = 0;

  constructor(limits: KeyPolicyIndexLimits = {}) {
    this.maxTextBytes = limits.maxTextBytes ?? 64 * 1024 * 1024;
    this.parsed = new BoundedCache({ maxBytes: limits.maxParsedBytes ?? 16 * 1024 * 1024 });
  }

  /** Record (or forget, when it is not a key policy) a file's current text. Returns whether the index changed. */
  set(filePath: string, text: string): boolean {
    if (this.files.get(filePath)?.text === text) return false;
    if (text.length > MAX_KEY_POLICY_SIZE) return this.delete(filePath);
    const doc = parsePolicy(text);
    return detectKind({ filePath, doc }).kind === 'key-policy' ? this.setParsed(filePath, doc) : this.delete(filePath);
  }

  /** Record a key policy the caller has already parsed (and taken for a key policy). Returns whether the index changed. */
  setParsed(filePath: string, doc: PolicyDocument): boolean {
    const text = doc.text;
    if (this.files.get(filePath)?.text === text) return false;
    if (text.length > MAX_KEY_POLICY_SIZE) return this.delete(filePath);
    const had = this.delete(filePath);
    if (this.indexedBytes + textBytes(text) > this.maxTextBytes) {
      this.refusedForSize++;
      return had;
    }
    const arns: string[] = [];
    for (const st of doc.statements) {
      for (const i of st.resource?.items ?? [])
        if (typeof i.value === 'string' && keyIdOf(i.value) && !arns.includes(i.value)) arns.push(i.value);
    }
    this.files.set(filePath, { path: filePath, text, arns });
    this.indexedBytes += textBytes(text);
    // The caller's model is not kept: documents being edited would pile up here (memory).
    return true;
  }

  /** The parsed model of an indexed file (a few parsed ones are kept, by size). */
  private docOf(f: IndexedKeyPolicy): PolicyDocument {
    const hit = this.parsed.get(f.path);
    if (hit && hit.text === f.text) return hit.doc;
    const doc = parsePolicy(f.text);
    this.parsed.set(f.path, { text: f.text, doc }, MODEL_BYTES_PER_CHAR * f.text.length);
    return doc;
  }

  delete(filePath: string): boolean {
    this.parsed.delete(filePath);
    const f = this.files.get(filePath);
    if (!f) return false;
    this.indexedBytes -= textBytes(f.text);
    return this.files.delete(filePath);
  }

  /** The explicit map (absolute paths). */
  setExplicit(map: ReadonlyMap<string, string>): void {
    this.explicit = new Map(map);
  }

  get size(): number {
    return this.files.size;
  }

  /** Estimated heap the index retains: the texts and the parsed models kept. */
  get bytes(): number {
    return this.indexedBytes + this.parsed.bytes;
  }

  /** Is this file indexed as a key policy? */
  has(filePath: string): boolean {
    return this.files.has(filePath);
  }

  /** Which indexed file is the key policy of `keyArn`, and why; nothing is parsed (`explicit` overrides the index's own map). */
  resolve(keyArn: string, explicit: ReadonlyMap<string, string> = this.explicit): { path: string; how: string } | undefined {
    const mapped = explicit.get(keyArn);
    if (mapped && this.files.has(mapped)) return { path: mapped, how: 'named in s3EncryptionGuard.keyPolicies' };
    for (const f of this.files.values())
      if (f.arns.includes(keyArn)) return { path: f.path, how: 'its Resource names the key ARN' };
    const id = keyIdOf(keyArn);
    if (id) {
      for (const f of this.files.values()) {
        if (path.basename(f.path).toLowerCase().includes(id)) return { path: f.path, how: 'its file name has the key ID' };
      }
    }
    return undefined;
  }

  /** The key policy of `keyArn`, if one is known (`explicit` overrides the index's own map). */
  find(keyArn: string, explicit: ReadonlyMap<string, string> = this.explicit): LinkedKeyPolicy | undefined {
    const r = this.resolve(keyArn, explicit);
    const f = r && this.files.get(r.path);
    return r && f ? { ...r, doc: this.docOf(f) } : undefined;
  }
}

/** One pinned key of a bucket policy, with its key policy when linked. */
export interface KeyLink {
  bucket: string;
  keyArn: string;
  /** Where the bucket policy names the key. */
  span: Span;
  keyPolicy?: { path: string; how: string };
  check?: CrossCheck;
}

export interface CrossDocument {
  links: KeyLink[];
  findings: Finding[];
}

/** Pinned keys checked per bucket policy: each costs a key-policy lookup and a check; real policies pin one or two. */
const MAX_PINNED_KEYS = 100;

/** The key ARNs a bucket verdict pins (exact ARNs only; patterns pin no single key). */
function pinnedKeys(analysis: Analysis): { bucket: string; keyArn: string }[] {
  const out: { bucket: string; keyArn: string }[] = [];
  for (const v of analysis.verdicts ?? []) {
    for (const u of v.encryption?.uploads ?? []) {
      if (!u.kmsKey || u.kmsKey === 'other' || !keyIdOf(u.kmsKey)) continue;
      if (!out.some(o => o.bucket === v.bucket && o.keyArn === u.kmsKey)) out.push({ bucket: v.bucket, keyArn: u.kmsKey });
      if (out.length >= MAX_PINNED_KEYS) return out;
    }
  }
  return out;
}

function findingFor(link: KeyLink, r: KeyUseResult, file: string, statementLabel: (i: number) => string): Finding | undefined {
  if (r.withoutBucketKey && r.withBucketKey) return undefined;
  const acts = r.role === 'writer' ? 'Uploads' : 'Downloads';
  // The summary names who (clipped); the detail says which statement allows them, where, and the fix.
  const who = `${acts} by ${clip(r.label, 48)}`;
  const allowedBy = r.statement !== undefined ? ` (the bucket policy allows them in ${statementLabel(r.statement)})` : '';
  const via = link.check!.viaService;
  if (!r.withoutBucketKey && !r.withBucketKey) {
    const crossAccount = r.principal.kind === 'aws' && link.keyArn.split(':')[4] !== r.principal.account;
    return {
      ruleId: 'KMS-005',
      severity: 'warning',
      span: link.span,
      message: `${who} fail: the key policy does not allow ${r.action} through S3.`,
      detail:
        `${acts} by ${r.label}${allowedBy} get AccessDenied: the key policy ${file} does not allow ${r.action} through ${via} to them. ` +
        `Allow ${r.action}${r.role === 'writer' ? ' and kms:Decrypt (multipart uploads)' : ''} to them in the key policy with "kms:ViaService": "${via}"` +
        `${crossAccount ? '; cross-account use also needs an IAM policy in its own account' : ''}.`,
      fixes: [],
    };
  }
  const works = r.withBucketKey ? 'with' : 'without';
  const fails = r.withBucketKey ? 'without' : 'with';
  return {
    ruleId: 'KMS-007',
    severity: 'warning',
    span: link.span,
    message: `${who} work only ${works} S3 Bucket Keys: the key policy's encryption context misses one ARN.`,
    detail:
      `${acts} by ${r.label}${allowedBy} work only ${works} S3 Bucket Keys: the kms:EncryptionContext:aws:s3:arn condition in the key policy ${file} ` +
      `does not match the ${r.withBucketKey ? 'object' : 'bucket'} ARN that S3 sends ${fails} them. List both "arn:aws:s3:::${link.bucket}" and "arn:aws:s3:::${link.bucket}/*" there.`,
    fixes: [],
  };
}

/**
 * Links of a bucket policy's pinned keys to their key policies, and the findings of the check,
 * with the user's rule severities applied. `relative` shortens paths in messages.
 */
export function crossDocument(
  analysis: Analysis,
  index: KeyPolicyIndex,
  settings: Pick<AnalysisSettings, 'rules'> = {},
  relative: (p: string) => string = p => p,
  explicit?: ReadonlyMap<string, string>,
): CrossDocument {
  const doc = analysis.doc;
  if (analysis.kind.kind !== 'bucket-policy' || !doc) return { links: [], findings: [] };
  const links: KeyLink[] = [];
  const findings: Finding[] = [];
  // `i` is the statement's position in the Statement array, which is not its place in
  // doc.statements when a non-object element (a typo, a half-typed value) comes before it.
  const labelOf = (i: number) => {
    const st = doc.statements.find(s => s.index === i);
    return st ? statementLabel(st) : `statement ${i + 1}`;
  };
  for (const { bucket, keyArn } of pinnedKeys(analysis)) {
    const at = doc.text.indexOf(JSON.stringify(keyArn));
    const span: Span =
      at >= 0 ? { offset: at, length: JSON.stringify(keyArn).length } : { offset: doc.root?.offset ?? 0, length: 1 };
    const linked = index.find(keyArn, explicit);
    const link: KeyLink = { bucket, keyArn, span };
    if (linked) {
      link.keyPolicy = { path: linked.path, how: linked.how };
      try {
        link.check = crossCheck(doc, bucket, keyArn, linked.doc);
      } catch {
        link.check = undefined;
      }
      for (const r of link.check?.results ?? []) {
        const f = findingFor(link, r, relative(linked.path), labelOf);
        if (!f) continue;
        const s = settings.rules?.[f.ruleId];
        if (s === 'off') continue;
        findings.push(s ? { ...f, severity: s as Severity } : f);
      }
    }
    links.push(link);
  }
  return { links, findings };
}

/** One line for a link's CodeLens: `Key policy: file · writers ✓ · readers ✗`. */
export function linkSummary(link: KeyLink, relative: (p: string) => string = p => p): string {
  if (!link.keyPolicy)
    return `Key ${shortKeyArn(link.keyArn)}: no key policy in the workspace (name it <key-id>.key-policy.json or map it in s3EncryptionGuard.keyPolicies)`;
  const results = link.check?.results ?? [];
  const mark = (role: 'writer' | 'reader') => {
    const rs = results.filter(r => r.role === role);
    const failing = rs.filter(r => !(r.withoutBucketKey && r.withBucketKey)).length;
    return failing === 0 ? '✓' : `✗ ${failing} of ${rs.length}`;
  };
  return `Key policy: ${relative(link.keyPolicy.path)} · writers ${mark('writer')} · readers ${mark('reader')}`;
}
