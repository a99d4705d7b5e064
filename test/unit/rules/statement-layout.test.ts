// Statements a quick-fix adds are written in the policy's own layout (issue 11, item 5): multi-line
// and indented like their neighbours in a pretty-printed policy (two or four spaces, tabs, CRLF line
// ends), on one line in a one-line policy; and the fix's title says that it adds a statement and
// names it. Exact outputs, one table per layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../../core/policy/parse';
import { insertMember } from '../../../core/rules/edits';
import { applyEdits } from '../../../core/rules/fixes';
import {
  addStatementsFixFor,
  addStatementsTitle,
  httpsDenyStatement,
  newStatement,
  statementsFix,
} from '../../../core/rules/templates';

const deny = newStatement(httpsDenyStatement('aws', 'b'), 'denies HTTP requests');
const ban = newStatement(
  '{"Sid":"DenySseCUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption-customer-algorithm":"false"}}}',
  'denies SSE-C uploads',
);

/** The canonical HTTP Deny, multi-line, its lines indented by `indent` (its braces) and `unit` per level, joined by `eol`. */
function prettyDeny(indent: string, unit: string, eol = '\n'): string {
  const at = (depth: number, s: string) => indent + unit.repeat(depth) + s;
  return [
    '{',
    at(1, '"Sid": "DenyInsecureTransport",'),
    at(1, '"Effect": "Deny",'),
    at(1, '"Principal": "*",'),
    at(1, '"Action": "s3:*",'),
    at(1, '"Resource": ['),
    at(2, '"arn:aws:s3:::b",'),
    at(2, '"arn:aws:s3:::b/*"'),
    at(1, '],'),
    at(1, '"Condition": {'),
    at(2, '"Bool": {'),
    at(3, '"aws:SecureTransport": "false"'),
    at(2, '}'),
    at(1, '}'),
    at(0, '}'),
  ].join(eol);
}

const oneLineDeny =
  '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';
const read = (indent: string, unit: string, eol = '\n') =>
  [
    '{',
    `${indent}${unit}"Sid": "Read",`,
    `${indent}${unit}"Effect": "Allow",`,
    `${indent}${unit}"Principal": "*",`,
    `${indent}${unit}"Action": "s3:GetObject",`,
    `${indent}${unit}"Resource": "arn:aws:s3:::b/*"`,
    `${indent}}`,
  ].join(eol);
const oneLineRead =
  '{"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}';

/** A pretty-printed policy with these statements (already laid out at depth 2), as editors and `JSON.stringify(…, null, unit)` write it. */
const pretty = (unit: string, statements: string[], eol = '\n') =>
  [
    '{',
    `${unit}"Version": "2012-10-17",`,
    `${unit}"Statement": [`,
    `${unit}${unit}${statements.join(`,${eol}${unit}${unit}`)}`,
    `${unit}]`,
    '}',
    '',
  ].join(eol);

interface LayoutCase {
  name: string;
  code: string;
  output: string;
  statements?: (typeof deny)[];
}

const cases: LayoutCase[] = [
  {
    name: 'two spaces',
    code: pretty('  ', [read('    ', '  ')]),
    output: pretty('  ', [read('    ', '  '), prettyDeny('    ', '  ')]),
  },
  {
    name: 'four spaces',
    code: pretty('    ', [read('        ', '    ')]),
    output: pretty('    ', [read('        ', '    '), prettyDeny('        ', '    ')]),
  },
  {
    name: 'tabs',
    code: pretty('\t', [read('\t\t', '\t')]),
    output: pretty('\t', [read('\t\t', '\t'), prettyDeny('\t\t', '\t')]),
  },
  {
    name: 'CRLF line ends are kept',
    code: pretty('  ', [read('    ', '  ', '\r\n')], '\r\n'),
    output: pretty('  ', [read('    ', '  ', '\r\n'), prettyDeny('    ', '  ', '\r\n')], '\r\n'),
  },
  {
    name: 'two statements: each multi-line, one after the other',
    code: pretty('  ', [read('    ', '  ')]),
    statements: [deny, ban],
    output: pretty('  ', [
      read('    ', '  '),
      prettyDeny('    ', '  '),
      [
        '{',
        '      "Sid": "DenySseCUploads",',
        '      "Effect": "Deny",',
        '      "Principal": "*",',
        '      "Action": "s3:PutObject",',
        '      "Resource": "arn:aws:s3:::b/*",',
        '      "Condition": {',
        '        "Null": {',
        '          "s3:x-amz-server-side-encryption-customer-algorithm": "false"',
        '        }',
        '      }',
        '    }',
      ].join('\n'),
    ]),
  },
  {
    name: 'a lone multi-line statement object becomes a list, one level deeper',
    code: ['{', '  "Version": "2012-10-17",', `  "Statement": ${read('  ', '  ')}`, '}'].join('\n'),
    output: [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      `    ${read('    ', '  ')},`,
      `    ${prettyDeny('    ', '  ')}`,
      '  ]',
      '}',
    ].join('\n'),
  },
  {
    name: 'a lone statement object with tabs and CRLF',
    code: ['{', '\t"Version": "2012-10-17",', `\t"Statement": ${read('\t', '\t', '\r\n')}`, '}'].join('\r\n'),
    output: [
      '{',
      '\t"Version": "2012-10-17",',
      '\t"Statement": [',
      `\t\t${read('\t\t', '\t', '\r\n')},`,
      `\t\t${prettyDeny('\t\t', '\t', '\r\n')}`,
      '\t]',
      '}',
    ].join('\r\n'),
  },
  {
    name: 'a lone one-line statement object: a one-line list',
    code: `{"Version": "2012-10-17", "Statement": ${oneLineRead}}`,
    output: `{"Version": "2012-10-17", "Statement": [${oneLineRead}, ${oneLineDeny}]}`,
  },
  {
    name: "an empty list in a pretty-printed policy: indented as the policy's members are",
    code: '{\n    "Version": "2012-10-17",\n    "Statement": []\n}\n',
    output: `{\n    "Version": "2012-10-17",\n    "Statement": [\n        ${prettyDeny('        ', '    ')}\n    ]\n}\n`,
  },
  {
    name: 'an empty list in a one-line policy',
    code: '{"Version": "2012-10-17", "Statement": []}',
    output: `{"Version": "2012-10-17", "Statement": [${oneLineDeny}]}`,
  },
  {
    name: 'a one-line policy stays one line',
    code: `{"Version": "2012-10-17", "Statement": [${oneLineRead}]}`,
    output: `{"Version": "2012-10-17", "Statement": [${oneLineRead}, ${oneLineDeny}]}`,
  },
  {
    name: 'a minified policy gets a minified statement',
    code: '{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}',
    output:
      '{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}, {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}',
  },
  {
    name: 'one-line statements, one per line: the new one on its own line, on one line',
    code: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${oneLineRead}\n  ]\n}`,
    output: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${oneLineRead},\n    ${oneLineDeny}\n  ]\n}`,
  },
  {
    name: 'statements cuddled to the brackets ("[{ … }, { … }]")',
    code: `{\n  "Version": "2012-10-17",\n  "Statement": [${read('  ', '  ')}]\n}`,
    output: `{\n  "Version": "2012-10-17",\n  "Statement": [${read('  ', '  ')}, ${prettyDeny('  ', '  ')}]\n}`,
  },
];

describe("statements a fix adds follow the policy's layout", () => {
  for (const c of cases) {
    it(c.name, () => {
      const fix = addStatementsFixFor(parsePolicy(c.code), c.statements ?? [deny]);
      assert.ok(fix);
      const out = applyEdits(c.code, fix.edits);
      assert.equal(out, c.output);
      assert.deepEqual(JSON.parse(out), JSON.parse(c.output));
    });
  }

  it("a replaced statement (statementsFix) takes the removed one's place, laid out like it", () => {
    const code = pretty('  ', [read('    ', '  '), read('    ', '  ').replace('"Read"', '"Old"')]);
    const doc = parsePolicy(code);
    const fix = statementsFix(doc, 'Replace the statement', [], [deny], doc.statements[1]);
    assert.ok(fix);
    assert.equal(applyEdits(code, fix.edits), pretty('  ', [read('    ', '  '), prettyDeny('    ', '  ')]));
    assert.equal(fix.title, 'Replace the statement, and add statement DenyInsecureTransport (denies HTTP requests)');
  });

  it('an edited lone statement object and an added statement: a list laid out as the object was', () => {
    const code = ['{', '  "Version": "2012-10-17",', `  "Statement": ${read('  ', '  ')}`, '}'].join('\n');
    const doc = parsePolicy(code);
    const sid = doc.statements[0].sid!;
    const fix = statementsFix(doc, 'Rename it', [{ span: sid.span, newText: '"Renamed"' }], [deny]);
    assert.ok(fix);
    assert.equal(
      applyEdits(code, fix.edits),
      [
        '{',
        '  "Version": "2012-10-17",',
        '  "Statement": [',
        `    ${read('    ', '  ').replace('"Read"', '"Renamed"')},`,
        `    ${prettyDeny('    ', '  ')}`,
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('a member inserted into a CRLF file keeps CRLF', () => {
    const code = '{\r\n  "Effect": "Deny",\r\n  "Action": "s3:*"\r\n}';
    assert.equal(
      applyEdits(code, [insertMember(code, parsePolicy(code).root!, '"Sid": "S"', 'first')]),
      '{\r\n  "Sid": "S",\r\n  "Effect": "Deny",\r\n  "Action": "s3:*"\r\n}',
    );
  });
});

describe('the title of a fix that adds statements names them', () => {
  it('one statement: its Sid and what it does', () => {
    assert.equal(addStatementsTitle([deny]), 'Add statement DenyInsecureTransport (denies HTTP requests)');
    assert.equal(
      addStatementsFixFor(parsePolicy(`{"Statement": [${oneLineRead}]}`), [deny])?.title,
      'Add statement DenyInsecureTransport (denies HTTP requests)',
    );
  });
  it('several statements', () => {
    assert.equal(
      addStatementsTitle([deny, ban]),
      'Add statements DenyInsecureTransport (denies HTTP requests) and DenySseCUploads (denies SSE-C uploads)',
    );
  });
  it('a fix that only adds statements is titled by them', () => {
    const doc = parsePolicy(`{"Statement": [${oneLineRead}]}`);
    assert.equal(statementsFix(doc, undefined, [], [ban])?.title, 'Add statement DenySseCUploads (denies SSE-C uploads)');
  });
});
