import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clip, errorLine, escapeMarkdown, escapeTerminal, markdownCode } from '../../shared/escape';

describe('escaping text from outside for Markdown and terminals', () => {
  it('Markdown: links, images, HTML, emphasis and autolinks are shown as text', () => {
    const sid = '![x](http://evil.example/p.png) [click](command:foo) <img src=x> **bold** https://evil.example';
    const out = escapeMarkdown(sid);
    assert.ok(!/(^|[^\\])\[/.test(out), out);
    assert.ok(!out.includes('<'), out);
    assert.ok(!/(^|[^\\])\*/.test(out), out);
    assert.ok(out.includes('https\\:'), out);
    assert.equal(out.replace(/\\(.)/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'), sid);
  });

  it('Markdown: line breaks cannot start a heading or a list; controls become visible', () => {
    const out = escapeMarkdown('a\n# heading\r\n- item\u001b[31m\u202e');
    assert.ok(!out.includes('\n') && !out.includes('\r'));
    assert.ok(out.includes('\\#') && out.includes('\\-'));
    assert.ok(out.includes('\\x1b') && out.includes('\\u{202e}'));
  });

  it('Markdown code spans hold backticks and stay on one line', () => {
    assert.equal(markdownCode('s3:Put*'), '`s3:Put*`');
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('`x'), '`` `x ``');
    assert.equal(markdownCode('a\nb'), '`a b`');
  });

  it('terminal: ESC sequences and other controls are printed as escapes, one value on one line', () => {
    const out = escapeTerminal('bucket\u001b]0;pwned\u0007\nnext\u009b2J');
    assert.equal(out, 'bucket\\x1b]0;pwned\\x07\\nnext\\x9b2J');
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(out));
  });

  it('clips long text on a code point boundary, and errors to their first line', () => {
    assert.equal(clip('abcdef', 4), 'abc…');
    assert.equal(clip('ab\u{1F600}cd', 4), 'ab…');
    const e = new Error(`Invalid regular expression: /^${'a.*'.repeat(5000)}$/: Maximum call stack size exceeded\n    at RegExp`);
    const line = errorLine(e);
    assert.ok(line.length <= 200);
    assert.ok(!line.includes('\n'));
    assert.equal(errorLine('plain'), 'plain');
  });
});
