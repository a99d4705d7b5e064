import path from 'node:path';

/** The repository root (tests run from out/test/…). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIST_SERVER = path.join(ROOT, 'dist', 'server', 'server.js');
export const DIST_CLI = path.join(ROOT, 'dist', 'cli.js');
export const EXAMPLES = path.join(ROOT, 'examples');
