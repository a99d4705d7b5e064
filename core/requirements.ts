// What a bucket policy must enforce (docs/design/engine.md#requirements): the user's choice, from the editor setting
// `s3EncryptionGuard.requirements` or the CLI's `.s3-encryption-guard.json`. One schema for both,
// validated here with messages that name the field and the allowed values.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { safeReadTextSync } from '../shared/safe-read';

export type { Requirements, SseAlgorithm, TlsVersion } from '../shared/types';
import type { Requirements, SseAlgorithm, TlsVersion } from '../shared/types';
import { closest } from './rules/labels';

export const DEFAULT_REQUIREMENTS: Readonly<Requirements> = Object.freeze({
  https: true,
  minTlsVersion: null,
  sse: [],
  kmsKeyArns: [],
  headerlessUploads: 'allow',
});

const TLS_VERSIONS: readonly TlsVersion[] = ['1.0', '1.1', '1.2', '1.3'];
const SSE_ALGORITHMS: readonly SseAlgorithm[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
const FIELDS = ['https', 'minTlsVersion', 'sse', 'kmsKeyArns', 'headerlessUploads'] as const;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The JSON schema of the requirements object (package.json's setting and the config file use it). */
export const REQUIREMENTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    https: {
      type: 'boolean',
      default: true,
      description:
        'Every request over HTTP must be explicitly denied (a Deny on aws:SecureTransport false for the bucket and its objects).',
    },
    minTlsVersion: {
      type: ['string', 'null'],
      enum: [...TLS_VERSIONS, null],
      default: null,
      description: 'HTTPS requests below this TLS version must be denied (s3:TlsVersion). null: no requirement.',
    },
    sse: {
      type: 'array',
      items: { enum: [...SSE_ALGORITHMS] },
      uniqueItems: true,
      default: [],
      description:
        'Uploads that name any other server-side encryption must be denied. Empty: no requirement (default encryption still applies).',
    },
    kmsKeyArns: {
      type: 'array',
      items: { type: 'string', pattern: KEY_ARN.source },
      uniqueItems: true,
      default: [],
      description: 'SSE-KMS uploads that name any other KMS key must be denied (key ARNs, not aliases).',
    },
    headerlessUploads: {
      enum: ['allow', 'deny'],
      default: 'allow',
      description:
        '"allow": uploads without an encryption header are fine (S3 applies the bucket\'s default encryption). "deny": they must be denied.',
    },
  },
} as const;

export class RequirementsError extends Error {
  constructor(
    readonly problems: string[],
    readonly source: string,
  ) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'RequirementsError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validate a requirements object; defaults fill what it leaves out. Returns the requirements and
 * every problem found (a problem leaves that field at its default, so one typo costs one field).
 */
export function validateRequirements(raw: unknown): { requirements: Requirements; problems: string[] } {
  const problems: string[] = [];
  const out: Requirements = { ...DEFAULT_REQUIREMENTS, sse: [], kmsKeyArns: [] };
  if (raw === undefined || raw === null) return { requirements: out, problems };
  if (!isRecord(raw))
    return {
      requirements: out,
      problems: [`requirements must be an object such as {"https": true, "sse": ["aws:kms"]}, not ${JSON.stringify(raw)}`],
    };
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'https':
        if (typeof v === 'boolean') out.https = v;
        else problems.push(`"https" must be true or false, not ${JSON.stringify(v)}`);
        break;
      case 'minTlsVersion': {
        const s = typeof v === 'number' ? v.toFixed(1) : v;
        if (s === null || TLS_VERSIONS.includes(s as TlsVersion)) out.minTlsVersion = s as TlsVersion | null;
        else problems.push(`"minTlsVersion" must be one of "1.0", "1.1", "1.2", "1.3" or null, not ${JSON.stringify(v)}`);
        break;
      }
      case 'sse': {
        const list = typeof v === 'string' ? [v] : v;
        if (!Array.isArray(list)) {
          problems.push(`"sse" must be a list such as ["aws:kms"], not ${JSON.stringify(v)}`);
          break;
        }
        for (const a of list) {
          if (SSE_ALGORITHMS.includes(a as SseAlgorithm)) {
            if (!out.sse.includes(a as SseAlgorithm)) out.sse.push(a as SseAlgorithm);
          } else {
            const guess = typeof a === 'string' ? closest(a, SSE_ALGORITHMS) : undefined;
            problems.push(
              `"sse" accepts "AES256", "aws:kms" and "aws:kms:dsse", not ${JSON.stringify(a)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
            );
          }
        }
        break;
      }
      case 'kmsKeyArns': {
        const list = typeof v === 'string' ? [v] : v;
        if (!Array.isArray(list)) {
          problems.push(`"kmsKeyArns" must be a list of key ARNs, not ${JSON.stringify(v)}`);
          break;
        }
        for (const a of list) {
          if (typeof a === 'string' && KEY_ARN.test(a)) {
            if (!out.kmsKeyArns.includes(a)) out.kmsKeyArns.push(a);
          } else
            problems.push(
              `"kmsKeyArns" needs key ARNs such as "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…" (S3 compares the ARN; aliases and bare key IDs never match), not ${JSON.stringify(a)}`,
            );
        }
        break;
      }
      case 'headerlessUploads':
        if (v === 'allow' || v === 'deny') out.headerlessUploads = v;
        else problems.push(`"headerlessUploads" must be "allow" or "deny", not ${JSON.stringify(v)}`);
        break;
      default: {
        const guess = closest(k, FIELDS);
        problems.push(`unknown requirement "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${FIELDS.join(', ')}`);
      }
    }
  }
  if (out.kmsKeyArns.length && out.sse.length && !out.sse.some(s => s !== 'AES256')) {
    problems.push(
      '"kmsKeyArns" pins KMS keys, but "sse" allows only AES256 (SSE-S3), which uses no KMS key: add "aws:kms" or "aws:kms:dsse" to "sse"',
    );
  }
  return { requirements: out, problems };
}

export const CONFIG_FILE_NAME = '.s3-encryption-guard.json';
/** Larger config files are refused unread: a real one is a few hundred bytes. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export interface ConfigFile {
  path: string;
  requirements: Requirements;
  rules: Record<string, string>;
}

/**
 * The config file from `start` upwards (the first one found), or undefined. Any entry with that name
 * counts, even a link to nothing or to a device: loading it then says why it cannot be used, rather
 * than the search silently going on to a config file further up.
 */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    let present = false;
    try {
      fs.lstatSync(candidate);
      present = true;
    } catch {
      /* not here */
    }
    if (present) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Read and validate a config file: `{ "requirements": {...}, "rules": { "GRM-016": "off" } }`. Throws RequirementsError with every problem. */
export function loadConfigFile(file: string): ConfigFile {
  // A repository can commit the config file as a link to /dev/zero or a FIFO: checked before reading.
  const read = safeReadTextSync(file, { maxBytes: MAX_CONFIG_BYTES });
  if (!read.ok) throw new RequirementsError([read.message], file);
  const text = read.text;
  const errors: ParseError[] = [];
  const raw: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    throw new RequirementsError([`invalid JSON at line ${line} (${printParseErrorCode(e.error)})`], file);
  }
  if (!isRecord(raw)) throw new RequirementsError(['must be a JSON object such as {"requirements": {"https": true}}'], file);
  const problems: string[] = [];
  for (const k of Object.keys(raw))
    if (!['$schema', 'requirements', 'rules'].includes(k))
      problems.push(`unknown top-level key "${k}" (allowed: requirements, rules)`);
  const { requirements, problems: reqProblems } = validateRequirements(raw.requirements);
  problems.push(...reqProblems);
  const rules: Record<string, string> = {};
  if (raw.rules !== undefined) {
    if (!isRecord(raw.rules)) problems.push('"rules" must be an object such as {"GRM-016": "off"}');
    else
      for (const [id, s] of Object.entries(raw.rules)) {
        if (typeof s === 'string' && ['error', 'warning', 'info', 'off'].includes(s)) rules[id.toUpperCase()] = s;
        else problems.push(`rule "${id}" must be "error", "warning", "info" or "off", not ${JSON.stringify(s)}`);
      }
  }
  if (problems.length) throw new RequirementsError(problems, file);
  return { path: file, requirements, rules };
}
