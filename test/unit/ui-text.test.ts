// Names and messages from an endpoint on their way into the editor's UI (client/views/ui-text.ts,
// posture-model.ts's tooltips, plainLine in shared/escape.ts): Markdown tooltips escape
// them, plain text keeps them on one line with controls visible, and the two places where VS Code
// reads syntax in plain text (`$(icon)`, `[label](command:…)` in notifications) get neither.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { plainLine } from '../../shared/escape';
import type { BucketPosture } from '../../aws/types';
import { postureChecks } from '../../aws/checks';
import { postureTree, type PostureNode } from '../../client/views/posture-model';
import { iconSafe, messageValue, treeItemText, verdictStatusText, verdictTooltip } from '../../client/views/ui-text';
import { CONTROLS, inlineSegments, markdownProblems, rendered } from '../helpers/markdown';

const ESC = '\u001b';
const HOSTILE = `[Click to fix](command:workbench.action.terminal.new) ![x](https://evil.example/p.png) <img src=x> \`a|b\` $(gear)${ESC}[2J\u202e\nsecond line`;
const visible = (s: string): string => s.replace(/\n/g, ' ').split(ESC).join('\\x1b').split('\u202e').join('\\u{202e}');

describe('plain text in the editor UI', () => {
  it('plainLine: one line, controls and bidirectional overrides visible, clipped', () => {
    assert.equal(plainLine(`a\r\nb\nc${ESC}]0;title\u0007\u202ed`), 'a b c\\x1b]0;title\\x07\\u{202e}d');
    assert.equal(plainLine('x'.repeat(1000), 50).length, 50);
    assert.ok(plainLine('x'.repeat(1000), 50).endsWith('…'));
  });

  it('iconSafe: `$(name)` shows as text where VS Code would render an icon', () => {
    assert.equal(iconSafe('bucket $(gear) and $(sync~spin)'), 'bucket \\$(gear) and \\$(sync~spin)');
    // Not an icon for VS Code: left alone (a backslash would show).
    assert.equal(iconSafe('price $5 (a_b) $(a_b)'), 'price $5 (a_b) $(a_b)');
    assert.equal(iconSafe(`two\nlines${ESC}`), 'two lines\\x1b');
  });

  it('messageValue: no `[label](target)` a notification would render as a link; one line; clipped', () => {
    const m = messageValue(HOSTILE);
    assert.ok(!m.includes(']('), m);
    assert.ok(!m.includes('\n') && !CONTROLS.test(m), m);
    assert.ok(m.startsWith('[Click to fix] (command:'), m);
    assert.ok(messageValue('y'.repeat(5000)).length <= 200);
  });

  it('treeItemText: label and description on one line, clipped, and the screen-reader label from them', () => {
    const t = treeItemText({ label: HOSTILE, description: `AccessDenied: ${'z'.repeat(1000)}\nmore`, status: 'warn' });
    assert.equal(t.label, plainLine(HOSTILE, 120));
    assert.ok(!CONTROLS.test(t.label) && !t.label.includes('\n'));
    assert.ok(t.description!.length <= 200 && !t.description!.includes('\n'));
    assert.equal(t.accessibility, `${t.label}: ${t.description} (warning)`);
    assert.equal(treeItemText({ label: 'ok', status: 'info' }).accessibility, 'ok');
  });

  it('the status bar: marks in our words in its text, the verdict escaped in its tooltip, at most 20 lines', () => {
    const summary = [`${HOSTILE}: HTTPS: enforced`, 'plain: HTTPS: not enforced'];
    assert.equal(
      verdictStatusText(
        'bucket-policy',
        [
          { label: 'HTTPS', status: 'pass' },
          { label: 'SSE', status: 'warn' },
        ],
        summary.length,
      ),
      'S3: ✓ HTTPS ⚠ SSE (+1 buckets)',
    );
    const tip = verdictTooltip('bucket-policy', summary);
    assert.deepEqual(markdownProblems(tip), []);
    assert.ok(rendered(tip).includes(`- ${visible(HOSTILE)}: HTTPS: enforced`), tip);
    const many = verdictTooltip(
      'bucket-policy',
      Array.from({ length: 50 }, (_, i) => `b${i}: HTTPS: enforced`),
    );
    assert.equal(many.split('\n').filter(l => l.startsWith('- ')).length, 21);
    assert.match(many, /- … and 30 more buckets/);
  });
});

describe('live view tooltips with hostile names from an endpoint', () => {
  const bucketText = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: HOSTILE,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::x', 'arn:aws:s3:::x/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
  const verdict = analyze(bucketText, '/live.bucket-policy.json', { bucketName: HOSTILE }).verdicts![0];
  const keyText = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::111122223333:role/${HOSTILE}` }, Action: 'kms:*', Resource: '*' },
    ],
  });
  const keyVerdict = analyze(keyText, '/live.key-policy.json', {}).keyVerdict!;
  const bucket: BucketPosture = {
    name: HOSTILE,
    region: `eu-west-1${HOSTILE}`,
    defaultEncryption: {
      algorithm: 'aws:kms',
      kmsKeyId: `arn:aws:kms:eu-west-1:111122223333:key/${HOSTILE}`,
      bucketKeyEnabled: false,
    },
    policy: { present: true, verdict, text: bucketText },
    publicAccessBlock: null,
    kmsKey: {
      arn: `arn:aws:kms:eu-west-1:111122223333:key/${HOSTILE}`,
      state: HOSTILE,
      rotation: false,
      keySpec: HOSTILE,
      region: HOSTILE,
      policyVerdict: keyVerdict,
    },
    checks: [],
    errors: [
      { call: 'GetPublicAccessBlock', code: `AccessDenied${HOSTILE}`, message: HOSTILE },
      { call: 'GetBucketTagging', code: 'Other', message: HOSTILE },
    ],
  };
  // The checks the tree renders, from these facts, and two that hold the hostile text themselves.
  bucket.checks = [
    ...postureChecks(
      bucket,
      { encryption: true, policy: true, publicAccessBlock: false },
      { https: true, minTlsVersion: '1.2', sse: [], kmsKeyArns: [HOSTILE], headerlessUploads: 'deny' },
    ),
    { id: 'https', status: 'fail', message: `HTTP requests get through: ${HOSTILE}`, detail: HOSTILE },
    { id: HOSTILE, status: 'warn', message: HOSTILE },
  ];
  const root = postureTree(
    { buckets: [bucket], errors: [{ call: 'ListBuckets', code: HOSTILE, message: HOSTILE }] },
    { connection: { profile: HOSTILE, endpoint: `https://evil.example/${HOSTILE}` }, wantedTls: HOSTILE },
  );
  const all = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(all)];

  it('every tooltip is inert Markdown', () => {
    const nodes = all(root);
    assert.ok(nodes.length > 15, `${nodes.length} nodes`);
    for (const n of nodes) {
      if (n.tooltip) assert.deepEqual(markdownProblems(n.tooltip), [], `${n.id}: ${n.tooltip}`);
    }
  });

  it('the values are shown whole, as text or as one code span', () => {
    const node = all(root).find(n => n.kind === 'bucket')!;
    assert.ok(rendered(node.tooltip!).startsWith(`**${visible(HOSTILE)}** (eu-west-1${visible(HOSTILE)})`), node.tooltip);
    const policy = all(root).find(n => n.kind === 'policy')!;
    const spans = inlineSegments(policy.tooltip!.split('\n')[0])
      .filter(s => s.kind === 'code')
      .map(s => s.value);
    assert.deepEqual(spans, [visible(HOSTILE)]);
    const denied = all(root).find(n => n.kind === 'error' && n.label === 'Block Public Access')!;
    assert.ok(rendered(denied.tooltip!).includes(visible(HOSTILE)), denied.tooltip);
    // The plain parts stay as the backend gave them; the tree makes them one line when it shows them.
    assert.equal(denied.description, `AccessDenied${HOSTILE}: ${HOSTILE}`);
    assert.ok(!treeItemText(denied).description!.includes('\n'));
  });
});
