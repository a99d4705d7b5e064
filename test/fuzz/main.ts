// `npm run fuzz`: the language server under seeded random edits, requests and cancellations, then
// the CLI on generated hostile files. Exit code 1 when a "Done when" threshold of issue 10 fails
// (a crash, an unanswered request, RSS >= 300 MB, a stall over 250 ms; for the CLI a crash, a
// hang, a case over 1 s, raw ESC bytes in the output), 2 for a usage error.
//
//   npm run fuzz -- --seconds 600 --docs 220 --rate 10 --hostile 0.05     (the long run)
//   npm run fuzz -- --seed 12345 --only lsp                                  (replay a seed)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliFuzz } from './cli-fuzz';
import { runLspFuzz } from './lsp-fuzz';
import { formatCliReport, formatLspReport } from './report';

const USAGE = `Usage: npm run fuzz -- [options]

  --seconds N         how long the language server is driven (default 60)
  --docs N            documents open at once (default 220)
  --rate N            operations per second: edits, requests, closes, reopens (default 10)
  --seed N            the seed (default: random, printed); the same seed replays the same edits
  --hostile F         fraction of edits that are hostile inserts, 0..1 (default 0.05)
  --grace N           seconds to wait for outstanding requests at the end (default 10)
  --max-wildcards N   generate wildcard chains of at most N (default: up to 1,000), to look past
                      the backtracking patterns at what else breaks
  --hostile-settings  also answer workspace/configuration with hostile settings
                      (keyPolicies naming /dev/zero, a FIFO and a file outside the workspace)
  --only lsp|cli      run one part only
  --cli-timeout MS    hang guard per CLI case (default 10000)
  --many-files        add the CLI case of 10,000 files
  --artifacts DIR     where reproduction material goes (default: a folder under ${os.tmpdir()})
  --json              print the reports as one JSON object instead of text
  -h, --help          this help`;

interface Args {
  seconds: number;
  docs: number;
  rate: number;
  seed: number;
  hostile: number;
  grace: number;
  hostileSettings: boolean;
  maxWildcards?: number;
  only?: 'lsp' | 'cli';
  cliTimeout: number;
  many: boolean;
  artifacts?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    seconds: 60,
    docs: 220,
    rate: 10,
    seed: crypto.randomInt(1, 2 ** 31),
    hostile: 0.05,
    grace: 10,
    hostileSettings: false,
    cliTimeout: 10_000,
    many: false,
    json: false,
  };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`${flag} expects a number from ${min} to ${max}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    switch (f) {
      case '--seconds':
        a.seconds = num(f, argv[++i], 1, 86_400);
        break;
      case '--docs':
        a.docs = Math.round(num(f, argv[++i], 1, 5000));
        break;
      case '--rate':
        a.rate = num(f, argv[++i], 0.1, 1000);
        break;
      case '--seed':
        a.seed = Math.round(num(f, argv[++i], 0, 2 ** 32 - 1));
        break;
      case '--hostile':
        a.hostile = num(f, argv[++i], 0, 1);
        break;
      case '--grace':
        a.grace = num(f, argv[++i], 0, 600);
        break;
      case '--cli-timeout':
        a.cliTimeout = num(f, argv[++i], 100, 600_000);
        break;
      case '--hostile-settings':
        a.hostileSettings = true;
        break;
      case '--max-wildcards':
        a.maxWildcards = Math.round(num(f, argv[++i], 0, 100_000));
        break;
      case '--many-files':
        a.many = true;
        break;
      case '--json':
        a.json = true;
        break;
      case '--artifacts': {
        const v = argv[++i];
        if (!v) throw new Error('--artifacts expects a folder');
        a.artifacts = path.resolve(v);
        break;
      }
      case '--only': {
        const v = argv[++i];
        if (v !== 'lsp' && v !== 'cli') throw new Error(`--only expects lsp or cli, got ${JSON.stringify(v ?? '')}`);
        a.only = v;
        break;
      }
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(f)}`);
    }
  }
  return a;
}

/** Written before the explicit exit below. */
const print = (text: string): Promise<void> => new Promise(r => process.stdout.write(text, () => r()));

async function main(): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const artifacts = a.artifacts ?? path.join(os.tmpdir(), `s3eg-fuzz-${a.seed}`);
  const progress = (line: string): void => {
    process.stderr.write(`fuzz: ${line}\n`);
  };
  const reproduce = `npm run fuzz -- --only lsp --seed ${a.seed} --seconds ${a.seconds} --docs ${a.docs} --rate ${a.rate} --hostile ${a.hostile}${a.hostileSettings ? ' --hostile-settings' : ''}${a.maxWildcards !== undefined ? ` --max-wildcards ${a.maxWildcards}` : ''}`;
  const result: Record<string, unknown> = { seed: a.seed, artifacts };
  let failed = false;
  if (a.only !== 'cli') {
    progress(
      `language server: ${a.seconds} s, ${a.docs} documents, ${a.rate} operations/s, hostile ${a.hostile}, seed ${a.seed}`,
    );
    const r = await runLspFuzz({
      seconds: a.seconds,
      docs: a.docs,
      rate: a.rate,
      seed: a.seed,
      hostile: a.hostile,
      graceSeconds: a.grace,
      artifacts,
      hostileSettings: a.hostileSettings,
      maxWildcards: a.maxWildcards,
      log: progress,
    });
    result.lsp = r;
    failed ||= r.failed.length > 0;
    if (!a.json)
      await print(
        `${formatLspReport(r, reproduce)}\n  reproduction material: ${fs.existsSync(artifacts) ? artifacts : 'none (nothing to reproduce)'}\n\n`,
      );
  }
  if (a.only !== 'lsp') {
    progress('CLI on hostile files');
    const r = await runCliFuzz({ timeoutMs: a.cliTimeout, many: a.many, log: progress });
    result.cli = r;
    failed ||= r.failed.length > 0;
    if (!a.json) await print(`${formatCliReport(r, a.cliTimeout)}\n`);
  }
  if (a.json) await print(`${JSON.stringify(result, null, 2)}\n`);
  return failed ? 1 : 0;
}

// Exit explicitly: a server that ignored the shutdown must not keep the fuzzer waiting.
main().then(
  code => process.exit(code),
  e => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
