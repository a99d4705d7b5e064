// Every snippet package.json contributes, filled in the way VS Code fills it (placeholder defaults,
// or other values typed into the tab stops), must be a policy AWS accepts (no GRM finding, no error)
// whose verdict says what its description promises. Statement snippets are checked inside a policy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { keyPolicyVerdict } from '../../core/engine/key-verdict';
import type { BucketVerdict, UploadClass } from '../../shared/types';
import { ROOT } from '../helpers/paths';
import { expandSnippet } from '../helpers/snippets';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { snippets: { language: string; path: string }[] };
};
// The JSON policy snippets; templates' snippets (Terraform, CloudFormation) have tests of their own.
const jsonContributions = pkg.contributes.snippets.filter(s => s.language === 'json' || s.language === 'jsonc');
const files = [...new Set(jsonContributions.map(s => s.path))];
const snippets: Snippet[] = files.flatMap(f =>
  Object.values(JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8')) as Record<string, Snippet>),
);
const byPrefix = new Map(snippets.map(s => [s.prefix, s]));

/** A statement snippet goes into a policy; a policy snippet is used as it is. */
function asPolicy(text: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  return 'Statement' in value ? text : `{\n"Version": "2012-10-17",\n"Statement": [\n${text}\n]\n}`;
}

// An untitled document: the kind comes from the content alone, and the bucket from the policy's Resource.
const UNTITLED = '/untitled/Untitled-1';

function check(text: string) {
  const a = analyze(text, UNTITLED);
  assert.deepEqual(
    a.findings.filter(f => f.ruleId.startsWith('GRM-') || f.severity === 'error').map(f => `${f.ruleId} ${f.message}`),
    [],
    text,
  );
  return a;
}

type Expect = (u: UploadClass) => 'denied' | 'not-denied';
const decisions = (v: BucketVerdict) => v.encryption.uploads.map(u => `${u.sse} ${u.kmsKey} ${u.decision}`);
const expected = (v: BucketVerdict, e: Expect) => v.encryption.uploads.map(u => `${u.sse} ${u.kmsKey} ${e(u)}`);

const OTHER = {
  bucket: 'analytics-raw.eu-2',
  account: '444455556666',
  region: 'eu-central-1',
  keyArn: 'arn:aws:kms:eu-central-1:444455556666:key/mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
};

describe('snippets', () => {
  it('package.json contributes the snippet file for json and jsonc, with a description for each snippet', () => {
    assert.deepEqual(jsonContributions.map(s => s.language).sort(), ['json', 'jsonc']);
    assert.ok(snippets.length >= 9, `${snippets.length} snippets`);
    for (const s of snippets) {
      assert.match(s.prefix, /^s3eg-[a-z0-9-]+$/);
      assert.ok(s.description.length > 40, `${s.prefix} has a description`);
    }
    assert.equal(byPrefix.size, snippets.length, 'prefixes are unique');
  });

  it('expands tab stops, nested placeholders, choices and mirrors the way VS Code does', () => {
    assert.equal(expandSnippet('a ${1:x} ${1:x} $0 \\$1 ${2|p,q|}'), 'a x x  $1 p');
    assert.equal(expandSnippet('${2:k:${3:r}:${4:a}}/${3:r}', { 3: 'eu' }), 'k:eu:a/eu');
    assert.equal(expandSnippet('${2:k:${3:r}}', { 2: 'typed' }), 'typed');
    assert.equal(expandSnippet('${1:b} $1'), 'b b');
  });

  for (const s of snippets) {
    it(`${s.prefix}: every placeholder is filled in and the result parses, with defaults and with other values`, () => {
      const body = s.body.join('\n');
      const fillings: Record<number, string>[] = [
        {},
        { 1: OTHER.bucket, 2: OTHER.keyArn },
        { 1: OTHER.account, 2: OTHER.region, 5: OTHER.bucket },
      ];
      for (const values of fillings) {
        const text = expandSnippet(body, values);
        assert.doesNotMatch(text, /\$\{?\d/, 'no tab stop left over');
        JSON.parse(text);
      }
    });
  }

  describe('bucket policies (verdict of the engine)', () => {
    const bucketCase = (prefix: string, values: Record<number, string>, bucket: string) => {
      const text = asPolicy(expandSnippet(byPrefix.get(prefix)!.body.join('\n'), values));
      const a = check(text);
      assert.equal(a.kind.kind, 'bucket-policy', a.kind.reason);
      assert.equal(a.verdicts?.length, 1);
      const v = a.verdicts![0];
      assert.equal(v.bucket, bucket);
      assert.equal(v.complete, true);
      return { a, v };
    };

    for (const [label, values, bucket, key] of [
      ['defaults', {}, 'bucket-name', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['another bucket and key ARN', { 1: OTHER.bucket, 2: OTHER.keyArn }, OTHER.bucket, OTHER.keyArn],
      [
        "the key ARN's region, account and key ID typed one by one",
        { 1: OTHER.bucket, 3: OTHER.region, 4: OTHER.account, 5: 'aaaabbbb-1111-2222-3333-444455556666' },
        OTHER.bucket,
        `arn:aws:kms:${OTHER.region}:${OTHER.account}:key/aaaabbbb-1111-2222-3333-444455556666`,
      ],
    ] as const) {
      it(`s3eg-bucket-policy (${label}): HTTPS, TLS >= 1.2, only SSE-KMS with the pinned key, no SSE-C, default encryption still works`, () => {
        const { a, v } = bucketCase('s3eg-bucket-policy', values, bucket);
        assert.deepEqual(
          a.findings.map(f => `${f.ruleId} ${f.message}`),
          [],
          'no finding at all with the default requirements',
        );
        assert.equal(v.transport.http, 'denied');
        assert.equal(v.transport.minTlsVersion, '1.2');
        assert.ok(
          v.encryption.uploads.some(u => u.kmsKey === key),
          `the verdict names the pinned key ${key}: ${decisions(v)}`,
        );
        assert.deepEqual(
          decisions(v),
          expected(v, u =>
            u.sse === 'none' || (u.sse === 'aws:kms' && (u.kmsKey === null || u.kmsKey === key)) ? 'not-denied' : 'denied',
          ),
        );
        // The witness of a header-less upload shows it is the request default encryption handles.
        assert.equal(v.encryption.uploads.find(u => u.sse === 'none')!.witness?.action, 's3:PutObject');
      });
    }

    it('s3eg-deny-http: every HTTP request is denied, nothing else', () => {
      for (const [values, bucket] of [
        [{}, 'bucket-name'],
        [{ 1: OTHER.bucket }, OTHER.bucket],
      ] as const) {
        const { v } = bucketCase('s3eg-deny-http', values, bucket);
        assert.equal(v.transport.http, 'denied');
        assert.equal(v.transport.minTlsVersion, null);
        assert.deepEqual(
          decisions(v),
          expected(v, () => 'not-denied'),
        );
      }
    });

    it('s3eg-deny-old-tls: the chosen TLS version is the minimum', () => {
      for (const tls of ['1.2', '1.3']) {
        const { v } = bucketCase('s3eg-deny-old-tls', { 1: OTHER.bucket, 2: tls }, OTHER.bucket);
        assert.equal(v.transport.minTlsVersion, tls);
        assert.deepEqual(
          decisions(v),
          expected(v, () => 'not-denied'),
        );
      }
      assert.equal(
        bucketCase('s3eg-deny-old-tls', {}, 'bucket-name').v.transport.minTlsVersion,
        '1.2',
        'the first choice is the default',
      );
    });

    it('s3eg-deny-non-kms: uploads naming another algorithm are denied, header-less uploads and SSE-C are not', () => {
      const { v } = bucketCase('s3eg-deny-non-kms', {}, 'bucket-name');
      assert.equal(v.transport.http, 'allowed');
      assert.deepEqual(
        decisions(v),
        expected(v, u => (u.sse === 'AES256' || u.sse === 'aws:kms:dsse' ? 'denied' : 'not-denied')),
      );
    });

    it('s3eg-deny-non-kms-strict: every upload that does not ask for aws:kms is denied, header-less ones included', () => {
      const { v } = bucketCase('s3eg-deny-non-kms-strict', { 1: OTHER.bucket }, OTHER.bucket);
      assert.deepEqual(
        decisions(v),
        expected(v, u => (u.sse === 'aws:kms' ? 'not-denied' : 'denied')),
      );
    });

    it('s3eg-pin-kms-key: uploads naming another key are denied, uploads naming the key or none are not', () => {
      for (const [values, key] of [
        [{}, 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
        [{ 2: OTHER.keyArn }, OTHER.keyArn],
      ] as const) {
        const { v } = bucketCase('s3eg-pin-kms-key', values, 'bucket-name');
        assert.ok(
          v.encryption.uploads.some(u => u.kmsKey === key),
          `${key} in ${decisions(v)}`,
        );
        assert.deepEqual(
          decisions(v),
          expected(v, u => (u.kmsKey === 'other' ? 'denied' : 'not-denied')),
        );
      }
    });

    it('s3eg-deny-sse-c: only SSE-C uploads are denied', () => {
      const { v } = bucketCase('s3eg-deny-sse-c', {}, 'bucket-name');
      assert.deepEqual(
        decisions(v),
        expected(v, u => (u.sse === 'SSE-C' ? 'denied' : 'not-denied')),
      );
    });

    it('every bucket-policy snippet is covered above', () => {
      const bucketSnippets = snippets
        .filter(s => analyze(asPolicy(expandSnippet(s.body.join('\n'))), UNTITLED).kind.kind === 'bucket-policy')
        .map(s => s.prefix)
        .sort();
      assert.deepEqual(bucketSnippets, [
        's3eg-bucket-policy',
        's3eg-deny-http',
        's3eg-deny-non-kms',
        's3eg-deny-non-kms-strict',
        's3eg-deny-old-tls',
        's3eg-deny-sse-c',
        's3eg-pin-kms-key',
      ]);
    });
  });

  describe('key policies (key-policy verdict of the engine)', () => {
    for (const prefix of ['s3eg-key-policy', 's3eg-cloudtrail-key-policy']) {
      for (const [label, values, account, region] of [
        ['defaults', {}, '111122223333', 'us-east-1'],
        [
          'another account, region and bucket',
          { 1: OTHER.account, 2: OTHER.region, 5: OTHER.bucket },
          OTHER.account,
          OTHER.region,
        ],
      ] as const) {
        it(`${prefix} (${label}): no lock-out, S3 can use the key, not open to other accounts or anonymous callers`, () => {
          const text = expandSnippet(byPrefix.get(prefix)!.body.join('\n'), values);
          const a = check(text);
          assert.equal(a.kind.kind, 'key-policy', a.kind.reason);
          const v = keyPolicyVerdict(a.doc!);
          assert.equal(v.complete, true);
          assert.equal(v.lockout, false);
          assert.deepEqual([...v.administrators].sort(), [
            `arn:aws:iam::${account}:role/KeyAdmin`,
            `arn:aws:iam::${account}:root`,
          ]);
          assert.equal(v.openToOtherAccounts.value, false, JSON.stringify(v.openToOtherAccounts.witness));
          assert.equal(v.openToAnonymous.value, false, JSON.stringify(v.openToAnonymous.witness));
          assert.equal(v.s3CanUse.value, true);
          if (prefix === 's3eg-key-policy') {
            assert.equal(v.s3CanUse.viaService, `s3.${region}.amazonaws.com`);
            if ('5' in values)
              assert.match(
                text,
                new RegExp(
                  `"arn:aws:s3:::${OTHER.bucket.replace(/\./g, '\\.')}", "arn:aws:s3:::${OTHER.bucket.replace(/\./g, '\\.')}/\\*"`,
                ),
              );
          } else {
            assert.match(text, new RegExp(`"aws:SourceArn": "arn:aws:cloudtrail:${region}:${account}:trail/management-events"`));
          }
        });
      }
    }
  });
});
