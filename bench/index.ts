// `npm run bench`: prints the tables and writes bench/results.json. Timings are measurements,
// never assertions (tests do not time anything).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../protocol/protocol';
import { benchAnalysis, printAnalysis } from './analyze';
import { benchCompletion, printCompletion } from './completion';
import { benchLiveView, printLiveView } from './liveview';
import { benchLsp, printLsp } from './lsp';
import { benchPosture, printPosture } from './posture';
import { benchTemplates, printTemplates } from './templates';

async function main(): Promise<void> {
  // Measure under the V8 flags the language server ships with (protocol/runtime.ts).
  if (!SERVER_NODE_FLAGS.every(f => process.execArgv.includes(f))) {
    // --expose-gc: each timed series starts from a collected heap (bench/stats.ts).
    const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '--expose-gc', __filename], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const analysis = benchAnalysis();
  printAnalysis(analysis);
  console.log('');
  const templates = await benchTemplates();
  printTemplates(templates);
  console.log('');
  const lsp = await benchLsp();
  printLsp(lsp);
  console.log('');
  const completion = await benchCompletion();
  printCompletion(completion);
  console.log('');
  const posture = await benchPosture();
  printPosture(posture);
  console.log('');
  const liveView = await benchLiveView();
  printLiveView(liveView);
  const machine = {
    flags: process.execArgv.join(' '),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
  };
  console.log(`\n${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpu}`);
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  fs.writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), machine, analysis, templates, lsp, completion, posture, liveView },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
