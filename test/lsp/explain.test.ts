// The Explain report over the real language server (issue 11, item 4): the summary first, in plain
// words; request classes the policy treats alike grouped into far fewer rows than there are classes;
// every cell's word and example replayed through the engine; statements linked to their lines; and
// the report view's HTML (client/views/explain-html.ts) strict: no script, a CSP, a nonce.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { explainHtml } from '../../client/views/explain-html';
import { compilePolicy } from '../../core/engine/evaluate';
import { keyRequestFromWitness } from '../../core/engine/key-verdict';
import { explainRequests, witnessToRequest } from '../../core/engine/verdict';
import { KEY_POLICY, outcomeOf, requestClause } from '../../shared/wording';
import type { ExplainReport, ReportCell, ReportSection } from '../../protocol/protocol';
import { parsePolicy } from '../../core/policy/parse';
import { EXAMPLES } from '../helpers/paths';
import { LspClient } from './lsp-client';

const payments = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'good-payments-data.bucket-policy.json'), 'utf8')) as {
  Statement: unknown[];
};
/** The five-statement policy: the enforcement statements of the payments example (HTTPS, TLS ≥ 1.2, only SSE-KMS, only the pinned key, no SSE-C). */
const FIVE = JSON.stringify({ Version: '2012-10-17', Statement: payments.Statement.slice(0, 5) }, null, 2);
const PAYMENTS = JSON.stringify(payments, null, 2);
const KEY = fs.readFileSync(path.join(EXAMPLES, 'good-app-data.key-policy.json'), 'utf8');
/** Conditions on a principal key and a request key, a NotPrincipal Deny and an Allow: more dimensions and columns. */
const MIXED = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyFromVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::mixed-data/*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-111' } },
      },
      {
        Sid: 'OnlyAdminDeletes',
        Effect: 'Deny',
        NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/admin' },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::mixed-data/*',
      },
      {
        Sid: 'Readers',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/reader' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::mixed-data', 'arn:aws:s3:::mixed-data/*'],
      },
      {
        Sid: 'KmsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::mixed-data/*',
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      },
    ],
  },
  null,
  2,
);

const JARGON = /not-denied|explicit-deny|implicit-deny/;
/** Every string a renderer shows of a report. */
const displayed = (r: ExplainReport): string =>
  [
    r.message ?? '',
    ...r.statements.map(st => st?.label ?? ''),
    ...r.sections.flatMap(s => [
      s.heading,
      s.verdictLine,
      ...s.summary,
      ...s.columns.flatMap(c => [c.label, ...c.members]),
      ...[...s.matrices, s.details].flatMap(t => [
        t.title,
        t.note,
        t.rowHeader,
        ...t.rows.flatMap(row => [...row.parts, ...row.cells.flatMap(c => (c ? [c.word, ...c.examples.map(e => e.text)] : []))]),
      ]),
    ]),
  ].join('\n');
const cellsOf = (s: ReportSection): ReportCell[] =>
  [...s.matrices.flatMap(m => m.rows), ...s.details.rows].flatMap(r => r.cells).filter((c): c is ReportCell => c !== null);

/** Every example of every cell, replayed: the engine gives it the outcome the report states, its words are wording.ts's, and the cell's word agrees. */
function assertWordsReplay(report: ExplainReport, text: string): void {
  const compiled = compilePolicy(parsePolicy(text));
  const key = report.kind === 'key-policy';
  for (const section of report.sections) {
    for (const cell of cellsOf(section)) {
      assert.ok(cell.examples.length > 0, 'a cell has an example');
      for (const e of cell.examples) {
        const decision = compiled.evaluate(key ? keyRequestFromWitness(e.request) : witnessToRequest(e.request)).decision;
        assert.equal(outcomeOf(decision), e.outcome, `replayed: ${e.text}`);
        const words = requestClause(e.request, e.outcome, undefined, key ? KEY_POLICY : undefined);
        assert.equal(e.text, words);
      }
      const outcomes = new Set(cell.examples.map(e => e.outcome));
      switch (cell.word) {
        case 'denied':
          assert.deepEqual([...outcomes], ['denied']);
          break;
        case 'allowed':
          assert.deepEqual([...outcomes], ['allowed']);
          break;
        case 'not denied here':
        case 'not allowed':
          assert.ok(!outcomes.has('denied'), cell.word);
          break;
        case 'partly denied':
          assert.ok(outcomes.has('denied') && outcomes.size > 1, cell.word);
          break;
      }
      // A Deny or an Allow names the statements behind it.
      if (cell.word === 'denied' || cell.word === 'allowed') assert.ok(cell.statements.length + cell.alsoBy.length > 0);
    }
  }
}

describe('Explain report over the language server', () => {
  let client: LspClient;
  const explain = async (uri: string, text: string): Promise<ExplainReport> => {
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1);
    return ((await client.conn.sendRequest('s3EncryptionGuard/explain', { uri })) as { report: ExplainReport }).report;
  };
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it('five statements: the summary first, in plain words, then a few grouped rows for hundreds of request classes', async () => {
    const uri = 'file:///work/explain/five/good-payments-data.bucket-policy.json';
    const report = await explain(uri, FIVE);
    assert.equal(report.sections.length, 1);
    const s = report.sections[0];
    assert.deepEqual(s.summary.slice(0, 2), [
      'HTTPS is enforced: every request over plain HTTP is denied.',
      'TLS 1.2 or later is required: requests over TLS 1.0 and 1.1 are denied.',
    ]);
    assert.match(s.summary[2], /^Denied: uploads with AES256; .*uploads with customer-provided keys \(SSE-C\)\.$/);
    assert.match(
      s.summary[3],
      /^Not denied here: uploads without an encryption header; uploads with aws:kms and no key id; uploads with aws:kms and key\/1234abcd…\.$/,
    );
    const shown = displayed(report);
    assert.ok(!JARGON.test(shown), `no engine jargon in what the report shows: ${JARGON.exec(shown)?.[0]}`);

    // Everyone is treated alike: one column; the raw classes (the CLI's --format json) in a handful of rows.
    const raw = explainRequests(parsePolicy(FIVE), 'good-payments-data').length;
    assert.equal(s.requestClasses, raw);
    assert.ok(raw >= 300, `${raw} request classes`);
    assert.deepEqual(
      s.columns.map(c => c.label),
      ['everyone'],
    );
    assert.ok(
      s.details.rows.length <= 10 && s.details.rows.length * 25 < raw,
      `${s.details.rows.length} rows for ${raw} classes`,
    );
    assert.deepEqual(
      s.details.rows
        .slice(0, 2)
        .map(r => [r.parts, r.cells.map(c => c && [c.word, c.statements.map(i => report.statements[i]?.label)])]),
      [
        [['over HTTP'], [['denied', ['DenyInsecureTransport']]]],
        [['over TLS 1.0 or TLS 1.1'], [['denied', ['DenyTlsBelow12']]]],
      ],
    );
    // The matrices: upload kinds and transports, each with a word.
    const [uploads, transports] = s.matrices;
    assert.deepEqual(
      uploads.rows.map(r => r.cells[0]?.word),
      ['not denied here', 'denied', 'denied', 'denied', 'denied'],
    );
    assert.deepEqual(
      transports.rows.map(r => [r.parts[0], r.cells[0]?.word]),
      [
        ['HTTP (no TLS)', 'denied'],
        ['TLS 1.0, TLS 1.1', 'denied'],
        ['TLS 1.2, TLS 1.3', 'not denied here'],
      ],
    );
    assertWordsReplay(report, FIVE);

    // Each statement links to the line of its Sid.
    const lines = FIVE.split('\n');
    for (const ref of report.statements) {
      assert.ok(ref);
      assert.match(lines[ref.range.start.line], new RegExp(`"Sid": "${ref.label}"`));
    }
  });

  it('the payments example: one column for the app role, one for everyone else; every word replays', async () => {
    const report = await explain('file:///work/explain/good-payments-data.bucket-policy.json', PAYMENTS);
    const s = report.sections[0];
    assert.deepEqual(
      s.columns.map(c => c.label),
      ['everyone else', 'role/payments-app'],
    );
    assert.ok(
      s.requestClasses >= 550 && s.details.rows.length <= 12,
      `${s.details.rows.length} rows for ${s.requestClasses} classes`,
    );
    const get = s.details.rows.find(r => r.parts.join(' · ') === 'over TLS 1.2 or TLS 1.3 · s3:GetObject');
    assert.deepEqual(
      get?.cells.map(c => c && [c.word, c.statements.map(i => report.statements[i]?.label)]),
      [
        ['not denied here', []],
        ['allowed', ['AllowAppRoleReadWrite']],
      ],
    );
    assertWordsReplay(report, PAYMENTS);
  });

  it('a key policy: who administers and who may use the key first, then the grouped table', async () => {
    const report = await explain('file:///work/explain/app-data.key-policy.json', KEY);
    const s = report.sections[0];
    assert.equal(s.summary[0], 'Administered by (may call kms:PutKeyPolicy): account 111122223333, role/KeyAdmin.');
    assert.match(s.summary[1], /^The key policy lets these callers use the key \(.*\): everyone in account 111122223333\.$/);
    assert.ok(s.details.rows.length < s.requestClasses / 10);
    assert.deepEqual(
      s.details.rows.map(r => r.cells.map(c => c?.word)),
      [['not allowed', 'allowed']],
    );
    assertWordsReplay(report, KEY);
  });

  it('more dimensions and columns: conditions, NotPrincipal, an Allow; every word replays', async () => {
    const report = await explain('file:///work/explain/mixed-data.bucket-policy.json', MIXED);
    const s = report.sections[0];
    // The reader role apart; the admin role's sessions with everyone else: NotPrincipal naming a role does not spare its sessions.
    assert.deepEqual(
      s.columns.map(c => c.label),
      ['everyone else', 'role/reader'],
    );
    assert.ok(s.columns[0].members.includes('arn:aws:iam::111122223333:role/admin'));
    assert.ok(s.details.rows.length * 5 < s.requestClasses, `${s.details.rows.length} rows for ${s.requestClasses} classes`);
    assertWordsReplay(report, MIXED);
  });

  it('a policy that does not parse, or is not one: a message, no sections', async () => {
    const broken = await explain('file:///work/explain/cut-data.bucket-policy.json', FIVE.slice(0, 200));
    assert.deepEqual(broken.sections, []);
    assert.match(broken.message ?? '', /^Line \d+, column \d+: JSON syntax error: .*AWS rejects a policy that does not parse/);
    const other = await explain('file:///work/explain/package.json', '{"name": "x", "version": "1.0.0"}');
    assert.deepEqual(other.sections, []);
    assert.match(other.message ?? '', /The report is for S3 bucket policies and KMS key policies\./);
  });

  it("the view's HTML: summary before the tables, details collapsed, no script, a strict CSP, statement links to the one reveal command", async () => {
    const report = await explain('file:///work/explain/five/good-payments-data.bucket-policy.json', FIVE);
    const html = explainHtml(report, { nonce: 'bm9uY2U0dGVzdA==' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; style-src 'nonce-bm9uY2U0dGVzdA=='; script-src 'none'; /);
    assert.ok(
      !/<script/i.test(html) && !/\son\w+=/i.test(html) && !/style="/.test(html),
      'no script, no handler, no inline style',
    );
    assert.equal((html.match(/<style nonce="bm9uY2U0dGVzdA==">/g) ?? []).length, 1);
    const summary = html.indexOf('<ul class="summary">');
    assert.ok(summary > 0 && summary < html.indexOf('<table'), 'the summary comes first');
    assert.match(html, /<details><summary>Every request class: \d+ request classes in \d+ rows<\/summary>/);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map(m => m[1]);
    assert.ok(hrefs.length > 0);
    for (const h of hrefs) {
      const m = /^command:s3EncryptionGuard\.revealPolicyRange\?(.*)$/.exec(h);
      assert.ok(m, h);
      const args = JSON.parse(
        decodeURIComponent(
          m[1]
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, '&'),
        ),
      ) as unknown[];
      assert.equal(args[0], 'file:///work/explain/five/good-payments-data.bucket-policy.json');
      assert.ok(
        args.slice(1).every(n => Number.isInteger(n)),
        JSON.stringify(args),
      );
    }
    // Every cell has its word, not only its colour.
    for (const td of html.match(/<td class="cell [a-z]+"[^>]*>.*?<\/td>/g) ?? [])
      assert.match(td, /<span class="word">.*(denied|allowed|not denied here|not allowed|does not apply)<\/span>/);
  });
});
