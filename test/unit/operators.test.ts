import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_OPERATOR_NAMES,
  BASE_OPERATORS,
  containsPolicyVariable,
  formatOperator,
  isNullIfExists,
  likeFormOf,
  parseOperator,
  resultWhenKeyAbsent,
} from '../../core/policy/operators';
import { containsWildcard } from '../../core/policy/wildcard';

const parsed = (name: string) => {
  const o = parseOperator(name);
  assert.ok(o, `${name} should parse`);
  return o;
};

describe('operator table', () => {
  it('has the 27 base operators of the IAM reference', () => {
    assert.equal(BASE_OPERATORS.length, 27);
    const families = new Set(BASE_OPERATORS.map(b => b.family));
    assert.deepEqual([...families].sort(), ['Arn', 'Binary', 'Bool', 'Date', 'IpAddress', 'Null', 'Numeric', 'String']);
  });

  it('lists every name: 26 bases × (plain, IfExists) + Null, each with no prefix or a set prefix', () => {
    assert.equal(ALL_OPERATOR_NAMES.length, (26 * 2 + 1) * 3);
    assert.equal(new Set(ALL_OPERATOR_NAMES).size, ALL_OPERATOR_NAMES.length);
    for (const n of ALL_OPERATOR_NAMES) {
      const o = parsed(n);
      assert.equal(o.canonical, n);
      assert.equal(o.caseMismatch, false);
    }
    assert.ok(!ALL_OPERATOR_NAMES.includes('NullIfExists'));
  });
});

describe('parseOperator', () => {
  const cases: [string, Partial<ReturnType<typeof parsed>>][] = [
    [
      'StringEquals',
      { base: 'StringEquals', family: 'String', negated: false, like: false, ignoreCase: false, ifExists: false, set: undefined },
    ],
    ['StringNotEqualsIfExists', { base: 'StringNotEquals', family: 'String', negated: true, like: false, ifExists: true }],
    ['StringNotEqualsIgnoreCase', { base: 'StringNotEqualsIgnoreCase', negated: true, ignoreCase: true }],
    ['StringLike', { like: true, negated: false }],
    ['StringNotLike', { like: true, negated: true }],
    ['ForAnyValue:StringLike', { set: 'ForAnyValue', base: 'StringLike', like: true }],
    ['ForAllValues:StringNotEqualsIfExists', { set: 'ForAllValues', base: 'StringNotEquals', ifExists: true, negated: true }],
    ['NumericLessThanEquals', { family: 'Numeric', comparison: 'lte', negated: false }],
    ['NumericNotEquals', { family: 'Numeric', comparison: 'eq', negated: true }],
    ['DateGreaterThan', { family: 'Date', comparison: 'gt' }],
    ['DateLessThanIfExists', { family: 'Date', comparison: 'lt', ifExists: true }],
    ['Bool', { family: 'Bool' }],
    ['BoolIfExists', { family: 'Bool', ifExists: true }],
    ['BinaryEquals', { family: 'Binary' }],
    ['IpAddress', { family: 'IpAddress', negated: false }],
    ['NotIpAddressIfExists', { family: 'IpAddress', negated: true, ifExists: true }],
    ['ArnEquals', { family: 'Arn', like: true, negated: false }],
    ['ArnNotLike', { family: 'Arn', like: true, negated: true }],
    ['Null', { family: 'Null', ifExists: false }],
    ['ForAnyValue:Null', { family: 'Null', set: 'ForAnyValue' }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => {
      const o = parsed(name);
      for (const [k, v] of Object.entries(expected))
        assert.equal((o as unknown as Record<string, unknown>)[k], v, `${name}.${k}`);
      assert.equal(o.canonical, name);
      assert.equal(o.caseMismatch, false);
    });
  }

  it('accepts other casings, flags them and gives the canonical name', () => {
    const o = parsed('stringequalsifexists');
    assert.equal(o.canonical, 'StringEqualsIfExists');
    assert.equal(o.caseMismatch, true);
    const p = parsed('foranyvalue:StringLike');
    assert.equal(p.canonical, 'ForAnyValue:StringLike');
    assert.equal(p.caseMismatch, true);
    assert.equal(parsed('IPAddress').canonical, 'IpAddress');
  });

  it('rejects NullIfExists in any form', () => {
    for (const n of ['NullIfExists', 'nullifexists', 'ForAllValues:NullIfExists']) {
      assert.equal(parseOperator(n), undefined, n);
      assert.ok(isNullIfExists(n), n);
    }
    assert.ok(!isNullIfExists('Null'));
  });

  it('returns undefined for unknown operators and never throws', () => {
    const bad: unknown[] = [
      '',
      'StringEqual',
      'StringEqualsIfExistsIfExists',
      'ForSomeValues:StringEquals',
      'ForAnyValue:',
      ':StringEquals',
      'ForAnyValue:ForAllValues:StringEquals',
      'String Equals',
      'BinaryNotEquals',
      'x'.repeat(10000),
      'toString',
      '__proto__',
      'constructor',
      undefined,
      null,
      42,
    ];
    for (const n of bad) assert.equal(parseOperator(n as string), undefined, String(n).slice(0, 40));
  });
});

describe('operator helpers', () => {
  it('formatOperator builds names from parts', () => {
    assert.equal(formatOperator('StringLike'), 'StringLike');
    assert.equal(formatOperator('StringLike', { set: 'ForAnyValue', ifExists: true }), 'ForAnyValue:StringLikeIfExists');
  });

  it('likeFormOf keeps prefix and suffix, and picks Arn forms for ARN keys', () => {
    assert.equal(likeFormOf(parsed('StringEquals')), 'StringLike');
    assert.equal(likeFormOf(parsed('ForAnyValue:StringNotEqualsIfExists')), 'ForAnyValue:StringNotLikeIfExists');
    assert.equal(likeFormOf(parsed('StringNotEqualsIgnoreCase')), 'StringNotLike');
    assert.equal(likeFormOf(parsed('StringNotEquals'), true), 'ArnNotLike');
    assert.equal(likeFormOf(parsed('ArnEquals')), 'ArnLike');
    assert.equal(likeFormOf(parsed('NumericEquals')), undefined);
  });

  it('resultWhenKeyAbsent follows docs/design/aws-facts.md#table-0-2', () => {
    const r = (name: string, values: unknown[] = []) => resultWhenKeyAbsent(parsed(name), values);
    assert.equal(r('StringEquals'), false);
    assert.equal(r('StringNotEquals'), true);
    assert.equal(r('NotIpAddress'), true);
    assert.equal(r('ArnNotLike'), true);
    assert.equal(r('NumericLessThan'), false);
    assert.equal(r('Bool'), false);
    assert.equal(r('StringEqualsIfExists'), true);
    assert.equal(r('ForAllValues:StringEquals'), true);
    assert.equal(r('ForAnyValue:StringNotEquals'), false);
    assert.equal(r('ForAnyValue:StringEqualsIfExists'), undefined);
    assert.equal(r('Null', ['true']), true);
    assert.equal(r('Null', [true]), true);
    assert.equal(r('Null', ['false']), false);
    assert.equal(r('Null', ['true', 'false']), undefined);
    assert.equal(r('Null', ['yes']), undefined);
    assert.equal(r('ForAllValues:Null', ['false']), true);
    assert.equal(r('ForAnyValue:Null', ['true']), false);
  });

  it('finds policy variables and wildcards, honouring the ${*} and ${?} escapes', () => {
    assert.ok(containsPolicyVariable('arn:aws:s3:::b/${aws:username}/*'));
    assert.ok(!containsPolicyVariable('$aws:username'));
    assert.ok(containsWildcard('arn:aws:kms:*:111122223333:key/*'));
    assert.ok(containsWildcard('a?c'));
    assert.ok(!containsWildcard('literal${*}star'));
    assert.ok(!containsWildcard('home/${aws:username}'));
    assert.ok(containsWildcard('home/${aws:username}/*'));
  });
});
