/**
 * `wasi:cli`, `wasi:clocks` and `wasi:random`: what a command-line program asks its host for.
 * Arguments and environment are what the context was given; exiting throws the glue's error,
 * which unwinds the component's call (the program is never ended from inside a library call).
 */
import { register, stdStream, type WasiContext } from "./_context.ts";
import { monotonicNow, Pollable } from "./_io.ts";

/** `wasi:cli/terminal-input.terminal-input`. */
export class TerminalInput {
  [Symbol.dispose](): void {}
}

/** `wasi:cli/terminal-output.terminal-output`. */
export class TerminalOutput {
  [Symbol.dispose](): void {}
}

/** A `datetime` of `wasi:clocks/wall-clock`. */
export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

/** A `datetime` from milliseconds since the epoch. */
export function datetimeOf(ms: number): Datetime {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  const nanoseconds = (whole - seconds * 1000) * 1e6 + Math.round((ms - whole) * 1e6);
  return { seconds: BigInt(seconds), nanoseconds: Math.min(999_999_999, nanoseconds) };
}

function wallNow(): Datetime {
  return datetimeOf(performance.timeOrigin + performance.now());
}

const MAX_RANDOM = 1 << 26;

function randomBytes(len: bigint): Uint8Array {
  if (len > BigInt(MAX_RANDOM)) {
    throw new Error(`wasi:random: ${len} random bytes asked for (at most ${MAX_RANDOM})`);
  }
  const out = new Uint8Array(Number(len));
  for (let i = 0; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

function randomU64(): bigint {
  return new BigUint64Array(crypto.getRandomValues(new BigUint64Array(1)).buffer)[0];
}

function timer(deadline: bigint): Pollable {
  return new Pollable(() => monotonicNow() >= deadline, deadline);
}

function isTerminal(ctx: WasiContext, which: "stdin" | "stdout" | "stderr"): boolean {
  try {
    if (which === "stdin") return ctx.stdinKind === "inherit" && Deno.stdin.isTerminal();
    return false;
  } catch {
    return false;
  }
}

register({
  "wasi:cli/environment": (ctx) => ({
    getEnvironment: () => ctx.env.map(([k, v]) => [k, v]),
    getArguments: () => [...ctx.args],
    initialCwd: () => ctx.cwd,
  }),
  "wasi:cli/exit": (ctx) => ({
    exit(status: { tag: "ok" | "err" }) {
      throw ctx.hooks.exit(status?.tag === "ok" ? 0 : 1);
    },
    exitWithCode(code: number) {
      throw ctx.hooks.exit(code);
    },
  }),
  "wasi:cli/stdin": (ctx) => ({ getStdin: () => ctx.stdin() }),
  "wasi:cli/stdout": (ctx) => ({ getStdout: () => stdStream(ctx.stdout) }),
  "wasi:cli/stderr": (ctx) => ({ getStderr: () => stdStream(ctx.stderr) }),
  "wasi:cli/terminal-input": () => ({ TerminalInput }),
  "wasi:cli/terminal-output": () => ({ TerminalOutput }),
  "wasi:cli/terminal-stdin": (ctx) => ({
    getTerminalStdin: () => isTerminal(ctx, "stdin") ? new TerminalInput() : undefined,
  }),
  "wasi:cli/terminal-stdout": (ctx) => ({
    getTerminalStdout: () => isTerminal(ctx, "stdout") ? new TerminalOutput() : undefined,
  }),
  "wasi:cli/terminal-stderr": (ctx) => ({
    getTerminalStderr: () => isTerminal(ctx, "stderr") ? new TerminalOutput() : undefined,
  }),
  "wasi:clocks/monotonic-clock": () => ({
    now: monotonicNow,
    resolution: () => 1000n,
    subscribeInstant: (when: bigint) => timer(when),
    subscribeDuration: (d: bigint) => timer(monotonicNow() + d),
  }),
  "wasi:clocks/wall-clock": () => ({
    now: wallNow,
    resolution: () => ({ seconds: 0n, nanoseconds: 1000 }),
  }),
  // The host's time zone is not the component's business unless granted: it is told UTC.
  "wasi:clocks/timezone": () => ({
    display: (_when: Datetime) => ({ utcOffset: 0, name: "UTC", inDaylightSavingTime: false }),
    utcOffset: (_when: Datetime) => 0,
  }),
  "wasi:random/random": () => ({
    getRandomBytes: randomBytes,
    getRandomU64: randomU64,
  }),
  "wasi:random/insecure": () => ({
    getInsecureRandomBytes: randomBytes,
    getInsecureRandomU64: randomU64,
  }),
  "wasi:random/insecure-seed": () => ({
    insecureSeed: (): [bigint, bigint] => [randomU64(), randomU64()],
  }),
});
