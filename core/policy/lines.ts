// Offsets (UTF-16 code units, as jsonc-parser reports them) to 0-based line/character
// positions (as LSP and the CLI's JSON use them).
import type { Span } from './model';

export type { Position, Range } from '../../shared/types';
import type { Position, Range } from '../../shared/types';

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  range(span: Span): Range {
    return { start: this.position(span.offset), end: this.position(span.offset + span.length) };
  }

  offset(p: Position): number {
    if (p.line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[Math.max(0, p.line)] + p.character, this.text.length);
  }
}
