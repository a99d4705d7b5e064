// Grouping request classes that behave the same (engine/verdict.ts groupExplainGrid, the rows and
// columns of the Explain report): every class of a grid lands in exactly one row and one column,
// whose cell has the class's decision and names only statements that decide it, leaving none out.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { explainKeyGrid } from '../../core/engine/key-verdict';
import { explainGrid, groupExplainGrid, policyBuckets, type ExplainGrid } from '../../core/engine/verdict';
import { parsePolicy } from '../../core/policy/parse';
import { EXAMPLES } from '../helpers/paths';

const example = (file: string) => fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
/** Conditions on a request key, a NotPrincipal Deny and an Allow: more dimensions and columns. */
const MIXED = JSON.stringify({
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
      Sid: 'OrgOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::mixed-data/*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
    },
  ],
});

/** Every request class of a grid is in exactly one row and column of its grouping, with that cell's decision and statements. */
function assertGroupingCovers(grid: ExplainGrid): number {
  const g = groupExplainGrid(grid);
  const columnOf = new Map<number, number>();
  g.columns.forEach((c, i) => {
    for (const m of c.members) {
      assert.ok(!columnOf.has(m), 'a principal in one column');
      columnOf.set(m, i);
    }
  });
  let covered = 0;
  for (const c of grid.classes) {
    const col = columnOf.get(c.principal);
    assert.ok(col !== undefined, 'every principal has a column');
    const rows = g.rows.filter(r => r.scope.every((s, d) => s === null || s.values.includes(c.coords[d])));
    assert.equal(rows.length, 1, `one row for ${JSON.stringify(c.coords)}`);
    const cell = rows[0].cells[col];
    assert.ok(cell, 'the row has a cell for the class');
    assert.equal(cell.decision, c.decision, JSON.stringify(c.request));
    for (const i of cell.statements) assert.ok(c.statements.includes(i), `statement ${i} decides ${JSON.stringify(c.request)}`);
    for (const i of c.statements)
      assert.ok(cell.statements.includes(i) || cell.alsoBy.includes(i), 'no deciding statement is left out');
    covered++;
  }
  return covered;
}

describe('grouping request classes for the Explain report', () => {
  it('grouping: every request class in exactly one row and column, with its decision and statements', () => {
    let classes = 0;
    for (const text of [
      example('good-payments-data.bucket-policy.json'),
      example('orders-data.bucket-policy.json'),
      example('bad-missing-slash-star.bucket-policy.json'),
      MIXED,
    ]) {
      const doc = parsePolicy(text);
      classes += assertGroupingCovers(explainGrid(doc, policyBuckets(doc)[0]));
    }
    for (const file of ['good-app-data.key-policy.json', 'bad-app-data.key-policy.json']) {
      classes += assertGroupingCovers(explainKeyGrid(parsePolicy(example(file))));
    }
    assert.ok(classes > 3000, `${classes} classes checked`);
  });

  it('groups hundreds of classes into a few rows and the callers a policy treats alike into one column', () => {
    const doc = parsePolicy(example('good-payments-data.bucket-policy.json'));
    const grid = explainGrid(doc, 'good-payments-data');
    const g = groupExplainGrid(grid);
    assert.equal(grid.classes.length, 550);
    assert.equal(g.columns.length, 2);
    assert.ok(g.rows.length <= 10, `${g.rows.length} rows`);
    // The app role alone; anonymous callers, other principals and the log delivery service together.
    assert.deepEqual(
      g.columns.map(c => c.members.map(i => grid.principals[i].role)),
      [['anonymous', 'account-other', 'outsider', 'service'], ['named']],
    );
  });
});
