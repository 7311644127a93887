/**
 * The global install README.md gives: `deno install -g -A -f --config <wreg>/deno.json -n wreg
 * <wreg>/cli/main.ts` makes a `wreg` that works in any folder and acts on that folder.
 */
import assert from "node:assert/strict";
import { ROOT } from "./cli_support.ts";

Deno.test("a globally installed wreg runs in any folder and acts on that folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "wreg-global-" });
  try {
    // The machine's environment is passed through: `deno install -g` fetches npm packages itself,
    // and on a machine whose Deno cache is empty it needs the certificate settings (SSL_CERT_FILE
    // and friends) to reach the registry. Only wreg's own settings are replaced, so nothing of the
    // developer's wreg configuration leaks in.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      if (!k.startsWith("WREG_")) env[k] = v;
    }
    Object.assign(env, {
      HOME: `${root}/home`,
      WREG_CONFIG_DIR: `${root}/config`,
      WREG_CACHE_DIR: `${root}/cache`,
      // The same Deno cache as the suite's (Deno's own default, which the fake HOME would move).
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`,
      NO_COLOR: "1",
    });
    const install = await new Deno.Command(Deno.execPath(), {
      args: [
        "install",
        "-g",
        "-A",
        "-f",
        "--root",
        `${root}/global`,
        "--config",
        `${ROOT}/deno.json`,
        "-n",
        "wreg",
        `${ROOT}/cli/main.ts`,
      ],
      env,
      clearEnv: true,
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const project = `${root}/somewhere/my-app`;
    await Deno.mkdir(project, { recursive: true });
    const run = async (args: string[]) => {
      const out = await new Deno.Command(`${root}/global/bin/wreg`, {
        args,
        cwd: project,
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    };
    const help = await run(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^wreg: a registry and package manager for WebAssembly components/);
    const init = await run(["init"]);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(`${project}/wreg.json`)).name, "local:my-app");
    // Relative paths are read from the folder wreg runs in.
    await Deno.copyFile(`${ROOT}/examples/processor/wit/processor.wit`, `${project}/p.wit`);
    const built = await run(["wit", "build", "p.wit", "-o", "p.wasm"]);
    assert.equal(built.code, 0, built.stderr);
    assert.ok((await Deno.stat(`${project}/p.wasm`)).isFile);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
