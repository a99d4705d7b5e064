// `npm run bench`: prints the tables and writes bench/results.json. Timings are measurements,
// never assertions (tests do not time anything).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchAnalysis, printAnalysis } from './analyze';
import { benchLsp, printLsp } from './lsp';

async function main(): Promise<void> {
  const analysis = benchAnalysis();
  printAnalysis(analysis);
  console.log('');
  const lsp = await benchLsp();
  printLsp(lsp);
  const machine = { node: process.version, platform: `${process.platform}/${process.arch}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model };
  console.log(`\n${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpu}`);
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, analysis, lsp }, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch(e => { console.error(e); process.exit(1); });
