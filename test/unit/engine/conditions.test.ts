// Condition evaluation. Expectations are written by hand from docs/design/aws-facts.md#table-0-2 / EVAL-002…007 and the
// IAM User Guide (condition operators, multi-value conditions, policy variables) — never computed
// with the code under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCondition } from '../../../core/engine/conditions';
import type { Applies, Request } from '../../../shared/types';
import type { ConditionBlock } from '../../../core/policy/model';
import { parsePolicy } from '../../../core/policy/parse';

/** The Condition block of a one-statement policy. */
function block(condition: unknown): ConditionBlock {
  const doc = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Condition: condition }] }));
  const c = doc.statements[0]?.condition;
  assert.ok(c, 'the test policy has a Condition');
  return c;
}

/** A request whose context holds exactly `context` (keys lower-cased, as the engine stores them). */
function request(context: Request['context'] = {}): Request {
  const lower: Request['context'] = {};
  for (const [k, v] of Object.entries(context)) lower[k.toLowerCase()] = v;
  return { principal: { kind: 'anonymous' }, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', context: lower };
}

const evaluate = (condition: unknown, context?: Request['context'], opts?: { variables?: boolean }): Applies =>
  evaluateCondition(block(condition), request(context), opts);

// ---------------------------------------------------------------------------------------------
// The operator table

/**
 * One row per base operator (Null has its own table below): a policy value, a request value for
 * which the condition is true, one for which it is false, and the result when the key is absent
 * (docs/design/aws-facts.md#table-0-2: negated operators true, the others false).
 */
interface Row {
  op: string;
  value: unknown;
  yes: string;
  no: string;
  absent: boolean;
}

const KMS_KEYS = 'arn:aws:kms:*:111122223333:key/*';
const OUR_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd';
const THEIR_KEY = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd';
const DAY = '2020-01-01T00:00:00Z';
const BINARY = 'QmluYXJ5VmFsdWVJbkJhc2U2NA==';

const TABLE: Row[] = [
  { op: 'StringEquals', value: 'AES256', yes: 'AES256', no: 'aes256', absent: false },
  { op: 'StringNotEquals', value: 'AES256', yes: 'aws:kms', no: 'AES256', absent: true },
  { op: 'StringEqualsIgnoreCase', value: 'AES256', yes: 'aes256', no: 'aws:kms', absent: false },
  { op: 'StringNotEqualsIgnoreCase', value: 'AES256', yes: 'aws:kms', no: 'aes256', absent: true },
  { op: 'StringLike', value: 'home/*', yes: 'home/alice', no: 'Home/alice', absent: false },
  { op: 'StringNotLike', value: 'home/*', yes: 'tmp/alice', no: 'home/alice', absent: true },
  { op: 'NumericEquals', value: '1.2', yes: '1.2', no: '1.3', absent: false },
  { op: 'NumericNotEquals', value: '1.2', yes: '1.3', no: '1.20', absent: true },
  { op: 'NumericLessThan', value: '1.2', yes: '1.1', no: '1.2', absent: false },
  { op: 'NumericLessThanEquals', value: '1.2', yes: '1.2', no: '1.3', absent: false },
  { op: 'NumericGreaterThan', value: '1.2', yes: '1.3', no: '1.2', absent: false },
  { op: 'NumericGreaterThanEquals', value: '1.2', yes: '1.2', no: '1.1', absent: false },
  { op: 'DateEquals', value: DAY, yes: DAY, no: '2020-01-01T00:00:01Z', absent: false },
  { op: 'DateNotEquals', value: DAY, yes: '2021-06-01T00:00:00Z', no: DAY, absent: true },
  { op: 'DateLessThan', value: DAY, yes: '2019-12-31T23:59:59Z', no: DAY, absent: false },
  { op: 'DateLessThanEquals', value: DAY, yes: DAY, no: '2020-01-01T00:00:01Z', absent: false },
  { op: 'DateGreaterThan', value: DAY, yes: '2020-01-01T00:00:01Z', no: DAY, absent: false },
  { op: 'DateGreaterThanEquals', value: DAY, yes: DAY, no: '2019-12-31T23:59:59Z', absent: false },
  { op: 'Bool', value: 'false', yes: 'false', no: 'true', absent: false },
  { op: 'BinaryEquals', value: BINARY, yes: BINARY, no: 'T3RoZXI=', absent: false },
  { op: 'IpAddress', value: '203.0.113.0/24', yes: '203.0.113.7', no: '198.51.100.7', absent: false },
  { op: 'NotIpAddress', value: '203.0.113.0/24', yes: '198.51.100.7', no: '203.0.113.7', absent: true },
  { op: 'ArnEquals', value: KMS_KEYS, yes: OUR_KEY, no: THEIR_KEY, absent: false },
  { op: 'ArnLike', value: KMS_KEYS, yes: OUR_KEY, no: THEIR_KEY, absent: false },
  { op: 'ArnNotEquals', value: KMS_KEYS, yes: THEIR_KEY, no: OUR_KEY, absent: true },
  { op: 'ArnNotLike', value: KMS_KEYS, yes: THEIR_KEY, no: OUR_KEY, absent: true },
];

/** The policy writes the key in mixed case; the request context holds it lower-cased (key names are case-insensitive). */
const POLICY_KEY = 'Test:SomeKey';
const CONTEXT_KEY = 'test:somekey';

interface Case {
  name: string;
  context: Request['context'];
  expected: Applies;
}

/** The cases for one row; the expected values follow from the row and the documented rules, spelled out per case. */
function cases(row: Row): [string, Case[]][] {
  const { yes, no, absent } = row;
  const at = (v: string | string[] | undefined): Request['context'] => (v === undefined ? {} : { [CONTEXT_KEY]: v });
  return [
    [
      row.op,
      [
        { name: 'key present, condition met', context: at(yes), expected: true },
        { name: 'key present, condition not met', context: at(no), expected: false },
        { name: 'key absent', context: at(undefined), expected: absent },
        { name: 'one-element list, met', context: at([yes]), expected: true },
        { name: 'several request values without a set operator (undocumented)', context: at([yes, no]), expected: 'unknown' },
      ],
    ],
    [
      `${row.op}IfExists`,
      [
        { name: 'key present, condition met', context: at(yes), expected: true },
        { name: 'key present, condition not met', context: at(no), expected: false },
        { name: 'key absent → true', context: at(undefined), expected: true },
      ],
    ],
    [
      `ForAnyValue:${row.op}`,
      [
        { name: 'one of several values meets it', context: at([no, yes]), expected: true },
        { name: 'none of several values meets it', context: at([no, no]), expected: false },
        { name: 'single value meets it', context: at(yes), expected: true },
        { name: 'single value does not', context: at(no), expected: false },
        { name: 'empty list → false', context: at([]), expected: false },
        { name: 'empty string → false', context: at(''), expected: false },
        { name: 'key absent → false', context: at(undefined), expected: false },
      ],
    ],
    [
      `ForAllValues:${row.op}`,
      [
        { name: 'every value meets it', context: at([yes, yes]), expected: true },
        { name: 'one value does not', context: at([yes, no]), expected: false },
        { name: 'single value does not', context: at(no), expected: false },
        { name: 'empty list → true', context: at([]), expected: true },
        { name: 'empty string → true', context: at(''), expected: true },
        { name: 'key absent → true', context: at(undefined), expected: true },
      ],
    ],
    [
      `ForAllValues:${row.op}IfExists`,
      [
        { name: 'key absent → true', context: at(undefined), expected: true },
        { name: 'one value does not', context: at([yes, no]), expected: false },
      ],
    ],
    // IfExists says true, ForAnyValue says false: AWS does not say which wins (operators.ts).
    [
      `ForAnyValue:${row.op}IfExists`,
      [
        { name: 'key absent → unknown (the documented rules disagree)', context: at(undefined), expected: 'unknown' },
        { name: 'one of several values meets it', context: at([no, yes]), expected: true },
      ],
    ],
  ];
}

describe('condition operators: present / absent / IfExists / set operators', () => {
  it('covers the 26 base operators besides Null', () => {
    assert.equal(new Set(TABLE.map(r => r.op)).size, 26);
  });
  for (const row of TABLE) {
    describe(row.op, () => {
      for (const [operator, list] of cases(row)) {
        for (const c of list) {
          it(`${operator}: ${c.name}`, () => {
            assert.equal(evaluate({ [operator]: { [POLICY_KEY]: row.value } }, c.context), c.expected);
          });
        }
      }
    });
  }
});

describe('Null', () => {
  const table: [string, unknown, 'absent' | 'present', Applies][] = [
    ['Null', 'true', 'absent', true],
    ['Null', 'true', 'present', false],
    ['Null', 'false', 'absent', false],
    ['Null', 'false', 'present', true],
    ['Null', true, 'absent', true],
    ['Null', false, 'present', true],
    // Undocumented spellings and contradictory lists are not guessed.
    ['Null', 'TRUE', 'absent', 'unknown'],
    ['Null', ['true', 'false'], 'present', 'unknown'],
    // Access Analyzer "Null with qualifier": ForAllValues always true, ForAnyValue always false.
    ['ForAllValues:Null', 'false', 'absent', true],
    ['ForAllValues:Null', 'true', 'present', true],
    ['ForAnyValue:Null', 'true', 'absent', false],
    ['ForAnyValue:Null', 'false', 'present', false],
    // Not an operator (Access Analyzer "Null with if exists").
    ['NullIfExists', 'true', 'absent', 'unknown'],
  ];
  for (const [op, value, state, expected] of table) {
    it(`${op} ${JSON.stringify(value)} with the key ${state} → ${String(expected)}`, () => {
      const context: Request['context'] = state === 'present' ? { 's3:x-amz-server-side-encryption': 'AES256' } : {};
      assert.equal(evaluate({ [op]: { 's3:x-amz-server-side-encryption': value } }, context), expected);
    });
  }
  it('an empty request list counts as absent', () => {
    assert.equal(evaluate({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] }), true);
  });
});

// ---------------------------------------------------------------------------------------------
// AND / OR

describe('AND across operators and keys, OR across values', () => {
  const sse = 's3:x-amz-server-side-encryption';
  it('values are ORed', () => {
    assert.equal(evaluate({ StringEquals: { [sse]: ['AES256', 'aws:kms'] } }, { [sse]: 'aws:kms' }), true);
    assert.equal(evaluate({ StringEquals: { [sse]: ['AES256', 'aws:kms'] } }, { [sse]: 'aws:kms:dsse' }), false);
  });
  it('a negated operator needs the value to differ from every listed value', () => {
    assert.equal(evaluate({ StringNotEquals: { [sse]: ['AES256', 'aws:kms'] } }, { [sse]: 'aws:kms' }), false);
    assert.equal(evaluate({ StringNotEquals: { [sse]: ['AES256', 'aws:kms'] } }, { [sse]: 'aws:kms:dsse' }), true);
    assert.equal(
      evaluate({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } }, { 'aws:SourceIp': '198.51.100.9' }),
      false,
    );
  });
  it('keys under one operator are ANDed', () => {
    const c = { StringEquals: { [sse]: 'aws:kms', 'aws:SourceVpce': 'vpce-1' } };
    assert.equal(evaluate(c, { [sse]: 'aws:kms', 'aws:SourceVpce': 'vpce-1' }), true);
    assert.equal(evaluate(c, { [sse]: 'aws:kms', 'aws:SourceVpce': 'vpce-2' }), false);
  });
  it('operators are ANDed', () => {
    const c = { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { [sse]: 'aws:kms' } };
    assert.equal(evaluate(c, { 'aws:SecureTransport': 'true', [sse]: 'aws:kms' }), true);
    assert.equal(evaluate(c, { 'aws:SecureTransport': 'false', [sse]: 'aws:kms' }), false);
  });
  it('false wins over unknown in an AND; true needs every part', () => {
    const c = { Bool: { 'aws:SecureTransport': 'TRUE' }, StringEquals: { [sse]: 'aws:kms' } };
    assert.equal(evaluate(c, { 'aws:SecureTransport': 'true', [sse]: 'AES256' }), false);
    assert.equal(evaluate(c, { 'aws:SecureTransport': 'true', [sse]: 'aws:kms' }), 'unknown');
  });
  it('condition key names are case-insensitive', () => {
    assert.equal(evaluate({ Bool: { 'AWS:SECURETRANSPORT': 'false' } }, { 'aws:securetransport': 'false' }), true);
  });
  it('no Condition applies always', () => {
    assert.equal(evaluateCondition(undefined, request()), true);
  });
  it('an empty Condition object has nothing to fail', () => {
    assert.equal(evaluate({}, {}), true);
  });
});

// ---------------------------------------------------------------------------------------------
// Values per family

describe('Bool', () => {
  const key = 'aws:SecureTransport';
  it('"false" and false are the same', () => {
    assert.equal(evaluate({ Bool: { [key]: 'false' } }, { [key]: 'false' }), true);
    assert.equal(evaluate({ Bool: { [key]: false } }, { [key]: 'false' }), true);
    assert.equal(evaluate({ Bool: { [key]: false } }, { [key]: 'true' }), false);
    assert.equal(evaluate({ Bool: { [key]: true } }, { [key]: 'true' }), true);
  });
  it('"FALSE" / "True" are undocumented (EVAL-007): unknown, not guessed', () => {
    assert.equal(evaluate({ Bool: { [key]: 'FALSE' } }, { [key]: 'false' }), 'unknown');
    assert.equal(evaluate({ Bool: { [key]: 'True' } }, { [key]: 'false' }), 'unknown');
    assert.equal(evaluate({ Bool: { [key]: 'no' } }, { [key]: 'false' }), 'unknown');
  });
  it('a listed valid value that matches decides despite an invalid one', () => {
    assert.equal(evaluate({ Bool: { [key]: ['false', 'no'] } }, { [key]: 'false' }), true);
    assert.equal(evaluate({ Bool: { [key]: ['false', 'no'] } }, { [key]: 'true' }), 'unknown');
  });
  it('both values listed: true whenever the key is present', () => {
    assert.equal(evaluate({ Bool: { [key]: ['true', 'false'] } }, { [key]: 'true' }), true);
    assert.equal(evaluate({ Bool: { [key]: ['true', 'false'] } }, {}), false);
  });
  it('a request value that is not a Boolean is unknown', () => {
    assert.equal(evaluate({ Bool: { [key]: 'false' } }, { [key]: 'yes' }), 'unknown');
  });
});

describe('Numeric', () => {
  const key = 's3:TlsVersion';
  it('"1.2" and 1.2 are the same number', () => {
    assert.equal(evaluate({ NumericLessThan: { [key]: '1.2' } }, { [key]: '1.1' }), true);
    assert.equal(evaluate({ NumericLessThan: { [key]: 1.2 } }, { [key]: '1.1' }), true);
    assert.equal(evaluate({ NumericLessThan: { [key]: 1.2 } }, { [key]: '1.3' }), false);
    assert.equal(evaluate({ NumericEquals: { [key]: 1.2 } }, { [key]: '1.20' }), true);
  });
  it('compares numerically, not as text or versions', () => {
    assert.equal(evaluate({ NumericLessThan: { [key]: '1.9' } }, { [key]: '1.10' }), true);
    assert.equal(evaluate({ NumericGreaterThan: { 's3:max-keys': '9' } }, { 's3:max-keys': '10' }), true);
  });
  it('"TLS1.2" is not a number: unknown', () => {
    assert.equal(evaluate({ NumericLessThan: { [key]: 'TLS1.2' } }, { [key]: '1.1' }), 'unknown');
    assert.equal(evaluate({ NumericLessThan: { [key]: '1.2 ' } }, { [key]: '1.1' }), 'unknown');
    assert.equal(evaluate({ NumericLessThan: { [key]: '1.2' } }, { [key]: 'TLS1.1' }), 'unknown');
  });
  it('an absent key is decided without looking at a malformed value', () => {
    assert.equal(evaluate({ NumericLessThan: { [key]: 'TLS1.2' } }, {}), false);
    assert.equal(evaluate({ NumericNotEquals: { [key]: 'TLS1.2' } }, {}), true);
  });
  it('a valid value that matches decides despite a malformed one; otherwise unknown', () => {
    assert.equal(evaluate({ NumericGreaterThan: { [key]: ['TLS1.2', '1.0'] } }, { [key]: '1.3' }), true);
    assert.equal(evaluate({ NumericGreaterThan: { [key]: ['TLS1.2', '1.5'] } }, { [key]: '1.3' }), 'unknown');
  });
});

describe('Date', () => {
  const key = 'aws:CurrentTime';
  const midnight = '2020-01-01T00:00:00Z';
  it('accepts the W3C ISO 8601 forms and epoch seconds as the same instant', () => {
    for (const v of [
      '2020-01-01',
      '2020-01-01T00:00:00Z',
      '2020-01-01T00:00Z',
      '2020-01-01T00:00:00.000Z',
      '2020-01-01T01:00:00+01:00',
      '1577836800',
      1577836800,
    ]) {
      assert.equal(evaluate({ DateEquals: { [key]: v } }, { [key]: midnight }), true, `${String(v)} is 2020-01-01 00:00 UTC`);
    }
  });
  it('compares an epoch request value (aws:EpochTime) with an ISO policy value', () => {
    assert.equal(
      evaluate({ DateLessThan: { 'aws:EpochTime': '2020-01-02T00:00:00Z' } }, { 'aws:EpochTime': '1577836800' }),
      true,
    );
    assert.equal(
      evaluate({ DateGreaterThan: { 'aws:EpochTime': '2020-01-02T00:00:00Z' } }, { 'aws:EpochTime': '1577836800' }),
      false,
    );
  });
  it('a time without a zone, or prose, is unknown', () => {
    assert.equal(evaluate({ DateLessThan: { [key]: '2020-01-01T00:00:00' } }, { [key]: midnight }), 'unknown');
    assert.equal(evaluate({ DateLessThan: { [key]: 'yesterday' } }, { [key]: midnight }), 'unknown');
    assert.equal(evaluate({ DateLessThan: { [key]: '2020-13-01' } }, { [key]: midnight }), 'unknown');
  });
});

describe('IpAddress / NotIpAddress', () => {
  const key = 'aws:SourceIp';
  it('IPv4 CIDR containment; a bare address is /32', () => {
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.0/24' } }, { [key]: '203.0.113.255' }), true);
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.0/24' } }, { [key]: '203.0.114.0' }), false);
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.7' } }, { [key]: '203.0.113.7' }), true);
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.7' } }, { [key]: '203.0.113.8' }), false);
    assert.equal(evaluate({ IpAddress: { [key]: '0.0.0.0/0' } }, { [key]: '198.51.100.1' }), true);
    assert.equal(evaluate({ IpAddress: { [key]: '10.0.0.0/9' } }, { [key]: '10.127.255.255' }), true);
    assert.equal(evaluate({ IpAddress: { [key]: '10.0.0.0/9' } }, { [key]: '10.128.0.0' }), false);
  });
  it('host bits after the prefix are ignored', () => {
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.77/24' } }, { [key]: '203.0.113.1' }), true);
  });
  it('IPv6 CIDR containment, :: and case', () => {
    const range = '2001:DB8:1234:5678::/64';
    assert.equal(evaluate({ IpAddress: { [key]: range } }, { [key]: '2001:db8:1234:5678:abcd::1' }), true);
    assert.equal(evaluate({ IpAddress: { [key]: range } }, { [key]: '2001:db8:1234:5679::1' }), false);
    assert.equal(evaluate({ IpAddress: { [key]: '::1/128' } }, { [key]: '0:0:0:0:0:0:0:1' }), true);
    assert.equal(evaluate({ NotIpAddress: { [key]: range } }, { [key]: '2001:db8:1234:5679::1' }), true);
  });
  it('IPv4 and IPv6 never match each other', () => {
    assert.equal(evaluate({ IpAddress: { [key]: '2001:DB8::/32' } }, { [key]: '203.0.113.7' }), false);
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.0/24' } }, { [key]: '2001:db8::1' }), false);
    assert.equal(evaluate({ IpAddress: { [key]: ['203.0.113.0/24', '2001:DB8::/32'] } }, { [key]: '2001:db8::1' }), true);
  });
  it('malformed ranges and addresses are unknown', () => {
    for (const bad of ['203.0.113.0/33', '300.1.1.1', '203.0.113', '2001:db8::1::2/64', 'any']) {
      assert.equal(evaluate({ IpAddress: { [key]: bad } }, { [key]: '203.0.113.7' }), 'unknown', bad);
    }
    assert.equal(evaluate({ IpAddress: { [key]: '203.0.113.0/24' } }, { [key]: 'localhost' }), 'unknown');
  });
});

describe('BinaryEquals', () => {
  it('compares base64 values byte for byte', () => {
    assert.equal(evaluate({ BinaryEquals: { 'x:bin': BINARY } }, { 'x:bin': BINARY }), true);
    assert.equal(evaluate({ BinaryEquals: { 'x:bin': BINARY } }, { 'x:bin': 'T3RoZXI=' }), false);
    assert.equal(evaluate({ BinaryEquals: { 'x:bin': 'not base64!' } }, { 'x:bin': BINARY }), 'unknown');
  });
});

describe('Arn operators', () => {
  const key = 'aws:SourceArn';
  it('wildcards stay inside one ARN field (IAM-UG example), unlike StringLike', () => {
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    assert.equal(evaluate({ ArnLike: { [key]: pattern } }, { [key]: value }), false);
    assert.equal(evaluate({ ArnEquals: { [key]: pattern } }, { [key]: value }), false);
    assert.equal(evaluate({ StringLike: { [key]: pattern } }, { [key]: value }), true);
  });
  it('the resource field may hold colons', () => {
    const pattern = 'arn:aws:logs:*:*:log-group:*';
    assert.equal(
      evaluate({ ArnLike: { [key]: pattern } }, { [key]: 'arn:aws:logs:eu-west-1:111122223333:log-group:app:log-stream:x' }),
      true,
    );
  });
  it('? matches one character within a field; matching is case-sensitive', () => {
    assert.equal(
      evaluate({ ArnLike: { [key]: 'arn:aws:iam::11112222333?:role/Admin' } }, { [key]: 'arn:aws:iam::111122223333:role/Admin' }),
      true,
    );
    assert.equal(
      evaluate({ ArnLike: { [key]: 'arn:aws:iam::111122223333:role/Admin' } }, { [key]: 'arn:aws:iam::111122223333:role/admin' }),
      false,
    );
    assert.equal(
      evaluate(
        { ArnEquals: { [key]: 'arn:aws:iam::111122223333:role/Admin' } },
        { [key]: 'arn:aws:iam::111122223333:role/Admin' },
      ),
      true,
    );
  });
  it('a request value that is not an ARN matches no ARN pattern', () => {
    assert.equal(evaluate({ ArnLike: { [key]: 'arn:aws:s3:::*' } }, { [key]: 'bucket' }), false);
    assert.equal(evaluate({ ArnNotLike: { [key]: 'arn:aws:s3:::*' } }, { [key]: 'bucket' }), true);
  });
  it('a policy value with fewer than six fields is unknown', () => {
    assert.equal(evaluate({ ArnLike: { [key]: 'arn:aws:s3' } }, { [key]: 'arn:aws:s3:::b' }), 'unknown');
  });
});

describe('String values', () => {
  it('numbers and Booleans compare as their JSON text', () => {
    assert.equal(evaluate({ StringEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': '10' }), true);
    assert.equal(evaluate({ StringEquals: { 'x:flag': true } }, { 'x:flag': 'true' }), true);
  });
  it('objects and null are malformed values', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': { a: 1 } } }, { 'x:k': 'a' }), 'unknown');
    assert.equal(evaluate({ StringEquals: { 'x:k': null } }, { 'x:k': 'a' }), 'unknown');
  });
  it('StringEquals does not treat * as a wildcard', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a*' } }, { 'x:k': 'abc' }), false);
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a*' } }, { 'x:k': 'a*' }), true);
  });
  it('StringLike: * spans any run (slashes included), ? exactly one character', () => {
    assert.equal(evaluate({ StringLike: { 'x:k': 'a*z' } }, { 'x:k': 'a/b/c/z' }), true);
    assert.equal(evaluate({ StringLike: { 'x:k': 'a?z' } }, { 'x:k': 'abz' }), true);
    assert.equal(evaluate({ StringLike: { 'x:k': 'a?z' } }, { 'x:k': 'az' }), false);
    assert.equal(evaluate({ StringLike: { 'x:k': '*' } }, { 'x:k': '' }), true);
  });
});

// ---------------------------------------------------------------------------------------------
// Policy variables

describe('policy variables', () => {
  const prefix = { StringLike: { 's3:prefix': 'home/${aws:username}/*' } };
  it('are substituted from the request', () => {
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/alice/x', 'aws:username': 'alice' }), true);
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/bob/x', 'aws:username': 'alice' }), false);
  });
  it('variable names are case-insensitive', () => {
    assert.equal(
      evaluate(
        { StringEquals: { 'aws:PrincipalAccount': '${AWS:principalaccount}' } },
        { 'aws:PrincipalAccount': '111122223333' },
      ),
      true,
    );
  });
  it('a variable the request lacks makes the condition unknown (never guessed)', () => {
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/alice/x' }), 'unknown');
    assert.equal(evaluate({ StringNotEquals: { 'x:owner': '${aws:username}' } }, { 'x:owner': 'alice' }), 'unknown');
  });
  it('…unless another value decides, or the key itself is absent', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': ['v', '${aws:username}'] } }, { 'x:k': 'v' }), true);
    assert.equal(evaluate({ StringNotEquals: { 'x:owner': '${aws:username}' } }, {}), true);
    assert.equal(evaluate(prefix, {}), false);
  });
  it('a default value stands in for a missing key', () => {
    const c = { StringEquals: { 'x:owner': "${aws:username, 'anonymous'}" } };
    assert.equal(evaluate(c, { 'x:owner': 'anonymous' }), true);
    assert.equal(evaluate(c, { 'x:owner': 'alice', 'aws:username': 'alice' }), true);
    assert.equal(evaluate(c, { 'x:owner': 'anonymous', 'aws:username': 'alice' }), false);
  });
  it('multivalued keys cannot be variables', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': '${aws:TagKeys}' } }, { 'x:k': 'a', 'aws:TagKeys': ['a'] }), 'unknown');
  });
  it('a substituted value is literal text under StringEquals', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a-${aws:username}' } }, { 'x:k': 'a-b*', 'aws:username': 'b*' }), true);
  });
  it('a substituted value holding a wildcard under a Like operator is unknown', () => {
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/al/x', 'aws:username': 'al*' }), 'unknown');
  });
  it('work in ARN operators, per field', () => {
    const c = { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/*' } };
    assert.equal(
      evaluate(c, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/App', 'aws:PrincipalAccount': '111122223333' }),
      true,
    );
    assert.equal(
      evaluate(c, { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/App', 'aws:PrincipalAccount': '111122223333' }),
      false,
    );
    assert.equal(evaluate(c, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/App' }), 'unknown');
  });
  it('are not allowed with Numeric, Date, Bool, Binary or IpAddress: unknown', () => {
    assert.equal(
      evaluate({ NumericLessThan: { 's3:max-keys': '${x:limit}' } }, { 's3:max-keys': '1', 'x:limit': '5' }),
      'unknown',
    );
    assert.equal(
      evaluate({ Bool: { 'aws:SecureTransport': '${x:b}' } }, { 'aws:SecureTransport': 'true', 'x:b': 'true' }),
      'unknown',
    );
    assert.equal(
      evaluate({ IpAddress: { 'aws:SourceIp': '${x:ip}' } }, { 'aws:SourceIp': '203.0.113.7', 'x:ip': '203.0.113.7' }),
      'unknown',
    );
  });
  it('${*}, ${?} and ${$} are the literal characters', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a${*}b' } }, { 'x:k': 'a*b' }), true);
    assert.equal(evaluate({ StringLike: { 'x:k': 'a${*}b' } }, { 'x:k': 'axb' }), false);
    assert.equal(evaluate({ StringLike: { 'x:k': 'a${*}*' } }, { 'x:k': 'a*xyz' }), true);
    assert.equal(evaluate({ StringLike: { 'x:k': 'a${*}*' } }, { 'x:k': 'abc' }), false);
    assert.equal(evaluate({ StringLike: { 'x:k': 'why${?}' } }, { 'x:k': 'why?' }), true);
    assert.equal(evaluate({ StringLike: { 'x:k': 'why${?}' } }, { 'x:k': 'whyX' }), false);
    assert.equal(evaluate({ StringEquals: { 'x:k': '${$}5' } }, { 'x:k': '$5' }), true);
  });
  it('a malformed ${…} is unknown', () => {
    assert.equal(evaluate({ StringEquals: { 'x:k': '${aws:username, anon}' } }, { 'x:k': 'anon' }), 'unknown');
  });
  it('with Version 2008-10-17 or none they are literal text', () => {
    const literal = { variables: false };
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/${aws:username}/x', 'aws:username': 'alice' }, literal), true);
    assert.equal(evaluate(prefix, { 's3:prefix': 'home/alice/x', 'aws:username': 'alice' }, literal), false);
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a${*}b' } }, { 'x:k': 'a${*}b' }, literal), true);
    assert.equal(evaluate({ StringEquals: { 'x:k': 'a${*}b' } }, { 'x:k': 'a*b' }, literal), false);
    // The * inside ${*} is an ordinary wildcard then.
    assert.equal(evaluate({ StringLike: { 'x:k': 'a${*}b' } }, { 'x:k': 'a${xyz}b' }, literal), true);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed blocks

describe('malformed conditions are unknown, never thrown', () => {
  const cases: [string, unknown][] = [
    ['unknown operator', { StringEqualz: { 'x:k': 'v' } }],
    ['unknown set prefix', { 'ForSomeValues:StringEquals': { 'x:k': 'v' } }],
    ['operator value not an object', { StringEquals: 'v' }],
    ['operator with no keys', { StringEquals: {} }],
    ['empty value list', { StringEquals: { 'x:k': [] } }],
    ['Condition not an object', 'StringEquals'],
    ['Condition an array', [{ StringEquals: { 'x:k': 'v' } }]],
  ];
  for (const [name, condition] of cases) {
    it(name, () => {
      assert.equal(evaluate(condition, { 'x:k': 'v' }), 'unknown');
    });
  }
  it('the same operator, or the same key, written twice (which one AWS keeps is undocumented)', () => {
    for (const text of [
      '{"Statement":[{"Condition":{"StringEquals":{"x:k":"v"},"StringEquals":{"x:k":"w"}}}]}',
      '{"Statement":[{"Condition":{"StringEquals":{"x:k":"v","x:k":"w"}}}]}',
    ]) {
      const c = parsePolicy(text).statements[0].condition;
      assert.ok(c);
      assert.equal(evaluateCondition(c, request({ 'x:k': 'v' })), 'unknown', text);
    }
  });
});
