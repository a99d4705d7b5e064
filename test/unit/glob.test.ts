// The glob matcher of the `kinds` setting and the CLI's path arguments: the semantics the regular
// expressions had, and work bounded by pattern × path on patterns that make backtracking explode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, matchesGlob, MAX_GLOB_LENGTH, type StepCounter } from '../../core/policy/glob';

describe('glob matcher', () => {
  for (const [glob, text, want] of [
    ['*.json', 'a.json', true],
    ['*.json', 'dir/a.json', false],
    ['**/*.json', 'a.json', true],
    ['**/*.json', 'x/y/a.json', true],
    ['**', 'x/y/z', true],
    ['a/**', 'a/b/c', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'ab', false],
    ['a**b', 'a/x/b', true],
    ['?.json', 'a.json', true],
    ['?.json', '/.json', false],
    ['{a,b}.json', 'b.json', true],
    ['{a,b}.json', 'c.json', false],
    ['{a,{b,c}d}', 'cd', true],
    ['{a,}x', 'x', true],
    ['x{a,b', 'x{a,b', true],
    ['a}b', 'a}b', true],
    ['a,b', 'a,b', true],
    ['[abc].json', 'b.json', true],
    ['[!abc].json', 'b.json', false],
    ['[!abc].json', 'd.json', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[-a]', '-', true],
    ['[z-a]', 'm', false],
    ['[ab', '[ab', true],
    ['a.b', 'axb', false],
    ['a+(b)', 'a+(b)', true],
    ['$^', '$^', true],
  ] as [string, string, boolean][]) {
    it(`${glob} ${want ? 'matches' : 'does not match'} ${text}`, () => assert.equal(compileGlob(glob).test(text), want));
  }

  it('matches paths as the kinds setting uses it (base name, tail, whole path)', () => {
    assert.equal(matchesGlob('C:\\w\\policies\\a.json', 'policies/*.json'), true);
    assert.equal(matchesGlob('/w/deep/policies/a.json', 'policies/*.json'), true);
    assert.equal(matchesGlob('/w/a.key-policy.json', '*.key-policy.json'), true);
    assert.equal(matchesGlob('/w/a.json', 'x'.repeat(MAX_GLOB_LENGTH + 1)), false, 'an over-long glob matches nothing');
    assert.throws(() => compileGlob('x'.repeat(MAX_GLOB_LENGTH + 1)), /over the 1024-character limit/);
  });

  // Each case makes a backtracking regular expression take exponential time (or overflow its stack).
  // The automaton visits each of its states at most once per path position, plus one test per state.
  for (const [name, glob, text] of [
    ['**/ repeated', `${'**/'.repeat(300)}a`, `${'b/'.repeat(2000)}c`],
    ['* repeated', `${'*'.repeat(1000)}a`, 'b'.repeat(4000)],
    ['nested alternatives', `${'{a,{b,*}}'.repeat(100)}x`, 'b'.repeat(4000)],
    ['wildcards between letters', `${'a*'.repeat(500)}b`, 'a'.repeat(4000)],
  ] as [string, string, string][]) {
    it(`bounded work: ${name} against a ${text.length}-character path`, () => {
      const m = compileGlob(glob);
      const counter: StepCounter = { steps: 0 };
      assert.equal(m.test(text, counter), false);
      assert.ok(counter.steps > 0);
      const bound = 2 * m.states * (text.length + 1);
      assert.ok(counter.steps <= bound, `${counter.steps} steps, bound ${bound}`);
      // The automaton is linear in the pattern: a few states per pattern character.
      assert.ok(m.states <= 3 * glob.length + 2, `${m.states} states for ${glob.length} characters`);
    });
  }

  it('counts the steps of matchesGlob across its tries', () => {
    const counter: StepCounter = { steps: 0 };
    const glob = `${'**/'.repeat(100)}b.json`;
    const file = `/w/${'x/'.repeat(1000)}a.json`;
    assert.equal(matchesGlob(file, glob, counter), false);
    const bound = 2 * compileGlob(glob).states * (file.length + 1);
    assert.ok(counter.steps > 0 && counter.steps <= bound, `${counter.steps} steps, bound ${bound}`);
  });
});
