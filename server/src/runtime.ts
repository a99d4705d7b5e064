// How the language server's Node process is started (the VS Code client, the tests and the
// benchmark all use this, so what is measured is what ships).
//
// Analysis runs on every keystroke and makes short-lived garbage. On a machine with lots of RAM,
// V8's default heap limit is several GB and it lets the heap grow instead of collecting; a small
// young generation and a 512 MB old-space limit keep the server near 100 MB with 200 policies
// open (bench/lsp.ts). The server's analysis cache is bounded well below that limit.
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=512'];
