import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CONFIG_FILE_NAME,
  DEFAULT_REQUIREMENTS,
  findConfigFile,
  loadConfigFile,
  REQUIREMENTS_SCHEMA,
  RequirementsError,
  validateRequirements,
} from '../../core/requirements';
import { ROOT } from '../helpers/paths';

describe('requirements', () => {
  it('defaults to HTTPS required and no SSE requirement (docs/design/engine.md#requirements)', () => {
    assert.deepEqual(validateRequirements(undefined), {
      requirements: { ...DEFAULT_REQUIREMENTS, sse: [], kmsKeyArns: [] },
      problems: [],
    });
    assert.equal(DEFAULT_REQUIREMENTS.https, true);
  });

  it('accepts the documented example', () => {
    const r = validateRequirements({
      https: true,
      minTlsVersion: '1.2',
      sse: ['aws:kms'],
      kmsKeyArns: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      headerlessUploads: 'allow',
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.requirements.minTlsVersion, '1.2');
    assert.deepEqual(r.requirements.sse, ['aws:kms']);
  });

  it('names the field, the value and the way out for each problem', () => {
    const r = validateRequirements({
      htps: true,
      minTlsVersion: 'TLS1.2',
      sse: ['AES-256', 'aws:kms'],
      kmsKeyArns: ['alias/my-key'],
      headerlessUploads: 'no',
    });
    assert.deepEqual(r.problems, [
      'unknown requirement "htps" (did you mean "https"?); known: https, minTlsVersion, sse, kmsKeyArns, headerlessUploads',
      '"minTlsVersion" must be one of "1.0", "1.1", "1.2", "1.3" or null, not "TLS1.2"',
      '"sse" accepts "AES256", "aws:kms" and "aws:kms:dsse", not "AES-256" (did you mean "AES256"?)',
      '"kmsKeyArns" needs key ARNs such as "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…" (S3 compares the ARN; aliases and bare key IDs never match), not "alias/my-key"',
      '"headerlessUploads" must be "allow" or "deny", not "no"',
    ]);
    // Whatever was valid is kept; the rest stays at its default.
    assert.deepEqual(r.requirements.sse, ['aws:kms']);
    assert.equal(r.requirements.minTlsVersion, null);
  });

  it('takes a number for the TLS version and a single string for a list', () => {
    const r = validateRequirements({ minTlsVersion: 1.2, sse: 'aws:kms:dsse' });
    assert.deepEqual(r.problems, []);
    assert.equal(r.requirements.minTlsVersion, '1.2');
    assert.deepEqual(r.requirements.sse, ['aws:kms:dsse']);
  });

  it('flags contradictory requirements', () => {
    const r = validateRequirements({ sse: ['AES256'], kmsKeyArns: ['arn:aws:kms:eu-west-1:111122223333:key/k1'] });
    assert.match(r.problems[0], /only AES256/);
  });

  it('is the schema package.json and schemas/config.schema.json publish', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['s3EncryptionGuard.requirements'];
    for (const k of ['type', 'additionalProperties', 'properties'] as const)
      assert.deepEqual(setting[k], JSON.parse(JSON.stringify(REQUIREMENTS_SCHEMA[k])));
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'config.schema.json'), 'utf8'));
    assert.deepEqual(config.properties.requirements, JSON.parse(JSON.stringify(REQUIREMENTS_SCHEMA)));
  });
});

describe('config file', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-config-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is found from a folder upwards', () => {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, CONFIG_FILE_NAME), '{"requirements": {"sse": ["aws:kms"]}}');
    assert.equal(findConfigFile(path.join(dir, 'a', 'b')), path.join(dir, CONFIG_FILE_NAME));
    assert.deepEqual(loadConfigFile(path.join(dir, CONFIG_FILE_NAME)).requirements.sse, ['aws:kms']);
  });

  it('reports bad JSON with its line, and every bad field, in one error', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{\n  "requirements": {\n    "https": tru\n  }\n}');
    assert.throws(
      () => loadConfigFile(bad),
      (e: unknown) => e instanceof RequirementsError && /invalid JSON at line 3/.test(e.message),
    );
    fs.writeFileSync(bad, '{"requirements": {"https": "yes"}, "rules": {"GRM-016": "silent"}, "extra": 1}');
    assert.throws(
      () => loadConfigFile(bad),
      (e: unknown) =>
        e instanceof RequirementsError &&
        e.problems.length === 3 &&
        /unknown top-level key "extra"/.test(e.message) &&
        /"https" must be true or false/.test(e.message) &&
        /rule "GRM-016" must be/.test(e.message),
    );
    assert.throws(() => loadConfigFile(path.join(dir, 'missing.json')), /missing\.json: no such file/);
  });
});
