// Issue 10, Build 6: a Sid, a bucket name, condition values, a principal and a file name that
// carry Markdown link and image syntax, HTML, backticks, pipes, line breaks and ESC reach the
// hover, the Explain report view and the CodeLens of the real language server over stdio as text:
// in Markdown every rendering-relevant character of theirs is backslash-escaped or inside a code
// span that holds, nothing starts a heading or a list; in the view's HTML every tag and link is the
// renderer's own; no control character gets through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LiveAnalyzeResult } from '../../protocol/protocol';
import { explainHtml } from '../../client/views/explain-html';
import { shortKeyArn } from '../../shared/wording';
import type { ExplainReport } from '../../protocol/protocol';
import { escapeHtml } from '../../shared/escape';
import { CONTROLS, inlineSegments, markdownProblems, rendered } from '../helpers/markdown';
import { LspClient } from './lsp-client';

const ESC = '\u001b';
const SID = `![x](https://evil.example/p.png) [Click to fix](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> \`\`tick\`\` a|b ${ESC}[31mRED\n# INJECTED-HEADING`;
// No `/` and no white space: the whole string is a bucket the verdict is computed for.
const BUCKET = `evil[b](command:workbench.action.terminal.new)|<img>\`tick\`${ESC}[2J`;
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/![k](https://evil.example/k.png)|\`${ESC}`;
const USER_ID = `[u](command:x)<b>|\`\n- INJECTED-ITEM`;
const ADMIN = `arn:aws:iam::111122223333:role/[r](command:workbench.action.terminal.new)\`|<img>${ESC}`;
const FILE = `[f](command:x)\`|<img src=x>${ESC}`;
const GLOB_FILE = 'glob-<img src=x onerror=alert(1)>-1.json';

/** What the escaping helpers make of a value's line breaks and controls (shown, not obeyed). */
const visible = (s: string): string => s.replace(/\n/g, ' ').split(ESC).join('\\x1b');

/**
 * Nothing a renderer would act on comes from the values: no raw control character; outside
 * escapes and code spans no `[`, `]`, `<`, `>`, no URL or command scheme; a value's line break
 * does not start a line (the markers after the breaks stay on the line of the text before them).
 */
function assertInert(md: string, where: string): void {
  assert.deepEqual(markdownProblems(md), [], where);
  for (const line of md.split('\n')) {
    assert.ok(
      !/^\s{0,3}(#{1,6}|[-*+])\s+INJECTED/.test(line),
      `${where}: a value's line break started a heading or list: ${JSON.stringify(line)}`,
    );
    if (line.includes('INJECTED-HEADING'))
      assert.ok(line.includes('Click to fix'), `${where}: the Sid was split across lines: ${JSON.stringify(line)}`);
    if (line.includes('INJECTED-ITEM'))
      assert.ok(line.includes('command'), `${where}: a condition value was split across lines: ${JSON.stringify(line)}`);
  }
}

// The Explain view's HTML (client/views/explain-html.ts): the tags and attributes it writes itself.
const HTML_TAGS = new Set([
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'h1',
  'h2',
  'h3',
  'p',
  'ul',
  'li',
  'dl',
  'dt',
  'dd',
  'section',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'span',
  'div',
  'a',
  'details',
  'summary',
]);
const HTML_ATTRIBUTES = new Set([
  'lang',
  'charset',
  'http-equiv',
  'content',
  'name',
  'nonce',
  'class',
  'title',
  'scope',
  'href',
  'aria-hidden',
]);

/**
 * Nothing in the HTML comes from a value: no raw control character; every tag (outside the style
 * element) one the renderer writes, with attributes it writes, all quoted; every link the reveal
 * command; no script.
 */
function assertInertHtml(html: string, where: string): void {
  assert.ok(!CONTROLS.test(html.replace(/\n/g, '')), `${where}: a raw control character`);
  const body = html.replace(/<style nonce="[^"]*">[^<]*<\/style>/, '<style></style>');
  for (const m of body.matchAll(/<\/?([!a-zA-Z0-9-]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>|<|>/g)) {
    assert.ok(
      m[1],
      `${where}: a bare < or > outside a tag: ${JSON.stringify(body.slice(Math.max(0, m.index! - 60), m.index! + 60))}`,
    );
    assert.ok(HTML_TAGS.has(m[1].toLowerCase()), `${where}: tag <${m[1]}>`);
    for (const attr of m[2].matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      if (m[1].toLowerCase() === '!doctype') continue;
      assert.ok(HTML_ATTRIBUTES.has(attr[1]), `${where}: attribute ${attr[1]} on <${m[1]}>`);
      if (attr[1] === 'href')
        assert.match(attr[2], /^command:s3EncryptionGuard\.revealPolicyRange\?[A-Za-z0-9%._~!*()-]*$/, `${where}: link`);
    }
  }
  assert.ok(!/<script/i.test(html), `${where}: a script`);
}

/** The code spans of the Markdown that hold `marker`: each must hold the whole value, so its fence held. */
function codeSpansWith(md: string, marker: string): string[] {
  return md
    .split('\n')
    .flatMap(l => inlineSegments(l))
    .filter(s => s.kind === 'code' && s.value.includes(marker))
    .map(s => s.value);
}

const bucketPolicy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: SID,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [
          `arn:aws:s3:::${BUCKET}`,
          `arn:aws:s3:::${BUCKET}/*`,
          'arn:aws:s3:::plain-bucket',
          'arn:aws:s3:::plain-bucket/*',
        ],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'PinKey',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN },
          StringNotLike: { 'aws:userid': USER_ID },
        },
      },
    ],
  },
  null,
  2,
);

const keyPolicy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{ Sid: SID, Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' }],
  },
  null,
  2,
);

describe('hostile names and values reach hover, Explain and CodeLens as text', () => {
  let client: LspClient;
  const bucketUri = `file:///work/hostile/${encodeURIComponent(`${FILE}.bucket-policy.json`)}`;
  const keyUri = `file:///work/hostile/${encodeURIComponent(`${FILE}.key-policy.json`)}`;
  const globUri = `file:///work/hostile/${encodeURIComponent(GLOB_FILE)}`;
  const hover = async (uri: string, text: string, needle: string, via = client): Promise<string> => {
    const at = text.indexOf(needle) + 2;
    assert.ok(at >= 2, needle);
    const before = text.slice(0, at).split('\n');
    const r = (await via.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: before.length - 1, character: before[before.length - 1].length },
    })) as { contents: { kind: string; value: string } } | null;
    assert.ok(r, `a hover at ${needle}`);
    assert.equal(r.contents.kind, 'markdown');
    return r.contents.value;
  };
  const explain = async (uri: string) =>
    ((await client.conn.sendRequest('s3EncryptionGuard/explain', { uri })) as { report: ExplainReport }).report;
  const lensTitles = async (uri: string) =>
    ((await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as { command: { title: string } }[]).map(
      l => l.command.title,
    );

  before(async () => {
    client = new LspClient();
    await client.initialize();
    await client.open(bucketUri, bucketPolicy, 1);
    await client.open(keyUri, keyPolicy, 1);
    await Promise.all([client.diagnostics(bucketUri, 1), client.diagnostics(keyUri, 1)]);
  });
  after(() => client.kill());

  it('the statement hover shows the Sid and the bucket as text', async () => {
    const md = await hover(bucketUri, bucketPolicy, '"Deny"');
    assertInert(md, 'statement hover');
    const seen = rendered(md);
    // The Sid is shown whole, as written (its line break and ESC visible, not obeyed).
    assert.ok(seen.includes(`**statement "${visible(SID)}"**`), seen);
    assert.ok(md.includes('\\!\\[x\\]\\(https\\://evil\\.example/p\\.png\\)'), md);
    assert.ok(md.includes('&lt;img src=x onerror=alert\\(1\\)&gt;'), md);
    // The bucket name is one code span holding all of it: its backticks did not close the fence.
    assert.deepEqual(codeSpansWith(md, 'evil[b]'), [visible(BUCKET)]);
    // Witnesses name the bucket's ARN and the condition values as escaped text.
    assert.ok(seen.includes(`arn:aws:s3:::${visible(BUCKET)}`), seen);
  });

  it('the kind hover shows the glob and the bucket from the settings as text', async () => {
    // The settings are repository content too (.vscode/settings.json): the kind's reason quotes
    // the glob, the hover names the bucket setting.
    const other = new LspClient();
    try {
      other.configuration = { kinds: { '**/glob-<img src=x onerror=alert(1)>-*.json': 'bucket-policy' }, bucketName: BUCKET };
      await other.initialize();
      await other.open(globUri, bucketPolicy, 1);
      await other.diagnostics(globUri, 1);
      const md = await hover(globUri, bucketPolicy, '"Statement"', other);
      assertInert(md, 'kind hover');
      assert.ok(rendered(md).includes('maps "**/glob-<img src=x onerror=alert(1)>-*.json" to bucket-policy'), md);
      assert.ok(md.includes('\\*\\*/glob\\-&lt;img src=x onerror=alert\\(1\\)&gt;'), md);
      assert.deepEqual(codeSpansWith(md, 'evil[b]'), [visible(BUCKET)]);
    } finally {
      other.kill();
    }
  });

  it('the Explain view shows the file name, buckets, condition values and Sids as text: every tag and link is ours', async () => {
    const html = explainHtml(await explain(bucketUri), { nonce: 'n0nce' });
    assertInertHtml(html, 'Explain view');
    assert.ok(html.includes(`<title>Enforcement: ${escapeHtml(FILE)}.bucket-policy.json</title>`), html.slice(0, 600));
    assert.ok(html.includes(`<h2>Bucket ${escapeHtml(BUCKET)}</h2>`), 'the bucket in its heading, as text');
    // The hostile Sid names the deciding statement of the HTTP row, whole, as a link to its line.
    assert.ok(html.includes(`>${escapeHtml(SID, 200)}</a>`), 'the Sid as link text');
    assert.ok(
      html.includes('&lt;img src=x onerror=alert(1)&gt;') && html.includes('\\x1b[31mRED'),
      'HTML and ESC of the Sid shown, not obeyed',
    );
    // The key ARN and the user id from the conditions, as text.
    assert.ok(html.includes(escapeHtml(shortKeyArn(KEY_ARN))), 'the key ARN condition value is shown');
    assert.ok(html.includes(escapeHtml(USER_ID)), 'the aws:userid condition value is shown');
  });

  it('the key policy view shows the administrator and the Sid as text', async () => {
    const report = await explain(keyUri);
    const html = explainHtml(report, { nonce: 'n0nce' });
    assertInertHtml(html, 'key policy view');
    assert.ok(
      report.sections[0].summary[0].includes('role/[r](command:workbench.action.terminal.new)'),
      report.sections[0].summary[0],
    );
    assert.ok(html.includes(escapeHtml(report.sections[0].summary[0], 4000)), 'the summary line with the administrator, escaped');
    assert.ok(html.includes(`>${escapeHtml(SID, 200)}</a>`), 'the Sid as link text');
  });

  it('CodeLens titles and the status-bar summary are one line without controls, the verdict still shown', async () => {
    const titles = [...(await lensTitles(bucketUri)), ...(await lensTitles(keyUri))];
    assert.ok(titles.length >= 3, JSON.stringify(titles));
    for (const t of titles) {
      assert.ok(!CONTROLS.test(t) && !t.includes('\n'), JSON.stringify(t));
      assert.ok(t.length <= 400, `${t.length} characters`);
    }
    // Two buckets: each title names its bucket, then the verdict.
    assert.ok(
      titles.some(t => t.startsWith(`${visible(BUCKET)}: HTTPS: `)),
      JSON.stringify(titles),
    );
    assert.ok(
      titles.some(t => t.startsWith('plain-bucket: HTTPS: enforced')),
      JSON.stringify(titles),
    );
    const summary = ((await client.conn.sendRequest('s3EncryptionGuard/analyze', { uri: bucketUri })) as LiveAnalyzeResult)
      .summary;
    assert.deepEqual(
      summary,
      titles.filter(t => t.includes(': HTTPS: ')),
    );
  });

  it('a bucket name of 5000 characters is clipped in the CodeLens title, the verdict after it kept', async () => {
    const long = `b${'x'.repeat(5000)}`;
    // Not a bucket name itself, so the policy's buckets are the ones judged.
    const uri = 'file:///work/hostile/Long_Name.bucket-policy.json';
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${long}/*`, 'arn:aws:s3:::other/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1);
    const titles = await lensTitles(uri);
    const mine = titles.find(t => t.startsWith('bxxx'));
    assert.ok(mine, JSON.stringify(titles.map(t => t.slice(0, 40))));
    assert.ok(mine.length < 200, `${mine.length} characters`);
    assert.match(mine, /…: HTTPS: /);
  });
});
