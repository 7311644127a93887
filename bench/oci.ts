/**
 * Fetching a package from an OCI registry: `wreg add` beside the reference client, `wkg get`, in
 * one run, against the CNCF distribution registry on loopback (the one tools/services.mjs starts;
 * run through it when `WREG_TEST_OCI_REGISTRY` is not set).
 *
 * Seeded as the ecosystem publishes: the WASI 0.2.3 WIT packages (encoded by wreg, published with
 * `wkg publish`) and two real components pushed with `wkg oci push`: Spin's test command (88 KiB)
 * and jco's hello_stdout (2.1 MiB). For each package:
 *
 * - **wreg**: `wreg add <pkg> --no-bindings` in a fresh folder whose wreg.json maps the namespace
 *   to `oci://<registry>/<prefix>`: list the tags, fetch the manifest, fetch and verify the layer
 *   into the cache, decode it (kind, dependencies), write wreg.json and wreg.lock (and, for a WIT
 *   package, wit/deps as WIT text).
 * - **wkg**: `wkg get <pkg> --format wasm` with the registry's metadata inline (no well-known
 *   fetch): `/v2/` probes, tags, manifest, config, layer; writes the .wasm.
 *
 * Cold: an empty cache for every run (both). Warm: the cache kept, a fresh output folder. Both
 * run as processes, rounds interleaved; the ratio is the median of per-round ratios (wreg / wkg:
 * below 1 is faster than wkg). "wreg in-process" runs the same `wreg add` in this process
 * (`runWreg`): the work without starting Deno and loading wreg's modules, which the row
 * "process start" measures alone for both.
 *
 * With `--baseline <dir>` (another wreg checkout, e.g. `git archive` of an older commit with a
 * `node_modules` link), that wreg's `wreg add` and start run in the same rounds too, and the
 * table adds the paired ratio of this wreg to it (below 1: this one is faster).
 *
 * Usage: `deno run -A bench/oci.ts [--rounds N] [--baseline DIR]`.
 *
 * @module
 */
import { digestOf } from "../lib/names/mod.ts";
import { runWreg } from "../cli/mod.ts";
import { interleaved, pairedRatio, summarize } from "./_harness.ts";
import { CORPUS } from "../tools/corpus.ts";
import { peerPath } from "../tools/peers.ts";
import {
  publishWithWkg,
  uniquePrefix,
  wasiWitPackages,
  wkgConfig,
  wkgOciPush,
} from "../tests/support/oci.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const roundsArg = Deno.args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Number(Deno.args[roundsArg + 1]) : 10;
const baselineArg = Deno.args.indexOf("--baseline");
const BASELINE = baselineArg >= 0 ? Deno.args[baselineArg + 1].replace(/\/$/, "") : undefined;

const registry = Deno.env.get("WREG_TEST_OCI_REGISTRY");
if (registry === undefined) {
  // Run again with the distribution registry started (and stopped) around this script.
  const out = await new Deno.Command("node", {
    args: [
      `${ROOT}/tools/services.mjs`,
      Deno.execPath(),
      "run",
      "-A",
      import.meta.filename!,
      ...Deno.args,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(out.code);
}

const inherited = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("WREG_") && k !== "DENO_DIR"),
);

async function proc(cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  const o = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { ...inherited, NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (o.code !== 0) {
    const dec = new TextDecoder();
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${dec.decode(o.stdout)}${dec.decode(o.stderr)}`,
    );
  }
}

const work = await Deno.makeTempDir({ prefix: "wreg-bench-oci-" });
let seq = 0;
const fresh = async (what: string) => {
  const d = `${work}/${what}${seq++}`;
  await Deno.mkdir(d, { recursive: true });
  return d;
};

try {
  const prefix = uniquePrefix();
  const cfg = await wkgConfig(`${work}/wkg`, registry, prefix, ["wasi", "acme"]);
  const wasi = await wasiWitPackages("v0.2.3");
  await publishWithWkg(`${work}/seed`, wasi, cfg);
  const components: [string, string][] = [
    ["acme:test-command", `${CORPUS}spin/crates/build/tests/test-components/test-command.wasm`],
    [
      "acme:hello-stdout",
      `${CORPUS}jco/packages/jco/test/fixtures/components/hello_stdout.component.wasm`,
    ],
  ];
  for (const [name, file] of components) {
    await wkgOciPush(registry, `${prefix}${name.replace(":", "/")}:0.1.0`, file);
  }
  const io = wasi.find((p) => p.id === "wasi:io@0.2.3")!;
  const cases: { name: string; spec: string; size: number; digest: string }[] = [
    {
      name: "wasi:io",
      spec: "wasi:io@0.2.3",
      size: io.bytes.length,
      digest: await digestOf(io.bytes),
    },
  ];
  for (const [name, file] of components) {
    const bytes = await Deno.readFile(file);
    cases.push({ name, spec: `${name}@0.1.0`, size: bytes.length, digest: await digestOf(bytes) });
  }

  // The components' WASI imports point at an empty prefix: their WIT packages are looked up
  // (a 404 each) and left out, so both clients fetch exactly one package.
  const wregJson = JSON.stringify({ registries: { wasi: `oci://${registry}/${prefix}` } });
  const componentJson = JSON.stringify({
    registries: {
      wasi: `oci://${registry}/${uniquePrefix()}`,
      acme: `oci://${registry}/${prefix}`,
    },
  });
  const wkg = peerPath("wkg");
  const wregAdd = async (spec: string, cache: string, root = ROOT) => {
    const d = await fresh("wreg");
    await Deno.writeTextFile(`${d}/wreg.json`, spec.startsWith("wasi:") ? wregJson : componentJson);
    await proc(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--config",
        `${root}/deno.json`,
        `${root}/cli/main.ts`,
        "add",
        spec,
        "--no-bindings",
      ],
      d,
      { HOME: `${work}/home`, WREG_CACHE_DIR: cache, WREG_CONFIG_DIR: `${work}/wreg-config` },
    );
    // What was locked is what was pushed.
    const lock = JSON.parse(await Deno.readTextFile(`${d}/wreg.lock`));
    return lock;
  };
  // The same command in this process: the work without Deno's start and module loading.
  const wregInProcess = async (spec: string, cache: string) => {
    const d = await fresh("inproc");
    await Deno.writeTextFile(`${d}/wreg.json`, spec.startsWith("wasi:") ? wregJson : componentJson);
    const code = await runWreg(["add", spec, "--no-bindings"], {
      stdout: () => {},
      stderr: () => {},
      cwd: d,
      isTerminal: false,
      env: { HOME: `${work}/home`, WREG_CACHE_DIR: cache, WREG_CONFIG_DIR: `${work}/wreg-config` },
    });
    if (code !== 0) throw new Error(`wreg add ${spec} in-process: exit ${code}`);
  };
  const wkgGet = async (spec: string, cache: string) => {
    const d = await fresh("wkg");
    await proc(
      wkg,
      [
        "get",
        spec,
        "--config",
        cfg.config,
        "--cache",
        cache,
        "--format",
        "wasm",
        "-o",
        `${d}/out.wasm`,
      ],
      d,
      { HOME: `${work}/home` },
    );
  };

  // Correctness first: both get the bytes that were pushed.
  for (const c of cases) {
    const lock = await wregAdd(c.spec, `${work}/check-cache`);
    const locked = lock.packages[c.name];
    if (locked.digest !== c.digest) throw new Error(`wreg locked ${locked.digest} for ${c.spec}`);
    const d = await fresh("wkgcheck");
    await proc(
      wkg,
      [
        "get",
        c.spec,
        "--config",
        cfg.config,
        "--cache",
        `${work}/check-wkg`,
        "--format",
        "wasm",
        "-o",
        `${d}/out.wasm`,
      ],
      d,
      { HOME: `${work}/home` },
    );
    if (await digestOf(await Deno.readFile(`${d}/out.wasm`)) !== c.digest) {
      throw new Error(`wkg got other bytes for ${c.spec}`);
    }
  }

  const lines = [
    "### `wreg add` vs `wkg get` of one package from an OCI registry (distribution on loopback)",
    "",
    `| package | size | cache | wreg | wkg | wreg / wkg | wreg in-process | in-process / wkg |${
      BASELINE ? " before | wreg / before |" : ""
    }`,
    `| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |${BASELINE ? " ---: | ---: |" : ""}`,
  ];
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  for (const c of cases) {
    for (const mode of ["cold", "warm"] as const) {
      const wregCache = `${work}/wreg-cache-${c.name.replace(":", "-")}`;
      const wkgCache = `${work}/wkg-cache-${c.name.replace(":", "-")}`;
      const inCache = `${work}/wreg-inproc-${c.name.replace(":", "-")}`;
      const baseCache = `${work}/wreg-base-${c.name.replace(":", "-")}`;
      const samples = await interleaved(
        [
          ["wreg", () => wregAdd(c.spec, mode === "cold" ? `${work}/c${seq++}` : wregCache)],
          ["wkg", () => wkgGet(c.spec, mode === "cold" ? `${work}/k${seq++}` : wkgCache)],
          ["in", () => wregInProcess(c.spec, mode === "cold" ? `${work}/i${seq++}` : inCache)],
          ...(BASELINE === undefined ? [] : [[
            "before",
            () => wregAdd(c.spec, mode === "cold" ? `${work}/b${seq++}` : baseCache, BASELINE),
          ] as [string, () => Promise<unknown>]]),
        ],
        ROUNDS,
        mode === "warm" ? 2 : 1,
      );
      const [w, k, i] = ["wreg", "wkg", "in"].map((n) => summarize(n, samples.get(n)!));
      const ratio = (a: string, b = "wkg") =>
        pairedRatio(samples.get(a)!, samples.get(b)!).toFixed(2);
      lines.push(
        `| ${c.spec} | ${(c.size / 1024).toFixed(0)} KiB | ${mode} | ${fmt(w.median)} | ${
          fmt(k.median)
        } | ${ratio("wreg")}× | ${fmt(i.median)} | ${ratio("in")}× |${
          BASELINE === undefined
            ? ""
            : ` ${fmt(summarize("", samples.get("before")!).median)} | ${
              ratio("wreg", "before")
            }× |`
        }`,
      );
    }
  }
  // What starting each process costs, doing nothing.
  const starts = await interleaved(
    [
      ["wreg", () =>
        proc(
          Deno.execPath(),
          ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/cli/main.ts`, "--help"],
          work,
          {},
        )],
      ["wkg", () => proc(wkg, ["--version"], work, {})],
      ...(BASELINE === undefined ? [] : [[
        "before",
        () =>
          proc(
            Deno.execPath(),
            ["run", "-A", "--config", `${BASELINE}/deno.json`, `${BASELINE}/cli/main.ts`, "--help"],
            work,
            {},
          ),
      ] as [string, () => Promise<unknown>]]),
    ],
    ROUNDS,
    1,
  );
  lines.push(
    `| (process start: \`--help\` / \`--version\`) | | | ${
      fmt(summarize("", starts.get("wreg")!).median)
    } | ${fmt(summarize("", starts.get("wkg")!).median)} | ${
      pairedRatio(starts.get("wreg")!, starts.get("wkg")!).toFixed(2)
    }× | | |${
      BASELINE === undefined
        ? ""
        : ` ${fmt(summarize("", starts.get("before")!).median)} | ${
          pairedRatio(starts.get("wreg")!, starts.get("before")!).toFixed(2)
        }× |`
    }`,
    "",
    `${ROUNDS} interleaved rounds each. wreg also decodes the package (kind, dependencies) and ` +
      "writes wreg.json and wreg.lock (and wit/deps as WIT text for a WIT package); wkg writes " +
      "the .wasm.",
  );
  console.log(lines.join("\n"));
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
