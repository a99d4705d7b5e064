// Building blocks for the KMS-006 and KMS-008…016 rule tables: key policies written the way AWS's
// examples write them, and a check that a fix's output, analysed again as a whole key policy,
// no longer has the finding (and is still valid JSON).
import assert from 'node:assert/strict';
import { analyze, runRule } from '../../../core/analyze';
import { parsePolicy } from '../../../core/policy/parse';
import type { Rule } from '../../../core/rules/types';

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const APP = `arn:aws:iam::${ACCOUNT}:role/App`;

/** AWS's "Enable IAM User Permissions" statement. */
export const rootStatement = `{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "${ROOT}"}, "Action": "kms:*", "Resource": "*"}`;

/** A key policy of the given statements (one line, as most table cases). */
export const keyPolicy = (...statements: string[]): string =>
  `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;

/** An Allow to the App role with the given actions and Condition (JSON text). */
export const allowApp = (actions: string, condition?: string, sid = 'AppUse', resource = '"*"'): string =>
  `{"Sid": "${sid}", "Effect": "Allow", "Principal": {"AWS": "${APP}"}, "Action": ${actions}, "Resource": ${resource}${condition ? `, "Condition": ${condition}` : ''}}`;

/**
 * Analyse a fixed key policy as a whole (every rule, as the editor does) and assert that it is
 * still valid JSON and that no finding of `rule` matches `gone` (any finding of the rule when
 * `gone` is omitted).
 */
export function assertFixedAway(rule: Rule, text: string, gone?: RegExp): void {
  assert.deepEqual(parsePolicy(text).syntaxErrors, [], 'the fixed text is not valid JSON');
  const whole = analyze(text, 'fixed.key-policy.json');
  assert.equal(whole.kind.kind, 'key-policy');
  assert.deepEqual(whole.ruleFailures, []);
  const left = runRule(rule, parsePolicy(text), 'key-policy').filter(f => !gone || gone.test(f.message));
  assert.deepEqual(
    left.map(f => f.message),
    [],
    `${rule.meta.id} still reports after the fix`,
  );
  assert.ok(
    !whole.findings.some(f => f.ruleId === rule.meta.id && (!gone || gone.test(f.message))),
    `${rule.meta.id} still in the whole analysis`,
  );
}
