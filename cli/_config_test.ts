import assert from "node:assert/strict";
import { CliError, EXIT } from "./_command.ts";
import {
  configDir,
  configPath,
  defaultRegistry,
  normalizeRegistryUrl,
  noTokenAdvice,
  readConfig,
  tokenFor,
  writeConfig,
} from "./_config.ts";

Deno.test("the config folder is WREG_CONFIG_DIR, else XDG_CONFIG_HOME/wreg, else ~/.config/wreg", () => {
  assert.equal(configDir({ env: { WREG_CONFIG_DIR: "/c", HOME: "/h" }, cwd: "/w" }), "/c");
  assert.equal(configDir({ env: { WREG_CONFIG_DIR: "rel" }, cwd: "/w" }), "/w/rel");
  assert.equal(configDir({ env: { XDG_CONFIG_HOME: "/x/", HOME: "/h" }, cwd: "/w" }), "/x/wreg");
  assert.equal(
    configDir({ env: { XDG_CONFIG_HOME: "relative", HOME: "/h" }, cwd: "/w" }),
    "/h/.config/wreg",
  );
  assert.equal(configPath({ env: { HOME: "/h" }, cwd: "/w" }), "/h/.config/wreg/config.json");
});

Deno.test("registry URLs are normalised and anything but http(s) is refused", () => {
  assert.equal(normalizeRegistryUrl("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  assert.equal(normalizeRegistryUrl(" https://Reg.Example/wreg/ "), "https://reg.example/wreg");
  assert.equal(normalizeRegistryUrl("oci://GHCR.io/webassembly"), "oci://ghcr.io/webassembly/");
  assert.equal(normalizeRegistryUrl("oci://127.0.0.1:5000"), "oci://127.0.0.1:5000/");
  assert.equal(normalizeRegistryUrl("Wasi.dev"), "wasi.dev");
  assert.equal(normalizeRegistryUrl("localhost:8081"), "localhost:8081");
  for (const bad of ["ftp://x", "not a url", "http://user:pw@host", "docs", "oci://u:p@h/"]) {
    assert.throws(() => normalizeRegistryUrl(bad), (e: unknown) => {
      assert.ok(e instanceof CliError && e.exitCode === EXIT.usage);
      return true;
    });
  }
});

Deno.test("the config is written readable by its owner only and read back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const io = { env: { WREG_CONFIG_DIR: `${dir}/cfg` }, cwd: dir };
    assert.deepEqual(await readConfig(io), {});
    const path = await writeConfig(io, {
      registry: "http://a",
      tokens: { "http://b": "t2", "http://a": "t1" },
      namespace: "docs",
    });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(await readConfig(io), {
      registry: "http://a",
      namespace: "docs",
      tokens: { "http://a": "t1", "http://b": "t2" },
    });
    // No temporary file is left behind.
    const names = [];
    for await (const e of Deno.readDir(`${dir}/cfg`)) names.push(e.name);
    assert.deepEqual(names, ["config.json"]);
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(
      readConfig(io),
      /Cannot read the wreg config .*config\.json: it is not JSON/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WREG_REGISTRY overrides the config, and WREG_TOKEN is its token only", () => {
  const config = {
    registry: "http://stored",
    tokens: { "http://stored": "stored-token", "https://env": "stored-env-token" },
  };
  const plain = { env: {}, cwd: "/" };
  assert.equal(defaultRegistry(plain, config), "http://stored");
  assert.equal(tokenFor(plain, config, "http://stored"), "stored-token");
  assert.equal(tokenFor(plain, config, "http://other"), undefined);
  const env = { env: { WREG_REGISTRY: "https://env/", WREG_TOKEN: " env-token " }, cwd: "/" };
  assert.equal(defaultRegistry(env, config), "https://env");
  assert.equal(tokenFor(env, config, "https://env"), "env-token");
  // Any other registry (one a project's wreg.json names) keeps its own token, or has none.
  assert.equal(tokenFor(env, config, "http://stored"), "stored-token");
  assert.equal(tokenFor(env, config, "https://elsewhere"), undefined);
  // WREG_TOKEN without WREG_REGISTRY is no registry's token.
  const unbound = { env: { WREG_TOKEN: "env-token" }, cwd: "/" };
  assert.equal(tokenFor(unbound, config, "http://stored"), "stored-token");
  assert.equal(tokenFor(unbound, {}, "http://stored"), undefined);
  assert.match(noTokenAdvice(unbound, "http://stored"), /WREG_REGISTRY is not set/);
  assert.match(noTokenAdvice(env, "https://elsewhere"), /WREG_REGISTRY names \(https:\/\/env\)/);
  assert.match(noTokenAdvice(plain, "https://x"), /^run `wreg login --registry https:\/\/x/);
  assert.equal(defaultRegistry(plain, {}), undefined);
});
