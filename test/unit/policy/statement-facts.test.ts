// Measures reckoned statement by statement (GRM-015's size, the plain-text tests of GRM-015 and
// GRM-016) equal the measure of the whole text, whatever was kept from earlier versions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyPolicy, bucketPolicy } from '../../../bench/policies';
import { minifiedSize } from '../../../core/rules/grammar/GRM-015-size-and-charset';
import { parsePolicy } from '../../../core/policy/parse';
import { clearStatementFacts, measureByStatements } from '../../../core/policy/statement-facts';

const TEXTS: Record<string, string> = {
  'bench bucket policy': bucketPolicy(5 * 1024),
  'bench key policy': keyPolicy(6 * 1024),
  'non-ASCII, escapes and CRLF': `{\r\n  "Version": "2012-10-17",\r\n  "Statement": [\r\n    {"Sid": "Schlüssel – 𝒳", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},\r\n    {"Sid": "esc\\u200b\\"q\\\\", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}\r\n  ]\r\n}`,
  'one statement object':
    '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}',
  'a non-object in the array':
    '{"Statement": [1, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}, "x y"]}',
  'syntax errors': '{"Statement": [{"Effect": "Allow", "Action": "s3:Get Object, "Resource": "*"}, {"Sid": "b"}]',
  'no statements': '{"Version": "2012-10-17"}',
};

const PLAIN = /^[\t\n\r\x20-\x7e]*$/;
const MEASURES: Record<string, (text: string) => number> = {
  'minified bytes': t => minifiedSize(t, 'bytes'),
  'minified characters': t => minifiedSize(t, 'characters'),
  // As GRM-015 and GRM-016 use it: the pieces that are not plain, zero exactly when the whole text is plain.
  'not plain': t => (PLAIN.test(t) ? 0 : 1),
};
const same = (question: string, n: number) => (question === 'not plain' ? n > 0 : n);

describe('measureByStatements', () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(`${name}: equals the measure of the whole text, fresh and reused`, () => {
      clearStatementFacts();
      for (const [question, measure] of Object.entries(MEASURES)) {
        const whole = same(question, measure(text));
        assert.equal(same(question, measureByStatements(parsePolicy(text), question, measure)), whole, `${question}, fresh`);
        assert.equal(same(question, measureByStatements(parsePolicy(text), question, measure)), whole, `${question}, reused`);
        // A version with more in front: the kept statement values still add up.
        const moved = text.replace('{', '{"Id": "\u00e9\u00e9", ');
        assert.equal(
          same(question, measureByStatements(parsePolicy(moved), question, measure)),
          same(question, measure(moved)),
          `${question}, moved`,
        );
      }
    });
  }

  it('the pieces are measured, not the whole text, when nothing changed', () => {
    clearStatementFacts();
    const text = keyPolicy(4 * 1024);
    const seen: number[] = [];
    const measure = (t: string) => (seen.push(t.length), t.length);
    measureByStatements(parsePolicy(text), 'length', measure);
    seen.length = 0;
    assert.equal(measureByStatements(parsePolicy(text), 'length', measure), text.length);
    assert.ok(Math.max(...seen) < 100, `longest piece measured again: ${Math.max(...seen)} characters`);
  });
});
