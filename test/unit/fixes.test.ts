import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, applyFindingFixes, fixAllEdits } from '../../server/src/rules/fixes';
import type { Finding } from '../../server/src/rules/types';

const finding = (offset: number, length: number, newText: string): Finding => ({
  ruleId: 'GRM-000', severity: 'error', span: { offset, length }, message: 'm', fixes: [{ title: 't', edits: [{ span: { offset, length }, newText }] }],
});

describe('fix all', () => {
  it('applies non-overlapping fixes in one pass', () => {
    assert.equal(applyEdits('abcdef', [{ span: { offset: 4, length: 1 }, newText: 'E' }, { span: { offset: 0, length: 1 }, newText: 'A' }]), 'AbcdEf');
  });
  it('skips a fix that overlaps one already taken', () => {
    assert.equal(applyFindingFixes('abcdef', [finding(1, 3, 'X'), finding(2, 3, 'Y')]), 'aXef');
  });
  it('treats an insertion at the start or end of a replaced range as a clash (order would matter)', () => {
    assert.equal(fixAllEdits([finding(4, 0, 'ins'), finding(4, 2, 'R')]).length, 1);
    assert.equal(fixAllEdits([finding(6, 0, 'ins'), finding(4, 2, 'R')]).length, 1);
    assert.equal(fixAllEdits([finding(3, 0, 'ins'), finding(4, 2, 'R')]).length, 2);
  });
});
