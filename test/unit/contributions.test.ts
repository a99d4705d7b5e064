// What package.json contributes besides the server: settings, snippets and the injection grammar.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { ROOT } from '../helpers/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('package.json contributions', () => {
  it('describes every setting', () => {
    const props = pkg.contributes.configuration.properties as Record<
      string,
      { description?: string; markdownDescription?: string }
    >;
    assert.ok(Object.keys(props).length >= 7);
    for (const [k, v] of Object.entries(props))
      assert.ok((v.description ?? v.markdownDescription ?? '').length > 20, `${k} has a description`);
  });

  it('ships snippets whose policies check clean once the placeholder is filled in', () => {
    const file = pkg.contributes.snippets[0].path as string;
    const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<
      string,
      { prefix: string; body: string[] }
    >;
    const byPrefix = new Map(Object.values(snippets).map(s => [s.prefix, s.body.join('\n')]));
    // Every placeholder takes its default (innermost first: the key ARN nests region, account and key ID); test/unit/snippets.test.ts checks other values.
    const fill = (body: string) => {
      let out = body.replace(/\$\{1:bucket-name\}/g, 'my-bucket').replace(/\$0/g, '');
      while (/\$\{\d+:[^${}]*\}/.test(out)) out = out.replace(/\$\{\d+:([^${}]*)\}/g, '$1');
      return out;
    };
    const full = fill(byPrefix.get('s3eg-bucket-policy')!);
    assert.deepEqual(
      analyze(full, '/w/my-bucket.bucket-policy.json').findings.map(f => `${f.ruleId} ${f.message}`),
      [],
    );
    const statement = fill(byPrefix.get('s3eg-deny-http')!);
    assert.deepEqual(
      analyze(`{"Version": "2012-10-17", "Statement": [${statement}]}`, '/w/my-bucket.bucket-policy.json').findings.map(
        f => f.ruleId,
      ),
      [],
    );
  });

  it('injects a grammar whose patterns find ARNs, actions and condition keys', () => {
    const g = pkg.contributes.grammars[0];
    const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, g.path), 'utf8')) as {
      scopeName: string;
      patterns: { match: string; name: string }[];
    };
    assert.equal(grammar.scopeName, g.scopeName);
    const scopeOf = (s: string) => grammar.patterns.find(p => new RegExp(p.match).test(s))?.name;
    assert.match(scopeOf('arn:aws:s3:::bucket/*') ?? '', /arn/);
    assert.match(scopeOf('s3:PutObject"') ?? '', /action/);
    // Condition keys are property names (followed by `:`); test/unit/grammar.test.ts tokenizes a whole policy.
    assert.match(scopeOf('aws:SecureTransport": "false"') ?? '', /condition-key/);
  });
});
