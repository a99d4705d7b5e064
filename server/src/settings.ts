// The settings the server reads, in one place, turned into the plain object the analysis takes.
import type { AnalysisSettings } from './analyze';
import { parseKeyArn } from './policy/arn';
import { validateRequirements, type Requirements } from './requirements';
import type { SeveritySetting } from './rules/types';

export interface ServerSettings extends AnalysisSettings {
  enable: boolean;
  requirements: Requirements;
  /** What was wrong with s3EncryptionGuard.requirements (those fields keep their defaults). */
  requirementProblems: string[];
  /** Key ARN → key-policy file (absolute, or relative to the workspace folder) for the cross-document check. */
  keyPolicies: Record<string, string>;
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/** Validate whatever the client sent; bad entries are dropped, never trusted. */
export function toServerSettings(raw: unknown): ServerSettings {
  const r = isRecord(raw) ? raw : {};
  const rules: Record<string, SeveritySetting> = {};
  if (isRecord(r.rules)) {
    for (const [id, s] of Object.entries(r.rules)) if (typeof s === 'string' && SEVERITIES.includes(s)) rules[id.toUpperCase()] = s as SeveritySetting;
  }
  const kinds: Record<string, string> = {};
  if (isRecord(r.kinds)) for (const [g, k] of Object.entries(r.kinds)) if (typeof k === 'string') kinds[g] = k;
  const keyPolicies: Record<string, string> = {};
  if (isRecord(r.keyPolicies)) {
    for (const [arn, file] of Object.entries(r.keyPolicies)) if (parseKeyArn(arn) && typeof file === 'string' && file.trim()) keyPolicies[arn] = file.trim();
  }
  const { requirements, problems } = validateRequirements(r.requirements);
  return {
    enable: r.enable !== false,
    requirements,
    requirementProblems: problems,
    keyPolicies,
    rules,
    kinds,
    bucketName: typeof r.bucketName === 'string' && r.bucketName.trim() ? r.bucketName.trim() : undefined,
    maxFileSize: positive(r.maxFileSize),
    maxStatements: positive(r.maxStatements),
    maxDiagnostics: positive(r.maxDiagnostics),
  };
}
