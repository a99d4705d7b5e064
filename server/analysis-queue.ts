// When documents are analysed for diagnostics. A burst of edits must not build a queue of analyses
// of versions nobody will see, and one document's analysis must not keep the server from reading
// the next message (a cancellation, a hover on another document). So:
//   - each document has at most one pending analysis: a quiet-period timer, then a place in the
//     ready set; a new edit restarts the timer and takes the document out of the ready set;
//   - the analysis always takes the document's latest version (never the one that was scheduled);
//   - one document is analysed at a time, and between two the event loop is given back
//     (setImmediate), so that incoming messages are read between analyses.
// No vscode or LSP imports.

export class AnalysisQueue {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly ready = new Set<string>();
  private running = false;

  /** `run` analyses the document's current version and publishes; its errors are its own to report. */
  constructor(private readonly run: (uri: string) => Promise<void>) {}

  /** Analyse `uri` once nothing has changed it for `delay` ms (another call restarts the wait). */
  schedule(uri: string, delay: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    if (delay <= 0) {
      this.ready.add(uri);
      this.kick();
      return;
    }
    // A version that was waiting for its turn is replaced by the newer one, which waits again.
    this.ready.delete(uri);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.ready.add(uri);
        this.kick();
      }, delay),
    );
  }

  /** Analyse `uri` when its turn comes, unless an analysis of it is already waiting (it will see what changed). */
  soon(uri: string): void {
    if (this.timers.has(uri)) return;
    this.ready.add(uri);
    this.kick();
  }

  /** The document was closed: nothing of it is pending any more. */
  cancel(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.ready.delete(uri);
  }

  /** Documents with an analysis pending: waiting for the quiet period, waiting for their turn, or running. */
  get pending(): number {
    return this.timers.size + this.ready.size + (this.running ? 1 : 0);
  }

  private kick(): void {
    if (this.running || !this.ready.size) return;
    this.running = true;
    setImmediate(() => void this.next());
  }

  private async next(): Promise<void> {
    const uri = this.ready.values().next().value as string | undefined;
    try {
      if (uri !== undefined) {
        this.ready.delete(uri);
        await this.run(uri);
      }
    } catch {
      // `run` reports its own failures; the queue goes on with the other documents.
    } finally {
      this.running = false;
      this.kick();
    }
  }
}
