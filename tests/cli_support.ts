/**
 * Support for the CLI's end-to-end tests: a real registry process on 127.0.0.1 (a free port and
 * a temporary data folder, from tests/registry_support.ts) with a publisher token, wreg run
 * in-process on a temporary project folder with its own cache and config folders (never the
 * real home), wreg run as a real `deno run` process, and the example components.
 *
 * @module
 */
import { type Io, runWreg } from "../cli/mod.ts";
import {
  Client,
  ROOT,
  type ServerProcess,
  startServerProcess,
  TRUSTED_LOG_KEYS,
} from "./registry_support.ts";
import { exampleWasm } from "./support/examples.ts";

export { ROOT };

/**
 * The environment that trusts the log keys of the registry processes started so far (as CI would
 * set `WREG_TRUST_LOG_KEY`); a sandbox's own `env` overrides it.
 */
function trustEnv(): Record<string, string> {
  return TRUSTED_LOG_KEYS.size > 0 ? { WREG_TRUST_LOG_KEY: [...TRUSTED_LOG_KEYS].join(" ") } : {};
}

/** What one wreg run printed and returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary "machine": home, cache and config folders, and the environment wreg sees. */
export class Sandbox {
  private constructor(readonly root: string, readonly env: Record<string, string>) {}

  /** A new sandbox under the system temp folder. */
  static async create(prefix = "wreg-cli-e2e-"): Promise<Sandbox> {
    const root = await Deno.makeTempDir({ prefix });
    const env: Record<string, string> = {
      HOME: `${root}/home`,
      WREG_CACHE_DIR: `${root}/cache`,
      WREG_CONFIG_DIR: `${root}/config`,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    };
    await Deno.mkdir(env.HOME, { recursive: true });
    return new Sandbox(root, env);
  }

  /** A new empty folder in the sandbox. */
  async folder(name: string): Promise<string> {
    const dir = `${this.root}/${name}`;
    await Deno.mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Runs wreg in-process in `cwd` with this sandbox's environment (plus `env`); `io` adds to its
   * I/O (a `prompt` makes it a terminal session).
   */
  async wreg(
    cwd: string,
    args: string[],
    env: Record<string, string> = {},
    io: Partial<Pick<Io, "prompt" | "isTerminal">> = {},
  ): Promise<RunResult> {
    const out: string[] = [], err: string[] = [];
    const runIo: Io = {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      cwd,
      env: { ...trustEnv(), ...this.env, ...env },
      isTerminal: false,
      ...io,
    };
    const code = await runWreg(args, runIo);
    return { code, stdout: out.join(""), stderr: err.join("") };
  }

  /** Runs `deno <args>` as a process in `cwd` with this sandbox's environment. */
  async deno(cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    const denoDir = Deno.env.get("DENO_DIR");
    const home = Deno.env.get("HOME");
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd,
      // Deno's own cache stays the user's (npm and remote modules are not what is tested).
      env: {
        ...trustEnv(),
        ...this.env,
        ...(denoDir ? { DENO_DIR: denoDir } : home ? { DENO_DIR: `${home}/.cache/deno` } : {}),
        NO_COLOR: "1",
        ...env,
      },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }

  /** Runs wreg as a real process: `deno run -A --config <wreg>/deno.json <wreg>/cli/main.ts`. */
  wregProcess(cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return this.deno(cwd, [
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/cli/main.ts`,
      ...args,
    ], env);
  }

  /** Removes the sandbox. */
  async remove(): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}

/** A registry process with an admin token and a publisher token for any namespace. */
export interface Registry {
  server: ServerProcess;
  url: string;
  admin: string;
  /** A token with the publish and yank scopes. */
  token: string;
  client: Client;
  stop(): Promise<void>;
}

/** Starts a registry process for a test. */
export async function startRegistry(): Promise<Registry> {
  const admin = "e2e-admin-secret-0123";
  const server = await startServerProcess({ adminToken: admin, args: ["--quiet"] });
  const client = new Client(server.url);
  const token = await client.token(admin, "alice");
  let stopped = false;
  return {
    server,
    url: server.url,
    admin,
    token,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Runs `test` with a fresh sandbox and a registry process holding the example packages
 * ({@link publishExamples}), and removes both afterwards, whatever happens.
 */
export async function withExamplesRegistry(
  test: (box: Sandbox, registry: Registry) => Promise<void>,
): Promise<void> {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    await publishExamples(box, registry);
    await test(box, registry);
  } finally {
    await registry?.stop();
    await box.remove();
  }
}

/** An example component's bytes: examples/dist/<name>.wasm, built when missing or stale. */
export { exampleWasm };

/** The seed's WIT folder (`docs:processor@0.1.0`). */
export const PROCESSOR_WIT = `${ROOT}/examples/processor/wit`;

/** Writes files (path → text) under `dir`. */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>) {
  for (const [path, contents] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof contents === "string") await Deno.writeTextFile(full, contents);
    else await Deno.writeFile(full, contents);
  }
}

/**
 * Publishes the seed scenario with wreg itself: `docs:processor` (the WIT folder), the C
 * scrubber as `docs:scrubber` (a project with wreg.json) and the JS logger as `docs:logger` (a
 * .wasm with --name and --version). Logs in first.
 */
export async function publishExamples(box: Sandbox, registry: Registry): Promise<void> {
  const work = await box.folder("publisher");
  const must = (r: RunResult, what: string) => {
    if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  };
  must(
    await box.wreg(work, ["login", "--registry", registry.url, "--token", registry.token]),
    "login",
  );
  must(await box.wreg(work, ["publish", PROCESSOR_WIT]), "publish docs:processor");
  const scrubber = await box.folder("publisher/scrubber");
  await Deno.writeFile(`${scrubber}/scrubber.wasm`, await exampleWasm("scrubber-c"));
  must(
    await box.wreg(scrubber, [
      "init",
      "--name",
      "docs:scrubber",
      "--kind",
      "component",
      "--component",
      "scrubber.wasm",
    ]),
    "init docs:scrubber",
  );
  must(await box.wreg(scrubber, ["publish"]), "publish docs:scrubber");
  await Deno.writeFile(`${work}/logger.wasm`, await exampleWasm("logger-js"));
  must(
    await box.wreg(work, ["publish", "logger.wasm", "--name", "docs:logger", "--version", "0.1.0"]),
    "publish docs:logger",
  );
}
