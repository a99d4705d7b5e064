// The custom request `s3EncryptionGuard/decide` of the built language server: the bucket fix's
// lock-out guard in the editor (aws/fix.ts) asks it whether a new policy denies the caller the calls
// that would undo it. Same answers as the CLI's in-process judge; malformed requests are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DecideResult } from '../../protocol/protocol';
import { undoRequests } from '../../aws/fix';
import { localFixJudge } from '../../cli/fix-judge';
import { LspClient } from './lsp-client';

const CALLER = { arn: 'arn:aws:sts::111122223333:assumed-role/deployer/s1', account: '111122223333' };
const lockedOut = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      Resource: 'arn:aws:s3:::b',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin' } },
    },
  ],
});

describe('s3EncryptionGuard/decide over stdio', () => {
  let client: LspClient;
  const decide = (p: unknown) => client.conn.sendRequest('s3EncryptionGuard/decide', p) as Promise<DecideResult>;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it("decides the caller's undo calls as the CLI's judge does", async () => {
    const requests = undoRequests(CALLER, 'b', 'aws');
    const r = await decide({ text: lockedOut, bucket: 'b', requests });
    assert.deepEqual(
      r.decisions?.map(d => d.decision),
      ['implicit-deny', 'explicit-deny', 'explicit-deny'],
    );
    assert.deepEqual(r.decisions, await localFixJudge().decide(lockedOut, 'b', requests));
    // The admin role's session is not denied.
    const admin = undoRequests({ ...CALLER, arn: 'arn:aws:sts::111122223333:assumed-role/admin/s2' }, 'b', 'aws');
    const ok = await decide({ text: lockedOut, bucket: 'b', requests: admin });
    assert.ok(ok.decisions?.every(d => d.decision !== 'explicit-deny'));
  });

  it('text that is not a policy: no decisions; a malformed request: an error, and the server keeps serving', async () => {
    assert.deepEqual(await decide({ text: 'not json', bucket: 'b', requests: undoRequests(CALLER, 'b', 'aws') }), {
      decisions: null,
    });
    await assert.rejects(decide({ text: '{}', bucket: 'b', requests: [{ principal: { kind: 'aws' }, action: 1 }] }));
    await assert.rejects(decide({ text: '{}', bucket: 'b', requests: new Array(100).fill(undoRequests(CALLER, 'b', 'aws')[0]) }));
    const r = await decide({ text: lockedOut, bucket: 'b', requests: undoRequests(CALLER, 'b', 'aws').slice(1, 2) });
    assert.equal(r.decisions?.[0].decision, 'explicit-deny');
  });
});
