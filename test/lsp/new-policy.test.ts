// What "New Bucket Policy…" / "New KMS Key Policy…" open is an untitled JSON document: the server
// must take its kind from the content and its bucket from the policy's Resource, even in a folder
// whose settings name another bucket, and find no error in it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateBucketPolicy, generateKeyPolicy } from '../../core/authoring/generate';
import {
  CHECK_ANSWER_REQUEST,
  GENERATE_POLICY_REQUEST,
  type CheckAnswerResult,
  type GeneratePolicyResult,
} from '../../protocol/protocol';
import { LspClient } from './lsp-client';

const BUCKET_POLICY = generateBucketPolicy({
  bucket: 'payments-data',
  sse: 'aws:kms',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  minTls: '1.2',
  banSseC: true,
  headerlessUploads: 'allow',
});
const KEY_POLICY = generateKeyPolicy({
  account: '111122223333',
  region: 'eu-west-1',
  administrators: ['role/KeyAdmin'],
  users: ['role/payments-app'],
  bucket: 'payments-data',
});

describe('generated policies in untitled documents', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    // The folder is about another bucket (s3EncryptionGuard.bucketName).
    client.configuration = { bucketName: 'example-bucket' };
    await client.initialize();
  });
  after(() => client.kill());

  const codeLensTitles = async (uri: string) =>
    (
      (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as { command?: { title: string } }[]
    ).map(l => l.command?.title);

  it('a bucket policy is checked for the bucket its Resource names, with no problem at all', async () => {
    const uri = 'untitled:Untitled-1';
    await client.open(uri, BUCKET_POLICY);
    const p = await client.diagnostics(uri, 1);
    assert.deepEqual(
      p.diagnostics.map(d => `${d.code} ${d.message}`),
      [],
    );
    const titles = await codeLensTitles(uri);
    const verdicts = titles.filter(t => t?.startsWith('HTTPS:'));
    assert.equal(verdicts.length, 1, `one verdict, for payments-data only: ${JSON.stringify(titles)}`);
    assert.match(verdicts[0] ?? '', /^HTTPS: enforced · .*TLS ≥ 1\.2: enforced/);
  });

  it("the same text saved in the folder is checked against the folder's bucket (the setting still applies to files)", async () => {
    const uri = 'file:///work/folder/policy.json';
    await client.open(uri, BUCKET_POLICY);
    const p = await client.diagnostics(uri, 1);
    assert.ok(
      p.diagnostics.some(d => d.code === 'GRM-008' && d.severity === 1),
      JSON.stringify(p.diagnostics.map(d => d.code)),
    );
  });

  it('a key policy is recognised as one and has no error', async () => {
    const uri = 'untitled:Untitled-2';
    await client.open(uri, KEY_POLICY);
    const p = await client.diagnostics(uri, 1);
    assert.deepEqual(
      p.diagnostics.filter(d => d.severity === 1).map(d => `${d.code} ${d.message}`),
      [],
    );
    const hover = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 2, character: 4 },
    })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? '', /as a KMS key policy/);
  });
});

describe('the "New … Policy" requests: answers checked and policies written by the server', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it('checks each answer field as the generator does, naming the problem', async () => {
    const ask = (field: string, value: string) =>
      client.conn.sendRequest(CHECK_ANSWER_REQUEST, { field, value }) as Promise<CheckAnswerResult>;
    assert.deepEqual(await ask('bucket', 'payments-data'), {});
    assert.match((await ask('bucket', 'Payments')).problem ?? '', /lowercase: "payments"/);
    assert.match((await ask('kmsKeyArn', 'alias/app')).problem ?? '', /alias cannot pin a key/);
    assert.deepEqual(await ask('principals', 'role/app, user/ops'), {});
    assert.match((await ask('principalArns', 'role/app')).problem ?? '', /full ARNs/);
    assert.match((await ask('trailName', '-x')).problem ?? '', /Trail names/);
    assert.match((await ask('nonsense', 'x')).problem ?? '', /no known answer field/);
    assert.match((await ask('bucket', 'a'.repeat(30_000))).problem ?? '', /over 20000 characters/);
  });

  it('writes exactly what the generator writes, or every problem of the answers', async () => {
    const options = {
      bucket: 'payments-data',
      sse: 'aws:kms',
      minTls: '1.2',
      banSseC: true,
      headerlessUploads: 'allow',
    } as const;
    const made = (await client.conn.sendRequest(GENERATE_POLICY_REQUEST, {
      kind: 'bucket-policy',
      options,
    })) as GeneratePolicyResult;
    assert.deepEqual(made, { text: generateBucketPolicy(options) });
    const refused = (await client.conn.sendRequest(GENERATE_POLICY_REQUEST, {
      kind: 'key-policy',
      options: { account: '12', region: 'moon', administrators: [], users: [] },
    })) as GeneratePolicyResult;
    assert.ok('problems' in refused);
    assert.deepEqual(
      refused.problems.map(p => p.split(':')[0]),
      ['account', 'region'],
    );
  });
});
