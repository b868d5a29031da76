/**
 * A one-line progress bar on stderr (a terminal), or a line per tenth of the work (a log).
 * The total grows as phases announce their visits; the time left is extrapolated from the
 * visits done so far.
 */
import type { Progress } from './suite.js';

export class ProgressBar implements Progress {
  private total = 0;
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = stream.isTTY === true;
  }

  expect(visits: number): void {
    this.total += visits;
  }

  tick(what: string): void {
    this.done = Math.min(this.done + (what.endsWith('checking contenders') ? 0 : 1), this.total);
    if (!this.enabled) return;
    const now = performance.now();
    const fraction = this.total === 0 ? 0 : this.done / this.total;
    if (this.tty) {
      if (now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      const width = Math.max(20, Math.min(40, this.cols() - 70));
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${this.eta(now, fraction)} ${what}`;
      this.stream.write(`\r${line.slice(0, this.cols() - 1).padEnd(this.cols() - 1)}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`bench: ${(fraction * 100).toFixed(0)}% ${this.eta(now, fraction)} ${what}\n`);
      }
    }
  }

  /** A note above the bar. */
  note(text: string): void {
    if (!this.enabled) return;
    if (this.tty) this.stream.write(`\r${' '.repeat(this.cols() - 1)}\r`);
    this.stream.write(`${text}\n`);
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write(`\r${' '.repeat(this.cols() - 1)}\r`);
  }

  /** Terminal width (0 or unknown under some terminal emulations: assume 120). */
  private cols(): number {
    return Math.max(40, this.stream.columns || 120);
  }

  private eta(now: number, fraction: number): string {
    const elapsed = (now - this.start) / 1000;
    if (fraction < 0.02) return `${fmtTime(elapsed)} elapsed`;
    return `${fmtTime((elapsed / fraction) * (1 - fraction))} left`;
  }
}

function fmtTime(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}
