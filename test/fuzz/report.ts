// The fuzzer's reports as text for a terminal (the JSON form is the report objects themselves).
import { escapeTerminal } from '../../shared/escape';
import { CASE_BUDGET_MS, CASE_MEMORY_LIMIT_MB, type CliFuzzReport } from './cli-fuzz';
import { crashLine, RSS_LIMIT_MB, STALL_LIMIT_MS, type LspFuzzReport } from './lsp-fuzz';

const s = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const mark = (bad: boolean): string => (bad ? '  FAIL' : '');

export function formatLspReport(r: LspFuzzReport, reproduce: string): string {
  const o = r.operations;
  const c = r.cancellations;
  const out: string[] = [];
  out.push(`language server (node ${r.serverFlags.join(' ')} dist/server/server.js --stdio), seed ${r.seed}`);
  out.push(`  reproduce: ${reproduce}`);
  out.push(
    `  ${(r.durationMs / 1000).toFixed(0)} s, ${r.options.docs} documents, ${o.total} operations (${o.perSecond}/s after opening): ${o.edits} edits (${o.hostileEdits} hostile), ${o.requests} requests, ${o.cancelsSent} cancels, ${o.closes} closes, ${o.opens} opens, ${o.configChanges} configuration changes${o.skippedWhileRestarting ? `, ${o.skippedWhileRestarting} requests skipped while the server restarted` : ''}`,
  );
  out.push(`  crashes                  ${r.crashes.length}${mark(r.crashes.length > 0)}`);
  for (const x of r.crashes) {
    const why = crashLine(x.stderrTail);
    out.push(
      `    at ${(x.atMs / 1000).toFixed(1)} s: exit code ${x.code}, signal ${x.signal}: ${clip(why, 220)}${x.artifact ? ` [${x.artifact}]` : ''}`,
    );
  }
  const unanswered = r.unanswered.length + r.lostToCrash;
  out.push(
    `  unanswered requests      ${unanswered}${unanswered ? ` (${r.unanswered.length} on a live server after the grace period, ${r.unanswered.filter(u => u.cancelled).length} of them cancelled; ${r.lostToCrash} lost in crashes)` : ''}${mark(unanswered > 0)}`,
  );
  const byMethod = new Map<string, number>();
  for (const u of r.unanswered) byMethod.set(u.method, (byMethod.get(u.method) ?? 0) + 1);
  if (byMethod.size) out.push(`    by method: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}`);
  const honoured = c.repliedCancelled + c.repliedEmpty;
  out.push(
    `  cancellations honoured   ${honoured} of ${c.sent} (RequestCancelled -32800: ${c.repliedCancelled}, empty result: ${c.repliedEmpty}; full result after the cancel: ${c.repliedWithResult}, other error: ${c.repliedOtherError}, never answered: ${c.unanswered}, lost in crashes: ${c.lostToCrash})`,
  );
  out.push(
    `  peak RSS                 ${r.peakRssMB} MB (VmHWM, limit ${RSS_LIMIT_MB} MB)${mark(r.peakRssMB >= RSS_LIMIT_MB)}; every 10 s: ${r.rssTimelineMB.map(([, mb]) => mb).join(' ')}`,
  );
  out.push(
    `  longest stall            ${s(r.stalls.judgedMs)}${r.stalls.serverReported.maxEventLoopDelayMs !== undefined ? " (the server's own event-loop delay)" : ''}${mark(r.stalls.judgedMs > STALL_LIMIT_MS)}`,
  );
  out.push(
    `  stats probe latency      longest ${s(r.stalls.longestMs)} (every ~75 ms, ${r.stalls.probes} answered; over ${STALL_LIMIT_MS} ms: ${r.stalls.over250}, over 1 s: ${r.stalls.over1000}; includes the fuzzer's own delays)`,
  );
  const reported = Object.entries(r.stalls.serverReported);
  if (reported.length) out.push(`    reported by the server: ${reported.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const st of r.stalls.top.slice(0, 5)) {
    out.push(
      `    ${s(st.ms)} from ${(st.atMs / 1000).toFixed(1)} s; operations just before: ${
        st.recentEdits
          .slice(0, 3)
          .map(e => `${e.op.split(' ')[0]} ${e.doc} ${e.op.endsWith('hostile') ? 'HOSTILE ' : ''}${clip(e.detail, 70)}`)
          .join('; ') || 'none'
      }${st.artifact ? ` [${st.artifact}]` : ''}`,
    );
  }
  out.push(
    `  diagnostics              ${r.diagnostics.publications} publications, ${r.diagnostics.perSecond}/s (most in one second: ${r.diagnostics.peakInOneSecond})`,
  );
  out.push(`  internal errors logged   ${r.internalErrors.total} (${r.internalErrors.distinct.length} distinct)`);
  for (const e of r.internalErrors.distinct.slice(0, 15))
    out.push(
      `    ${e.count}× ${clip(e.line, 200)}${e.where ? ` (${clip(e.where, 80)})` : ''}${e.artifact ? ` [${e.artifact}]` : ''}`,
    );
  const h = r.hygiene;
  out.push(
    `  output hygiene           ${h.rawControl} answers with raw control characters, ${h.unescapedLink} with a document's Markdown link left live`,
  );
  for (const e of h.examples) out.push(`    ${e.method} on ${e.doc}: ${clip(JSON.stringify(e.text), 140)}`);
  if (r.requestErrors.length) {
    out.push(`  requests answered with an error: ${r.requestErrors.reduce((n, e) => n + e.count, 0)}`);
    for (const e of r.requestErrors.slice(0, 8)) out.push(`    ${e.count}× ${clip(e.message, 200)}`);
  }
  out.push(
    `  request latency (median / p95 / max): ${Object.entries(r.latencyMs)
      .map(([m, q]) => `${m.replace(/^textDocument\/|^s3EncryptionGuard\//, '')} ${q.median}/${q.p95}/${q.max} ms`)
      .join(', ')}`,
  );
  out.push(`  fuzzer's own worst event-loop delay: ${r.driverLagMaxMs} ms`);
  out.push(`  result: ${r.failed.length ? `FAIL (${r.failed.join('; ')})` : 'pass'}`);
  return out.join('\n');
}

export function formatCliReport(r: CliFuzzReport, timeoutMs: number): string {
  const out: string[] = [];
  out.push(
    `CLI on hostile files (hang guard ${timeoutMs} ms, memory guard ${CASE_MEMORY_LIMIT_MB} MB, budget ${CASE_BUDGET_MS} ms per case)`,
  );
  const w = Math.max(...r.cases.map(c => c.name.length));
  for (const c of r.cases) {
    const flags = [
      c.hung ? 'HUNG' : '',
      c.memoryExceeded ? 'KILLED at the memory limit' : '',
      c.crashed ? `CRASH (${c.crashReason})` : '',
      c.overBudget && !c.hung && !c.memoryExceeded ? 'SLOW' : '',
      c.escInStdout ? 'ESC in stdout' : '',
      c.escInStderr ? 'ESC in stderr' : '',
      c.missingResult ? `no result for ${c.missingResult}` : '',
      c.unmentioned.length ? `skipped without a word: ${c.unmentioned.join(', ')}` : '',
      c.stderrBytes > 100 * 1024 ? `stderr ${(c.stderrBytes / 1024 / 1024).toFixed(1)} MB` : '',
      c.internalErrors ? `${c.internalErrors} internal errors` : '',
    ].filter(Boolean);
    out.push(
      `  ${c.name.padEnd(w)}  exit ${String(c.hung || c.memoryExceeded ? '-' : (c.exitCode ?? c.signal)).padEnd(7)} ${s(c.ms).padStart(8)}  ${String(c.peakRssMB).padStart(5)} MB  ${flags.join(', ') || 'ok'}`,
    );
    if (c.stderrHead.length)
      out.push(
        `  ${''.padEnd(w)}  stderr: ${clip(c.stderrHead[0], 160)}${c.stderrLines > 1 ? ` (+${c.stderrLines - 1} lines)` : c.stderrLines < 0 ? ' (over 1 MB)' : ''}`,
      );
  }
  out.push(`  result: ${r.failed.length ? `FAIL (${r.failed.join('; ')})` : 'pass'}`);
  return out.join('\n');
}

/** The report goes to a terminal: what it quotes from documents and stderr is made visible, not obeyed. */
const clip = (t: string, n: number): string => escapeTerminal(t, n);
