/**
 * The native wasm-tools CLI (from crates.io, installed by `node tools/setup.mjs`) as a second
 * independent validator beside wasmtime.
 *
 * @module
 */

let found: Promise<string> | undefined;

async function runs(command: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * The path of the wasm-tools binary: on PATH, else in `$CARGO_HOME/bin` or `~/.cargo/bin`.
 * Throws with what to do when it is not installed.
 */
export function findWasmTools(): Promise<string> {
  found ??= (async () => {
    const cargoHome = Deno.env.get("CARGO_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cargo`;
    for (const candidate of ["wasm-tools", `${cargoHome}/bin/wasm-tools`]) {
      if (await runs(candidate)) return candidate;
    }
    found = undefined;
    throw new Error(
      "Cannot find wasm-tools (neither on PATH nor in ~/.cargo/bin): run `node tools/setup.mjs`",
    );
  })();
  return found;
}

/** Runs `wasm-tools <args>` with `input` on stdin; returns its exit status and output. */
export async function runWasmTools(
  args: string[],
  input?: Uint8Array,
): Promise<{ success: boolean; stdout: string; stderr: string }> {
  const child = new Deno.Command(await findWasmTools(), {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    success: out.success,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/**
 * Validates a module or component with `wasm-tools validate` (all proposals wasm-tools enables
 * by default); returns `undefined` when valid, else the error text.
 */
export async function wasmToolsValidate(bytes: Uint8Array): Promise<string | undefined> {
  const r = await runWasmTools(["validate", "-"], bytes);
  return r.success ? undefined : r.stderr.trim();
}
