/**
 * Shared timing helpers for wreg's benchmarks. Every benchmark runs wreg beside a peer in the same
 * process or run and reports the ratio; these helpers keep the measuring and the tables alike.
 * Timing here is for BENCHMARKS.md only: the test suite never asserts on time.
 */

/** Summary statistics of repeated timings, in milliseconds. */
export interface Timing {
  name: string;
  runs: number;
  median: number;
  p95: number;
  min: number;
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Untimed runs first (JIT warm-up, caches). Default 3. */
  warmup?: number;
  /** Timed runs. Default: enough to fill `budgetMs`, at least 5, at most 1000. */
  runs?: number;
  /** Time budget for the timed runs when `runs` is not given. Default 2000 ms. */
  budgetMs?: number;
}

/** Times `fn` repeatedly (awaiting it when it returns a promise). */
export async function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 3;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const budget = options.budgetMs ?? 2000;
  const started = performance.now();
  const maxRuns = options.runs ?? 1000;
  const minRuns = options.runs ?? 5;
  while (samples.length < maxRuns) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
    if (options.runs === undefined && samples.length >= minRuns) {
      if (performance.now() - started > budget) break;
    }
  }
  return summarize(name, samples);
}

/**
 * Runs every variant once per round, in a rotating order, so that drift on the machine (other
 * work, the disk) hits all of them alike; returns the samples of each, in milliseconds. Rounds
 * with a negative index are warm-up and not recorded.
 */
export async function interleaved(
  variants: [string, () => Promise<unknown>][],
  rounds: number,
  warmup = 3,
): Promise<Map<string, number[]>> {
  const samples = new Map(variants.map(([name]) => [name, [] as number[]]));
  for (let r = -warmup; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, fn] = variants[(k + Math.max(r, 0)) % variants.length];
      const t0 = performance.now();
      await fn();
      if (r >= 0) samples.get(name)!.push(performance.now() - t0);
    }
  }
  return samples;
}

/** The median of the per-round ratios `a[i] / b[i]` of two interleaved sample lists. */
export function pairedRatio(a: number[], b: number[]): number {
  const ratios = a.map((t, i) => t / b[i]).sort((x, y) => x - y);
  return ratios[ratios.length >> 1];
}

/** Statistics of a list of samples in milliseconds. */
export function summarize(name: string, samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { name, runs: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0] };
}

/** Formats milliseconds with a sensible unit. */
export function formatMs(ms: number): string {
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A markdown table of timings, each with its ratio to the `baseline` row (by name; default the
 * first row): `ratio` > 1 means slower than the baseline.
 */
export function table(title: string, rows: Timing[], baseline = rows[0]?.name): string {
  const base = rows.find((r) => r.name === baseline) ?? rows[0];
  const lines = [
    `### ${title}`,
    "",
    `| what | runs | median | p95 | ratio to ${base.name} |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.name} | ${r.runs} | ${formatMs(r.median)} | ${formatMs(r.p95)} | ${
        (r.median / base.median).toFixed(2)
      }× |`
    ),
    "",
  ];
  return lines.join("\n");
}

/** Runs a command to completion, failing loudly; returns its stdout as text. */
export async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { ...options, args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Whether an executable is on PATH (or at the given path). */
export async function hasCommand(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}
