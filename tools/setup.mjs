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
//
// Every step checks first and installs only what is missing, so a warm run costs a few stat calls.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
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
 * natively); examples/build.ts builds the Python example with componentize-py.
 */
const PYTHON_PACKAGES = [["wasmtime", "49.0.0"], ["componentize-py", "0.25.1"]];

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
 * own browser download does not work here).
 */
const DEBIAN_PACKAGES = ["clang", "lld", "chromium"];
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
      `cannot check Debian packages ${wanted.join(", ")}: ${probe.error.message}`,
    );
  }
  const installed = new Set(
    probe.stdout.split("\n").filter((l) => l.endsWith(" installed")).map((l) => l.split(" ")[0]),
  );
  const missing = wanted.filter((p) => !installed.has(p));
  if (missing.length === 0) return;
  console.error(`setup: installing Debian packages ${missing.join(", ")} (apt-get)`);
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
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
 * The native wasm-tools CLI, a second validator the tests check wreg's output with (beside
 * wasmtime). Built from crates.io with the machine's cargo when neither PATH nor ~/.cargo/bin
 * has it; that takes minutes once.
 */
const WASM_TOOLS_VERSION = "1.263.0";

function nativeWasmTools() {
  const cargoHome = process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo");
  for (const candidate of ["wasm-tools", join(cargoHome, "bin", "wasm-tools")]) {
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (probe.status === 0) return;
  }
  const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8" }).status === 0
    ? "cargo"
    : join(cargoHome, "bin", "cargo");
  console.error(`setup: building wasm-tools ${WASM_TOOLS_VERSION} (cargo install, a few minutes)`);
  const r = spawnSync(
    cargo,
    ["install", "--locked", "--quiet", `wasm-tools@${WASM_TOOLS_VERSION}`],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  if (r.status !== 0) throw new Error(`cargo install wasm-tools@${WASM_TOOLS_VERSION} failed`);
}

try {
  npmDependencies();
  if (examplesOnly) {
    pythonPackages();
    debianPackages(EXAMPLE_DEBIAN_PACKAGES);
    log("ready");
  } else if (!quiet) {
    pythonPackages();
    debianPackages();
    nativeWasmTools();
    log("ready");
  }
} catch (e) {
  console.error(`setup failed: ${e.message}`);
  process.exit(1);
}
