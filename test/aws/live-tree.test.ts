// The live view's tree model (client/views/posture-model.ts) over a real posture: the real AWS
// SDK against the local emulator, judged by the engine, then turned into profile → region →
// bucket → facts. Also the settings reader that keeps workspace values out (live-settings.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture } from '../../aws/posture';
import { bucketArnInRegion, postureTree, type PostureNode, type Report } from '../../client/views/posture-model';
import { checkEndpoint, liveRequirements, readLiveSettings, type InspectedValue } from '../../client/views/live-settings';
import { ROOT } from '../helpers/paths';
import {
  BAD_POLICY_BUCKET,
  DENIED_BUCKET,
  EXPECTED_BUCKET_STATES,
  KEY_DISABLED,
  KEY_FAR,
  liveViewSeed,
} from '../fixtures/live-view-seed';

const all = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(all)];
const buckets = (root: PostureNode): PostureNode[] => all(root).filter(n => n.kind === 'bucket');
const child = (n: PostureNode, label: string): PostureNode => {
  const c = n.children.find(x => x.label === label);
  assert.ok(c, `${n.label} has a "${label}" node; it has ${JSON.stringify(n.children.map(x => x.label))}`);
  return c;
};
const brief = (n: PostureNode): string => `${n.label}: ${n.status} (${n.description ?? ''})`;

describe('live view tree from a real posture', () => {
  let emulator: Emulator;
  let report: Report;
  const env = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };

  before(async () => {
    emulator = await startEmulator({ seed: liveViewSeed(ROOT), port: 0 });
    report = await fetchPosture({ endpoint: emulator.url, region: 'us-east-1', env, judge: localJudge(), timeoutMs: 5000 });
  });
  after(() => emulator?.close());

  it('groups the buckets by region under the profile node, labelled with the endpoint', () => {
    const root = postureTree(report, { connection: { endpoint: emulator.url, demo: true } });
    assert.equal(root.kind, 'profile');
    assert.equal(root.label, `demo endpoint ${emulator.url}`);
    assert.equal(root.description, 'made-up buckets, not AWS · default credentials');
    assert.deepEqual(
      root.children.map(r => `${r.label}: ${r.children.map(b => b.label).join(', ')}`),
      [
        'eu-west-1: acme-analytics-eu, acme-archive, acme-payments-prod, acme-reports',
        'us-east-1: acme-media-uploads, acme-web-logs',
      ],
    );
    const custom = postureTree(report, { connection: { profile: 'prod', endpoint: 'https://s3.example.net' } });
    assert.deepEqual([custom.label, custom.description], ['profile prod', 'endpoint https://s3.example.net']);
    assert.equal(postureTree(report, { connection: { profile: 'prod' } }).label, 'profile prod');
  });

  it('gives every seeded bucket its expected state', () => {
    const root = postureTree(report, { connection: {} });
    const states = Object.fromEntries(buckets(root).map(b => [b.label, b.status]));
    assert.deepEqual(
      states,
      EXPECTED_BUCKET_STATES,
      JSON.stringify(
        buckets(root).map(b => [b.label, b.children.map(brief)]),
        null,
        1,
      ),
    );
  });

  it('shows each fact with its state and the failing one with its reason', () => {
    const root = postureTree(report, { connection: {} });
    const byName = new Map(buckets(root).map(b => [b.label, b]));
    const good = byName.get('acme-payments-prod')!;
    assert.deepEqual(
      good.children.map(c => c.label),
      ['Default encryption', 'Bucket Key', 'Bucket policy', 'Block Public Access', 'KMS key', 'Pinned key vs default key'],
    );
    const policy = child(good, 'Bucket policy');
    assert.deepEqual(policy.children.map(brief), [
      'HTTPS: pass (Every HTTP request is denied.)',
      'SSE: pass (Uploads: only aws:kms, named key must be key/1234abcd…)',
      'TLS: pass (TLS below 1.2 is denied.)',
    ]);
    assert.deepEqual(
      child(good, 'KMS key').children.map(c => `${c.label}: ${c.status}`),
      ['State: pass', 'Rotation: pass', 'Key spec: pass', 'Region: pass', 'Use by S3: pass', 'Who can use it: pass'],
    );
    assert.equal(
      child(child(good, 'KMS key'), 'Use by S3').description,
      'The key policy lets S3 use the key (s3.eu-west-1.amazonaws.com).',
    );
    assert.match(child(good, 'KMS key').tooltip!, /Not open to other accounts · S3 can use it/);

    const logs = byName.get('acme-web-logs')!;
    assert.equal(child(logs, 'Default encryption').description, 'Default encryption: SSE-S3 (AES256).');
    const none = child(logs, 'Bucket policy');
    assert.equal(none.status, 'fail');
    assert.match(none.tooltip!, /aws:SecureTransport/);

    const far = child(child(byName.get('acme-analytics-eu')!, 'KMS key'), 'Region');
    assert.equal(far.status, 'fail');
    assert.equal(far.description, "The key is in us-east-1, the bucket in eu-west-1: S3 needs a key in the bucket's region.");
    assert.match(child(byName.get('acme-analytics-eu')!, 'KMS key').keyArn!, new RegExp(KEY_FAR));

    const state = child(child(byName.get('acme-archive')!, 'KMS key'), 'State');
    assert.equal(`${state.status} ${state.description}`, 'fail The key is Disabled: uploads with default encryption fail.');
    assert.match(child(byName.get('acme-archive')!, 'KMS key').keyArn!, new RegExp(KEY_DISABLED));

    const media = child(byName.get(BAD_POLICY_BUCKET)!, 'Bucket policy');
    assert.equal(child(media, 'SSE').status, 'warn');
    assert.match(child(media, 'SSE').tooltip!, /No Deny enforces the default encryption/);
  });

  it("shows an AccessDenied on one bucket's policy on that node only, as a warning with the code", () => {
    const root = postureTree(report, { connection: {} });
    const errors = all(root).filter(n => n.kind === 'error');
    assert.deepEqual(
      errors.map(e => e.id.split('/').slice(-2).join('/')),
      [`${DENIED_BUCKET}/policy`],
    );
    const [denied] = errors;
    assert.equal(denied.label, 'Bucket policy');
    assert.equal(denied.status, 'warn');
    assert.match(denied.description!, /^AccessDenied: /);
    assert.match(denied.tooltip!, /GetBucketPolicy failed with `AccessDenied`/);
    assert.match(denied.tooltip!, /s3:GetBucketPolicy|may not call/);
    // The bucket's other facts were read.
    const bucket = buckets(root).find(b => b.label === DENIED_BUCKET)!;
    assert.deepEqual(bucket.children.filter(c => c.kind !== 'error').map(brief), [
      'Default encryption: pass (Default encryption: SSE-S3 (AES256).)',
      'Block Public Access: pass (Block Public Access: all four settings on.)',
    ]);
  });

  it('filters buckets by name, case-insensitively, keeping only regions with matches', () => {
    const root = postureTree(report, { connection: {}, filter: 'ACME-A' });
    assert.deepEqual(
      buckets(root).map(b => b.label),
      ['acme-analytics-eu', 'acme-archive'],
    );
    assert.deepEqual(
      root.children.map(r => r.label),
      ['eu-west-1'],
    );
    assert.deepEqual(buckets(postureTree(report, { connection: {}, filter: 'nothing-like-this' })), []);
  });

  it('fails a missing TLS minimum when the requirements ask for one', async () => {
    const strict = await fetchPosture({
      endpoint: emulator.url,
      region: 'us-east-1',
      env,
      judge: localJudge(),
      buckets: ['acme-archive'],
      requirements: liveRequirements({ minTlsVersion: '1.2' }),
    });
    const tls = child(child(buckets(postureTree(strict, { connection: {}, wantedTls: '1.2' }))[0], 'Bucket policy'), 'TLS');
    assert.equal(`${tls.status} ${tls.description}`, 'fail TLS below 1.2 is not denied.');
  });

  it('puts errors before any bucket (nothing listed) under the profile', async () => {
    const down = await fetchPosture({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      env,
      judge: localJudge(),
      timeoutMs: 2000,
      maxAttempts: 1,
    });
    const root = postureTree(down, { connection: { endpoint: 'http://127.0.0.1:9' } });
    assert.equal(root.children.length, 1);
    assert.equal(root.children[0].kind, 'error');
    assert.equal(root.children[0].label, 'ListBuckets');
    assert.match(root.children[0].tooltip!, /could not be reached|ECONNREFUSED/);
  });

  it("names the ARN in the bucket's partition", () => {
    assert.equal(bucketArnInRegion('b', 'eu-west-1'), 'arn:aws:s3:::b');
    assert.equal(bucketArnInRegion('b', 'cn-north-1'), 'arn:aws-cn:s3:::b');
    assert.equal(bucketArnInRegion('b', 'us-gov-west-1'), 'arn:aws-us-gov:s3:::b');
  });
});

describe('live view settings', () => {
  const inspectFrom =
    (values: Record<string, InspectedValue<unknown>>) =>
    <T>(key: string) =>
      values[key] as InspectedValue<T> | undefined;

  it('ignores workspace and folder values of the settings that choose where credentials go', () => {
    const s = readLiveSettings(
      inspectFrom({
        'aws.endpoint': {
          defaultValue: '',
          globalValue: 'http://127.0.0.1:4566',
          workspaceValue: 'https://attacker.example',
          workspaceFolderValue: 'https://other.example',
        },
        'aws.profile': { defaultValue: '', workspaceValue: 'prod-admin' },
        'aws.regions': { defaultValue: [], workspaceValue: ['eu-west-1'] },
      }),
    );
    assert.equal(s.endpoint, 'http://127.0.0.1:4566');
    assert.equal(s.profile, undefined);
    assert.deepEqual(s.regions, []);
    assert.deepEqual(s.ignored.sort(), [
      's3EncryptionGuard.aws.endpoint',
      's3EncryptionGuard.aws.profile',
      's3EncryptionGuard.aws.regions',
    ]);
  });

  it("takes the user's values, and reports invalid ones while keeping the defaults", () => {
    const s = readLiveSettings(
      inspectFrom({
        'aws.profile': { globalValue: ' audit ' },
        'aws.regions': { globalValue: ['eu-west-1', 'not a region', 'eu-west-1'] },
        'aws.concurrency': { defaultValue: 8, globalValue: 0 },
        'aws.timeoutMs': { defaultValue: 10000, globalValue: 2500 },
        'aws.endpoint': { globalValue: 'ftp://x' },
      }),
    );
    assert.deepEqual(
      { profile: s.profile, regions: s.regions, concurrency: s.concurrency, timeoutMs: s.timeoutMs, endpoint: s.endpoint },
      { profile: 'audit', regions: ['eu-west-1'], concurrency: 8, timeoutMs: 2500, endpoint: undefined },
    );
    assert.equal(s.problems.length, 3, JSON.stringify(s.problems));
    assert.ok(s.problems.every(p => p.startsWith('s3EncryptionGuard.aws.')));
  });

  it('accepts only plain http(s) endpoint URLs', () => {
    assert.equal(checkEndpoint('http://127.0.0.1:4566/'), 'http://127.0.0.1:4566');
    assert.equal(checkEndpoint('https://s3.example.net/base/'), 'https://s3.example.net/base');
    for (const bad of [
      'localhost:4566',
      'file:///etc/passwd',
      'https://user:secret@s3.example.net',
      'https://s3.example.net/?x=1',
    ]) {
      const r = checkEndpoint(bad);
      assert.equal(typeof r, 'object', bad);
      assert.ok(!JSON.stringify(r).includes('secret'), 'no password echoed');
    }
  });
});
