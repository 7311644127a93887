#!/usr/bin/env node
// Idempotent set-up for wreg, run by the deno.json tasks before anything else.
//
// It is plain Node on purpose: on a fresh machine Deno comes from npx and the npm dependencies are
// not installed yet, so nothing here may need Deno or a package from node_modules.
//
//   node tools/setup.mjs              npm dependencies plus what the test suite needs
//   node tools/setup.mjs --examples   npm dependencies plus what building the examples needs
//                                     (the Python venv, clang and lld): `deno task start` seeds
//                                     the registry with them
//   node tools/setup.mjs --quiet      npm dependencies only, silent when already in place
//   node tools/setup.mjs --only-peers[=wkg,oras]
//                                     only the peer tools of tools/peers.json (all, or those named)
//
// Every step checks first and installs only what is missing, so a warm run costs a few stat calls.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
const examplesOnly = process.argv.includes("--examples");
const log = (msg) => {
  if (!quiet) console.error(`setup: ${msg}`);
};

/** npm dependencies: installed when package.json or package-lock.json changed since last time. */
function npmDependencies() {
  const stamp = join(root, "node_modules", ".wreg-setup-stamp");
  const hash = createHash("sha256");
  for (const f of ["package.json", "package-lock.json"]) {
    const p = join(root, f);
    if (existsSync(p)) hash.update(readFileSync(p));
  }
  const want = hash.digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  console.error("setup: installing npm dependencies (npm install)");
  // `npm install`, not `npm ci`: the lock written here omits registry addresses (see TOOLCHAIN.md),
  // which `npm ci` refuses.
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error("npm install failed");
  writeFileSync(stamp, want);
}

/**
 * Python packages: the tests use wasmtime as an independent oracle (it runs components
 * natively); examples/build.ts builds the Python example with componentize-py;
 * tests/registry_openapi_test.ts runs schemathesis against a live registry.
 */
const PYTHON_PACKAGES = [
  ["wasmtime", "49.0.0"],
  ["componentize-py", "0.25.1"],
  ["schemathesis", "4.32.5"],
];

/** The project's own Python environment, so tests never depend on (or change) the system's. */
const VENV = join(root, ".tools", "venv");
const VENV_PYTHON = join(VENV, "bin", "python");

/**
 * Every `python3` on PATH, in order, without repeats. `npx` puts the folder of the node binary
 * (`/usr/bin`) first on PATH, so the first `python3` may be Debian's, which refuses `pip install`
 * (PEP 668) and may lack `ensurepip`; the machine's own CPython (pyenv) comes later.
 */
function pythonCandidates() {
  const seen = new Set();
  const out = [];
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const p = join(dir || ".", "python3");
    if (!existsSync(p)) continue;
    let key = p;
    try {
      key = realpathSync(p);
    } catch { /* keep the path */ }
    if (!seen.has(key)) out.push(p);
    seen.add(key);
  }
  return out;
}

/** Creates .tools/venv with the first Python that can make a virtual environment with pip. */
function ensureVenv() {
  if (existsSync(VENV_PYTHON)) return VENV_PYTHON;
  const tried = [];
  for (const python of pythonCandidates()) {
    const r = spawnSync(python, ["-m", "venv", VENV], { encoding: "utf8" });
    if (r.status === 0 && existsSync(VENV_PYTHON)) {
      console.error(`setup: created .tools/venv with ${python}`);
      return VENV_PYTHON;
    }
    tried.push(`${python}: ${(r.stderr || r.error?.message || "failed").trim().split("\n").pop()}`);
    rmSync(VENV, { recursive: true, force: true });
  }
  throw new Error(`no python3 on PATH can create a virtual environment:\n  ${tried.join("\n  ")}`);
}

/** The Python the tests use: `WREG_PYTHON` when set, else the project's venv. */
function pythonPackages() {
  const python = process.env.WREG_PYTHON ?? ensureVenv();
  for (const [name, version] of PYTHON_PACKAGES) {
    const probe = spawnSync(python, [
      "-c",
      `import importlib.metadata as m; print(m.version(${JSON.stringify(name)}))`,
    ], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() === version) continue;
    console.error(`setup: installing ${name}==${version} for ${python}`);
    execFileSync(python, ["-m", "pip", "install", "--quiet", `${name}==${version}`], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
}

/**
 * Debian packages: the example components are built with clang and wasm-ld (examples/build.ts
 * compiles the C scrubber for freestanding wasm32, so no wasi-libc is needed); the web index's
 * browser tests drive Chromium (tests/web_browser_test.ts, through playwright-core: Playwright's
 * own browser download does not work here). wasi-libc and clang's wasm32 runtime build the C
 * program the WASI host is tested with against wasmtime (wasi/testdata/probe.c, tests/wasi_host_test.ts).
 */
const DEBIAN_PACKAGES = [
  "clang",
  "lld",
  "wasi-libc",
  "libclang-rt-14-dev-wasm32",
  "chromium",
  "postgresql",
  "docker-registry",
  "skopeo",
  "wrk",
];
/** The part of {@link DEBIAN_PACKAGES} that building the examples needs. */
const EXAMPLE_DEBIAN_PACKAGES = ["clang", "lld"];

function debianPackages(wanted = DEBIAN_PACKAGES) {
  const probe = spawnSync("dpkg-query", [
    "-W",
    "-f=${Package} ${db:Status-Status}\n",
    ...wanted,
  ], {
    encoding: "utf8",
  });
  if (probe.error) {
    throw new Error(
      `cannot check Debian packages ${wanted.join(", ")}: ${probe.error.message}; this set-up ` +
        "installs them with Debian's apt-get (README, set-up): on another system install them " +
        "by hand",
    );
  }
  const installed = new Set(
    probe.stdout.split("\n").filter((l) => l.endsWith(" installed")).map((l) => l.split(" ")[0]),
  );
  const missing = wanted.filter((p) => !installed.has(p));
  if (missing.length === 0) return;
  console.error(`setup: installing Debian packages ${missing.join(", ")} (apt-get)`);
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  if (sudo.length > 0 && spawnSync("sudo", ["-n", "true"]).status !== 0) {
    throw new Error(
      `installing Debian packages ${missing.join(", ")} needs root or passwordless sudo ` +
        `(\`sudo -n\` refused): run \`sudo apt-get install ${missing.join(" ")}\`, then this again`,
    );
  }
  const apt = (args) => {
    const [cmd, ...rest] = [...sudo, "apt-get", ...args];
    const r = spawnSync(cmd, rest, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed`);
  };
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
}

/**
 * Peer tools built from source (tools/peers.json): the native wasm-tools, wkg, oras, versitygw, …
 * Each is cached by version outside the clone, in `$WREG_TOOLS_DIR` (default
 * `~/.local/share/wreg-tools`), as `<name>-<version>/bin/<bin>`, and built only when missing: a
 * new machine pays each build once (minutes; see README), later runs and other clones reuse it.
 * A binary of the pinned version already on PATH or in cargo's or Go's bin folder is reused as is.
 * Builds go to a temporary folder renamed into place, under a lock, so two set-ups running at once
 * (two clones) build a tool once and never see half a tool.
 */
const PEERS = JSON.parse(readFileSync(join(root, "tools", "peers.json"), "utf8")).tools.map(
  withSourceVersion,
);

/**
 * A `go-src` peer is built from a folder of this repository (our own small verifier on pinned
 * Go libraries): its version is `src-` and a hash of the folder's go.mod, go.sum and .go files,
 * so an edit rebuilds it and an unchanged folder reuses the cached binary (tools/peers.ts computes
 * the same hash).
 */
function withSourceVersion(tool) {
  if (tool.kind !== "go-src") return tool;
  const dir = join(root, tool.dir);
  const hash = createHash("sha256");
  const files = readdirSync(dir).filter((f) =>
    f === "go.mod" || f === "go.sum" || f.endsWith(".go")
  )
    .sort();
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(join(dir, f))).update("\0");
  return { ...tool, version: `src-${hash.digest("hex").slice(0, 12)}` };
}
const HOME = process.env.HOME ?? "/root";
const TOOLS_DIR = process.env.WREG_TOOLS_DIR ?? join(HOME, ".local", "share", "wreg-tools");

function versionMatches(bin, tool) {
  const probe = spawnSync(bin, tool.versionArgs, { encoding: "utf8", timeout: 20_000 });
  return probe.status === 0 && `${probe.stdout}${probe.stderr}`.includes(tool.version);
}

/** Where a peer tool is, or undefined (the same search as tools/peers.ts). */
function findPeer(tool) {
  const cached = join(TOOLS_DIR, `${tool.name}-${tool.version}`, "bin", tool.bin);
  if (existsSync(cached)) return cached;
  // A test suite has no version flag (started, it runs): only the cache counts.
  if (tool.kind === "go-suite") return undefined;
  const cargoHome = process.env.CARGO_HOME ?? join(HOME, ".cargo");
  const goBin = join(process.env.GOPATH ?? join(HOME, "go"), "bin");
  for (const c of [tool.bin, join(cargoHome, "bin", tool.bin), join(goBin, tool.bin)]) {
    if (versionMatches(c, tool)) return c;
  }
  return undefined;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `build` holding `<TOOLS_DIR>/.lock-<name>`; waits while another live process holds it. */
function withToolLock(name, build) {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const lock = join(TOOLS_DIR, `.lock-${name}`);
  for (let waited = 0;; waited++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch { /* being created */ }
      if (owner && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited % 30 === 0) console.error(`setup: waiting for another set-up building ${name}`);
      sleep(2000);
    }
  }
  try {
    build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The compiler a peer's kind needs (Rust's cargo or Go's go: on PATH, else where their installers
 * put them), checked before a build so that a machine without it gets a sentence, not a spawn
 * error.
 */
function builderFor(tool) {
  const cargoHome = process.env.CARGO_HOME ?? join(HOME, ".cargo");
  const [what, candidates] = tool.kind === "cargo"
    ? ["Rust's cargo", ["cargo", join(cargoHome, "bin", "cargo")]]
    : ["Go", ["go", "/usr/local/go/bin/go"]];
  for (const c of candidates) {
    if (spawnSync(c, ["version"]).status === 0) return c;
  }
  throw new Error(
    `building ${tool.name} ${tool.version} needs ${what}, which is neither on PATH nor at ` +
      `${candidates[1]} (README, set-up); or put a ${tool.bin} of version ${tool.version} on PATH`,
  );
}

function buildPeer(tool) {
  const final = join(TOOLS_DIR, `${tool.name}-${tool.version}`);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  console.error(`setup: building ${tool.name} ${tool.version} (${tool.kind}; ${tool.why})`);
  let r;
  if (tool.kind === "cargo") {
    r = spawnSync(
      builderFor(tool),
      ["install", "--locked", "--quiet", "--root", tmp, `${tool.crate}@${tool.version}`],
      {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, CARGO_TARGET_DIR: join(TOOLS_DIR, ".cargo-target") },
      },
    );
  } else if (tool.kind === "go-src") {
    r = spawnSync(
      builderFor(tool),
      [
        "build",
        "-ldflags",
        `-X main.version=${tool.version}`,
        "-o",
        join(tmp, "bin", tool.bin),
        ".",
      ],
      {
        cwd: join(root, tool.dir),
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false" },
      },
    );
  } else if (tool.kind === "go" || tool.kind === "go-suite") {
    r = spawnSync(builderFor(tool), ["install", tool.module], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, GOBIN: join(tmp, "bin"), GOFLAGS: "-buildvcs=false" },
    });
  } else {
    throw new Error(`tools/peers.json: unknown kind ${tool.kind} for ${tool.name}`);
  }
  if (r.status !== 0 || !existsSync(join(tmp, "bin", tool.bin))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`building ${tool.name} ${tool.version} failed`);
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  console.error(
    `setup: built ${tool.name} ${tool.version} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

function peerTools(names) {
  for (const tool of PEERS) {
    if (names && !names.includes(tool.name)) continue;
    if (findPeer(tool)) continue;
    withToolLock(tool.name, () => {
      if (!findPeer(tool)) buildPeer(tool);
    });
  }
}

const onlyPeers = process.argv.find((a) => a.startsWith("--only-peers"));

try {
  if (onlyPeers) {
    // `--only-peers[=a,b]`: build the missing peer tools (all, or those named) and nothing else.
    peerTools(onlyPeers.includes("=") ? onlyPeers.split("=")[1].split(",") : undefined);
    process.exit(0);
  }
  npmDependencies();
  if (examplesOnly) {
    pythonPackages();
    debianPackages(EXAMPLE_DEBIAN_PACKAGES);
    log("ready");
  } else if (!quiet) {
    pythonPackages();
    debianPackages();
    peerTools();
    log("ready");
  }
} catch (e) {
  console.error(`setup failed: ${e.message}`);
  process.exit(1);
}
