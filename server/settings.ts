// The settings the server reads, in one place, turned into the plain object the analysis takes.
import type { AnalysisSettings } from '../core/analyze';
import { parseKeyArn } from '../core/policy/arn';
import { validateRequirements, type Requirements } from '../core/requirements';
import type { SeveritySetting } from '../core/rules/types';

export interface ServerSettings extends AnalysisSettings {
  enable: boolean;
  requirements: Requirements;
  /** What was wrong with s3EncryptionGuard.requirements (those fields keep their defaults). */
  requirementProblems: string[];
  /** Key ARN → key-policy file (absolute, or relative to the workspace folder) for the cross-document check. */
  keyPolicies: Record<string, string>;
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];
/**
 * Settings come from the workspace (a cloned repository's .vscode/settings.json) and are kept per
 * open document: maps longer than this are cut (real ones have a handful of entries), and so are
 * paths and globs longer than a file system allows.
 */
const MAX_MAP_ENTRIES = 200;
const MAX_STRING = 4096;
const entriesOf = (r: Record<string, unknown>): [string, unknown][] => Object.entries(r).slice(0, MAX_MAP_ENTRIES);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/** Validate whatever the client sent; bad entries are dropped, never trusted. */
export function toServerSettings(raw: unknown): ServerSettings {
  const r = isRecord(raw) ? raw : {};
  const rules: Record<string, SeveritySetting> = {};
  if (isRecord(r.rules)) {
    for (const [id, s] of entriesOf(r.rules))
      if (typeof s === 'string' && SEVERITIES.includes(s)) rules[id.toUpperCase()] = s as SeveritySetting;
  }
  const kinds: Record<string, string> = {};
  if (isRecord(r.kinds))
    for (const [g, k] of entriesOf(r.kinds))
      if (typeof k === 'string' && g.length <= MAX_STRING && k.length <= MAX_STRING) kinds[g] = k;
  const keyPolicies: Record<string, string> = {};
  if (isRecord(r.keyPolicies)) {
    for (const [arn, file] of entriesOf(r.keyPolicies))
      if (parseKeyArn(arn) && typeof file === 'string' && file.trim() && file.length <= MAX_STRING)
        keyPolicies[arn] = file.trim();
  }
  const { requirements, problems } = validateRequirements(r.requirements);
  return {
    enable: r.enable !== false,
    requirements,
    requirementProblems: problems,
    keyPolicies,
    rules,
    kinds,
    bucketName:
      typeof r.bucketName === 'string' && r.bucketName.trim() && r.bucketName.length <= MAX_STRING
        ? r.bucketName.trim()
        : undefined,
    maxFileSize: positive(r.maxFileSize),
    maxStatements: positive(r.maxStatements),
    maxDiagnostics: positive(r.maxDiagnostics),
  };
}
