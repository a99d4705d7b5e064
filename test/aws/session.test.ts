// The AWS session: profiles from the shared files, the credential check, endpoint handling. No AWS
// call is made here (AWS cannot be reached from the test machines; posture tests use the local
// endpoint that speaks the real S3/KMS protocols).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkCredentials, isLoopbackEndpoint, listProfiles, openSession } from '../../aws/session';
import { ACCESS_KEY, emptyAwsFiles, SECRET, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function awsFiles(config: string, credentials: string) {
  const f = emptyAwsFiles();
  fs.writeFileSync(f.config, config);
  fs.writeFileSync(f.credentials, credentials);
  return f;
}

describe('session', () => {
  it('lists profiles from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, default first', async () => {
    const f = awsFiles(
      '[default]\nregion = eu-west-1\n\n[profile prod-sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-central-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n\n[profile audit]\nrole_arn = arn:aws:iam::111122223333:role/Audit\nsource_profile = default\n',
      `[default]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET}\n\n[ci-user]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET}\n`,
    );
    assert.deepEqual(await listProfiles({ AWS_CONFIG_FILE: f.config, AWS_SHARED_CREDENTIALS_FILE: f.credentials }), [
      'default',
      'audit',
      'ci-user',
      'prod-sso',
    ]);
    assert.deepEqual(
      await listProfiles({
        AWS_CONFIG_FILE: path.join(f.dir, 'missing'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(f.dir, 'missing2'),
      }),
      [],
    );
  });

  it('checkCredentials: a profile that does not exist names the profiles there are', async () => {
    const f = awsFiles('[profile dev]\nregion = eu-west-1\n', '');
    const r = await checkCredentials({ profile: 'prod', env: testEnv(f) });
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /profile "prod" is not in .*config.* \(profiles: dev\); pass --profile/);
  });

  it("checkCredentials: credentials from the environment, and from a profile's static keys, without calling AWS", async () => {
    const f = awsFiles('', `[ci-user]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET}\n`);
    assert.deepEqual(await checkCredentials({ env: testEnv(f) }), { ok: true });
    assert.deepEqual(
      await checkCredentials({ profile: 'ci-user', env: testEnv(f, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }) }),
      { ok: true },
    );
  });

  it('a bad endpoint URL is one clear error', async () => {
    const f = emptyAwsFiles();
    const r = await checkCredentials({ endpoint: 'localhost:4566', env: testEnv(f) });
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /must start with http:\/\/ or https:\/\//);
    await assert.rejects(
      openSession({ endpoint: 'not a url', env: testEnv(f) }),
      /is not a URL; use e\.g\. http:\/\/127\.0\.0\.1:4566/,
    );
  });

  it("the session region: option, then AWS_REGION, then the profile's region, then us-east-1", async () => {
    const f = awsFiles('[default]\nregion = ap-south-1\n', '');
    const at = async (opts: object, extra: NodeJS.ProcessEnv = {}) => {
      const s = await openSession({ ...opts, env: testEnv(f, extra) });
      s.destroy();
      return s.region;
    };
    assert.equal(await at({ region: 'eu-north-1' }, { AWS_REGION: 'eu-west-3' }), 'eu-north-1');
    assert.equal(await at({}, { AWS_REGION: 'eu-west-3' }), 'eu-west-3');
    assert.equal(await at({}), 'ap-south-1');
    const empty = emptyAwsFiles();
    const s = await openSession({ env: testEnv(empty) });
    s.destroy();
    assert.equal(s.region, 'us-east-1');
  });

  it('scrub blanks the secret key out of any text', async () => {
    const s = await openSession({ env: testEnv(emptyAwsFiles(), { AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN' }) });
    assert.equal(s.scrub(`key ${SECRET} token FwoGZXIvYXdzEXAMPLETOKEN`), 'key *** token ***');
    s.destroy();
  });

  it('loopback endpoints are the only ones where dummy credentials are allowed', () => {
    const table: [string | undefined, boolean][] = [
      ['http://127.0.0.1:4566', true],
      ['http://localhost:9000', true],
      ['http://[::1]:8080', true],
      ['http://127.8.9.10', true],
      ['https://s3.eu-west-1.amazonaws.com', false],
      ['http://10.0.0.5:9000', false],
      ['http://localhost.example.com', false],
      ['nonsense', false],
      [undefined, false],
    ];
    for (const [url, expected] of table) assert.equal(isLoopbackEndpoint(url), expected, String(url));
  });
});
