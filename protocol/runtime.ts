// How the language server's Node process is started (the VS Code client, the tests and the
// benchmark all use this, so what is measured is what ships).
//
// Analysis runs on every keystroke and makes short-lived garbage. On a machine with lots of RAM,
// V8's default heap limit is several GB and it lets the heap grow instead of collecting. A 512 MB
// old-space limit keeps the server near 115 MB with 200 policies open (206 MB without it); an
// 8 MB young generation was the best trade found between that and keystroke latency (2 MB:
// ~104 MB but a 50 % slower round trip; 16 MB: ~135 MB and no faster). See bench/lsp.ts. The
// server's analysis cache is bounded well below the limit.
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--max-old-space-size=512'];
