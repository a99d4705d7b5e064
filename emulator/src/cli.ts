// `node dist/emulator.js --seed FILE [--port N] [--host H]`: the local S3 + KMS endpoint until Ctrl-C.
import { startEmulator } from './emulator';

const USAGE = 'Usage: node dist/emulator.js --seed FILE [--port N] [--host 127.0.0.1]';

async function main(argv: string[]): Promise<void> {
  let seed: string | undefined;
  let port = 0;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--seed') seed = value();
    else if (a === '--port') {
      port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects a port number 0-65535\n${USAGE}`);
    } else if (a === '--host') host = value();
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (!seed) throw new Error(`--seed FILE is required\n${USAGE}`);
  const emulator = await startEmulator({ seed, port, host });
  process.stdout.write(`local AWS endpoint (S3 + KMS): ${emulator.url}\n`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch(e => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
