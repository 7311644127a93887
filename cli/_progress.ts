/**
 * Download progress on stderr. On a terminal one line is redrawn in place with the packages done,
 * the bytes received and a bar over every download of the run; without a terminal (CI, pipes,
 * tests) each finished download prints one plain line and nothing is redrawn.
 */
import type { Io } from "./_command.ts";

/** A human size: `812 B`, `6.4 KB`, `1.6 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} KB`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  return `${(n / 1_000_000_000).toFixed(2)} GB`;
}

/** One download being reported. */
export interface DownloadTask {
  /** Bytes received so far, and the size when the server said it. */
  update(received: number, total: number | undefined): void;
  /** The download finished. */
  done(size: number): void;
}

const BAR = 24;

/** Progress of the downloads of one command. */
export class DownloadProgress {
  readonly #io: Io;
  readonly #live: boolean;
  readonly #tasks = new Map<number, { label: string; received: number; total?: number }>();
  #next = 0;
  #finished = 0;
  #finishedBytes = 0;
  #started = 0;
  #lastDraw = 0;
  #drawn = false;

  constructor(io: Io, options: { quiet?: boolean } = {}) {
    this.#io = io;
    this.#live = io.isTerminal && !options.quiet;
    this.quiet = options.quiet ?? false;
  }

  /** Print nothing at all. */
  readonly quiet: boolean;

  /** Starts reporting a download of `label` (`docs:logger@0.1.0`). */
  start(label: string): DownloadTask {
    const id = this.#next++;
    this.#started++;
    this.#tasks.set(id, { label, received: 0 });
    return {
      update: (received, total) => {
        const t = this.#tasks.get(id);
        if (t === undefined) return;
        t.received = received;
        t.total = total;
        this.#draw(false);
      },
      done: (size) => {
        this.#tasks.delete(id);
        this.#finished++;
        this.#finishedBytes += size;
        if (this.quiet) return;
        if (this.#live) this.#draw(true);
        else this.#io.stderr(`downloaded ${label} (${formatBytes(size)})\n`);
      },
    };
  }

  #draw(force: boolean): void {
    if (!this.#live) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < 80) return;
    this.#lastDraw = now;
    let received = this.#finishedBytes, total = this.#finishedBytes, known = true;
    for (const t of this.#tasks.values()) {
      received += t.received;
      if (t.total === undefined) known = false;
      else total += t.total;
    }
    const frac = known && total > 0 ? Math.min(1, received / total) : 0;
    const filled = Math.round(frac * BAR);
    const bar = known ? `[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ` : "";
    const current = [...this.#tasks.values()].at(-1)?.label;
    const line = `downloading ${this.#finished}/${this.#started} ${bar}${formatBytes(received)}` +
      (current ? ` ${current}` : "");
    this.#io.stderr(`\r\x1b[K${line}`);
    this.#drawn = true;
  }

  /** Ends the display (clears the live line). */
  finish(): void {
    if (this.#live && this.#drawn) {
      this.#io.stderr(`\r\x1b[K`);
      if (this.#finished > 0) {
        this.#io.stderr(
          `downloaded ${this.#finished} package${this.#finished === 1 ? "" : "s"} ` +
            `(${formatBytes(this.#finishedBytes)})\n`,
        );
      }
    }
    this.#drawn = false;
  }
}
