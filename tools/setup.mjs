#!/usr/bin/env node
// Idempotent set-up for wreg, run by the deno.json tasks before anything else.
//
// It is plain Node on purpose: on a fresh machine Deno comes from npx and the npm dependencies are
// not installed yet, so nothing here may need Deno or a package from node_modules.
//
//   node tools/setup.mjs            npm dependencies plus what the test suite needs
//   node tools/setup.mjs --quiet    npm dependencies only, silent when already in place
//
// Every step checks first and installs only what is missing, so a warm run costs a few stat calls.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
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

/** Python packages the tests use as independent oracles (wasmtime runs components natively). */
const PYTHON_PACKAGES = [["wasmtime", "49.0.0"]];

function pythonPackages() {
  const python = process.env.WREG_PYTHON ?? "python3";
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

try {
  npmDependencies();
  if (!quiet) {
    pythonPackages();
    log("ready");
  }
} catch (e) {
  console.error(`setup failed: ${e.message}`);
  process.exit(1);
}
