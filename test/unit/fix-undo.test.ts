// The undo file of a bucket fix (aws/fix-undo.ts): a record written by the fix reads back as it was;
// anything else — edited, truncated, oversized, another shape — is refused with one reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUndoRecord } from '../../aws/fix-undo';
import type { UndoRecord } from '../../aws/fix';

const record: UndoRecord = {
  version: 1,
  bucket: 'shop-data',
  region: 'eu-west-1',
  endpoint: null,
  time: '2026-12-05T00:00:00.000Z',
  previous: {
    encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
    policy: null,
    publicAccessBlock: null,
    keyRotation: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/2222bbbb-12ab-34cd-56ef-bbbbbbbb0002', enabled: false },
  },
  applied: {
    encryption: [
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/x',
        },
        BucketKeyEnabled: true,
        BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
      },
    ],
    policy: '{"Version":"2012-10-17","Statement":[]}',
    publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    keyRotation: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/2222bbbb-12ab-34cd-56ef-bbbbbbbb0002', enabled: true },
  },
};

describe('the undo file', () => {
  it('a record reads back as it was written', () => {
    assert.deepEqual(parseUndoRecord(JSON.stringify(record)), { ok: true, record });
  });

  it('refuses what is not a record of this tool, with one reason', () => {
    const bad = (mutate: (r: Record<string, unknown>) => void): string => {
      const r = structuredClone(record) as unknown as Record<string, unknown>;
      mutate(r);
      return JSON.stringify(r);
    };
    const cases: [string, RegExp][] = [
      ['{"version": 1,', /not JSON/],
      ['[]', /not an undo record/],
      [bad(r => (r.version = 2)), /not an undo record/],
      [bad(r => (r.bucket = 'a/b')), /bucket/],
      [bad(r => (r.region = 'EU West')), /region/],
      [bad(r => ((r.previous as Record<string, unknown>).policy = 42)), /settings/],
      [bad(r => ((r.applied as Record<string, unknown>).publicAccessBlock = { blockPublicAcls: 'yes' })), /settings/],
      [bad(r => ((r.applied as Record<string, unknown>).keyRotation = { keyArn: 'alias/x', enabled: true })), /settings/],
      [
        bad(r => ((r.applied as Record<string, unknown>).encryption = [{ BlockedEncryptionTypes: { EncryptionType: 'SSE-C' } }])),
        /settings/,
      ],
      [bad(r => ((r.previous as Record<string, unknown>).policy = 'x'.repeat(2 * 1024 * 1024))), /settings/],
    ];
    for (const [text, why] of cases) {
      const r = parseUndoRecord(text);
      assert.equal(r.ok, false, text.slice(0, 80));
      if (!r.ok) assert.match(r.message, why);
    }
  });
});
