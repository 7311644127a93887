/**
 * The real OCI clients against a wreg registry process on loopback (issue 13): `wkg` 0.16.1 and
 * `oras` 1.3.6 built by the set-up (tools/peers.json), Debian's `skopeo` and the CNCF
 * distribution registry (tools/services.mjs).
 *
 * - wkg: `publish` of a WIT package (and a breaking one refused with wreg's report), `oci push` of
 *   a component (wkg 0.16.1's `publish` cannot publish components: upstream bug, notes/OCI.md),
 *   `get` of both with bytes equal to wreg's own download, `fetch` and `build` in a folder whose
 *   WIT depends on a package published with `wreg publish` (digests in wkg.lock equal wreg's);
 * - oras: `push`, `pull`, `attach` and `discover`;
 * - skopeo: `copy` from distribution to wreg and back, digests preserved.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { peerPath } from "../tools/peers.ts";
import { PROCESSOR_WIT, Sandbox, startRegistry } from "./cli_support.ts";
import { mustRun, runTool, wasmConfig, wkgBearerVariable, wregWkgConfig } from "./oci_support.ts";
import {
  componentOfSize,
  PROCESSOR_0_1_2_BREAKING,
  tinyComponent,
  witPackage,
} from "./registry_support.ts";
import { requireService, serviceTest } from "./support/services.ts";

async function wregContent(url: string, pkg: string, version: string): Promise<Uint8Array> {
  const [ns, name] = pkg.split(":");
  const res = await fetch(`${url}/api/v1/packages/${ns}/${name}/${version}/content`);
  assert.equal(res.status, 200, `${pkg}@${version}`);
  return new Uint8Array(await res.arrayBuffer());
}

Deno.test("wkg publishes to, fetches from and builds against a wreg registry", async (t) => {
  const wkg = peerPath("wkg");
  const registry = await startRegistry();
  const box = await Sandbox.create("wreg-oci-wkg-");
  const host = registry.url.replace("http://", "");
  try {
    // docs:processor is published with `wreg publish` (the CLI, through wreg's own API).
    const work = await box.folder("publisher");
    const login = await box.wreg(work, [
      "login",
      "--registry",
      registry.url,
      "--token",
      registry.token,
    ]);
    assert.equal(login.code, 0, login.stderr);
    const published = await box.wreg(work, ["publish", PROCESSOR_WIT]);
    assert.equal(published.code, 0, published.stderr);
    const processor = await wregContent(registry.url, "docs:processor", "0.1.0");

    await t.step("wkg fetch and wkg build: wkg.lock holds wreg's digests", async () => {
      const cfg = await wregWkgConfig(`${box.root}/wkg-fetch`, host);
      const proj = await box.folder("app");
      await Deno.mkdir(`${proj}/wit`);
      await Deno.writeTextFile(
        `${proj}/wit/world.wit`,
        "package test:app@0.1.0;\n\nworld app {\n  import docs:processor/logger@0.1.0;\n}\n",
      );
      const env = { ...cfg.env, WKG_CACHE_DIR: `${box.root}/wkg-fetch/cache` };
      const config = ["--config", `${box.root}/wkg-fetch/wkg.toml`];
      await mustRun(wkg, ["fetch", ...config], { cwd: proj, env });
      const lock = await Deno.readTextFile(`${proj}/wkg.lock`);
      assert.match(lock, /name = "docs:processor"/);
      assert.match(lock, new RegExp(`registry = "${host}"`));
      assert.match(lock, new RegExp(`digest = "${await digestOf(processor)}"`), lock);
      const deps = await Deno.readTextFile(`${proj}/wit/deps/docs-processor-0.1.0/package.wit`);
      assert.match(deps, /package docs:processor@0\.1\.0;/);
      assert.match(deps, /interface logger/);
      const built = await mustRun(wkg, ["build", ...config], { cwd: proj, env });
      assert.match(built, /test:app@0\.1\.0\.wasm/);
      assert.ok((await Deno.stat(`${proj}/test:app@0.1.0.wasm`)).size > 0);
      // A second build reads the lock: the digest still matches.
      await mustRun(wkg, ["build", ...config], { cwd: proj, env });
    });

    await t.step("wkg publish of a WIT package, wkg get of it: wreg's bytes", async () => {
      const cfg = await wregWkgConfig(`${box.root}/wkg-pub`, host);
      const file = `${box.root}/wasi-logging.wasm`;
      const wit = witPackage(
        "package wkgtest:logging@0.1.0;\n\n/// Logging.\ninterface logging {\n  log: func(message: string);\n}\n",
      );
      await Deno.writeFile(file, wit);
      const env = { ...cfg.env, [wkgBearerVariable(host)]: registry.token };
      const out = await mustRun(wkg, ["publish", file, ...cfg.args], { env });
      assert.match(out, /Published wkgtest:logging@0\.1\.0/);
      assert.deepEqual(await wregContent(registry.url, "wkgtest:logging", "0.1.0"), wit);
      const got = `${box.root}/got-logging.wasm`;
      await mustRun(wkg, [
        "get",
        "wkgtest:logging@0.1.0",
        "--format",
        "wasm",
        "-o",
        got,
        ...cfg.args,
      ], {
        env: cfg.env,
      });
      assert.deepEqual(await Deno.readFile(got), wit);
      // And the one wreg publish put there, through the generated manifest.
      const got2 = `${box.root}/got-processor.wasm`;
      await mustRun(wkg, ["get", "docs:processor", "--format", "wasm", "-o", got2, ...cfg.args], {
        env: cfg.env,
      });
      assert.deepEqual(await Deno.readFile(got2), processor);
    });

    await t.step(
      "a breaking release published with wkg is refused with wreg's report",
      async () => {
        const cfg = await wregWkgConfig(`${box.root}/wkg-break`, host, registry.token);
        const file = `${box.root}/processor-0.1.2.wasm`;
        await Deno.writeFile(file, witPackage(PROCESSOR_0_1_2_BREAKING));
        const r = await runTool(wkg, ["publish", "--skip-semver-check", file, ...cfg.args], {
          env: cfg.env,
        });
        assert.notEqual(r.code, 0, r.output);
        assert.match(
          r.output,
          /Cannot publish docs:processor@0\.1\.2: it is incompatible with 0\.1\.0/,
        );
        assert.match(r.output, /"requiredVersion":"0\.2\.0"/);
        assert.match(r.output, /docs:processor\/logger\.log\.level/);
        const res = await fetch(`${registry.url}/api/v1/packages/docs/processor/0.1.2`);
        assert.equal(res.status, 404);
        await res.body?.cancel();
      },
    );

    await t.step("wkg oci push of components (logged in), wkg get of them", async () => {
      const cfg = await wregWkgConfig(`${box.root}/wkg-oci`, host);
      for (
        const [version, bytes] of [
          ["1.0.0", await tinyComponent("wkgtest:app@1.0.0")],
          ["2.0.0", await componentOfSize(300_000, "wkgtest:app@2.0.0")],
        ] as const
      ) {
        const file = `${box.root}/app-${version}.wasm`;
        await Deno.writeFile(file, bytes);
        const out = await mustRun(wkg, [
          "oci",
          "push",
          "--insecure",
          host,
          "-u",
          "wreg",
          "-p",
          registry.token,
          `${host}/wkgtest/app:${version}`,
          file,
        ], { env: cfg.env });
        assert.match(out, /pushed/);
        assert.deepEqual(await wregContent(registry.url, "wkgtest:app", version), bytes);
        const got = `${box.root}/got-app-${version}.wasm`;
        await mustRun(wkg, ["get", `wkgtest:app@${version}`, "-o", got, ...cfg.args], {
          env: cfg.env,
        });
        assert.deepEqual(await Deno.readFile(got), bytes);
      }
      // Without a login the push is refused, and nothing is published.
      const file = `${box.root}/app-3.0.0.wasm`;
      await Deno.writeFile(file, await tinyComponent("wkgtest:app@3.0.0"));
      const anon = await runTool(wkg, [
        "oci",
        "push",
        "--insecure",
        host,
        `${host}/wkgtest/app:3.0.0`,
        file,
      ], {
        env: cfg.env,
      });
      assert.notEqual(anon.code, 0);
      assert.match(anon.output, /401|UNAUTHORIZED/);
      const res = await fetch(`${registry.url}/api/v1/packages/wkgtest/app/3.0.0`);
      assert.equal(res.status, 404);
      await res.body?.cancel();
      // wkg get of the latest picks the highest version.
      const latest = `${box.root}/got-latest.wasm`;
      await mustRun(wkg, ["get", "wkgtest:app", "-o", latest, ...cfg.args], { env: cfg.env });
      assert.deepEqual(
        await Deno.readFile(latest),
        await wregContent(registry.url, "wkgtest:app", "2.0.0"),
      );
    });
  } finally {
    await registry.stop();
    await box.remove();
  }
});

Deno.test("oras pushes, pulls, attaches to and discovers wreg packages", async () => {
  const oras = peerPath("oras");
  const registry = await startRegistry();
  const box = await Sandbox.create("wreg-oci-oras-");
  const host = registry.url.replace("http://", "");
  const env = { HOME: box.env.HOME };
  try {
    await mustRun(oras, ["login", "--plain-http", "-u", "wreg", "-p", registry.token, host], {
      env,
    });
    const bytes = await componentOfSize(200_000, "orastest:app@1.0.0");
    const dir = await box.folder("push");
    await Deno.writeFile(`${dir}/app.wasm`, bytes);
    await Deno.writeFile(`${dir}/config.json`, wasmConfig(await digestOf(bytes)));
    await mustRun(oras, [
      "push",
      "--plain-http",
      "--config",
      "config.json:application/vnd.wasm.config.v0+json",
      `${host}/orastest/app:1.0.0`,
      "app.wasm:application/wasm",
    ], { env, cwd: dir });
    assert.deepEqual(await wregContent(registry.url, "orastest:app", "1.0.0"), bytes);

    const out = await box.folder("pull");
    await mustRun(oras, ["pull", "--plain-http", `${host}/orastest/app:1.0.0`, "-o", out], { env });
    assert.deepEqual(await Deno.readFile(`${out}/app.wasm`), bytes);

    // A version published through wreg's API pulls too (its layer is titled <name>.wasm).
    const tiny = await tinyComponent("orastest:tiny@0.1.0");
    assert.equal(
      (await registry.client.publish(registry.token, "orastest:tiny", "0.1.0", tiny)).status,
      201,
    );
    await mustRun(oras, ["pull", "--plain-http", `${host}/orastest/tiny:0.1.0`, "-o", out], {
      env,
    });
    assert.deepEqual(await Deno.readFile(`${out}/tiny.wasm`), tiny);

    // A signature attached to it is listed by discover (the referrers API).
    const none = await mustRun(oras, ["discover", "--plain-http", `${host}/orastest/tiny:0.1.0`], {
      env,
    });
    assert.doesNotMatch(none, /application\/vnd\.example\.signature/);
    await Deno.writeTextFile(`${dir}/sig.json`, '{"signed":"by a test"}');
    await mustRun(oras, [
      "attach",
      "--plain-http",
      "--artifact-type",
      "application/vnd.example.signature+json",
      `${host}/orastest/tiny:0.1.0`,
      "sig.json:application/json",
    ], { env, cwd: dir });
    const found = await mustRun(oras, ["discover", "--plain-http", `${host}/orastest/tiny:0.1.0`], {
      env,
    });
    assert.match(found, /application\/vnd\.example\.signature\+json/);
    const tags = await mustRun(oras, ["repo", "tags", "--plain-http", `${host}/orastest/app`], {
      env,
    });
    assert.equal(tags.trim(), "1.0.0");
    // A container image is refused with the reason.
    await Deno.writeTextFile(`${dir}/layer.tar`, "not really a tar");
    const image = await runTool(oras, [
      "push",
      "--plain-http",
      "--config",
      "config.json:application/vnd.oci.image.config.v1+json",
      `${host}/orastest/app:2.0.0`,
      "layer.tar:application/vnd.oci.image.layer.v1.tar",
    ], { env, cwd: dir });
    assert.notEqual(image.code, 0);
    assert.match(image.output, /Cannot accept a container image/);
    // Least privilege: a login whose token may not publish to the namespace gets a pull-only token
    // from the endpoint; oras pulls with it, and its push is refused with the reason.
    const bob = await registry.client.token(registry.admin, "bob");
    const bobEnv = { HOME: `${box.root}/bob-home` };
    await Deno.mkdir(bobEnv.HOME);
    await mustRun(oras, ["login", "--plain-http", "-u", "bob", "-p", bob, host], { env: bobEnv });
    const bobPull = `${box.root}/bob-pull`;
    await mustRun(oras, ["pull", "--plain-http", `${host}/orastest/app:1.0.0`, "-o", bobPull], {
      env: bobEnv,
    });
    const bobPush = await runTool(oras, [
      "push",
      "--plain-http",
      "--config",
      "config.json:application/vnd.wasm.config.v0+json",
      `${host}/orastest/app:9.0.0`,
      "app.wasm:application/wasm",
    ], { env: bobEnv, cwd: dir });
    assert.notEqual(bobPush.code, 0);
    assert.match(bobPush.output, /"bob" is not a member/);
    // The server never logged a token.
    assert.ok(!registry.server.output().includes(registry.token));
    assert.ok(!registry.server.output().includes(bob));
  } finally {
    await registry.stop();
    await box.remove();
  }
});

serviceTest(
  "skopeo copies Wasm packages between the distribution registry and wreg, digests preserved",
  ["oci"],
  async () => {
    const { registry: dist } = requireService("oci");
    const registry = await startRegistry();
    const box = await Sandbox.create("wreg-oci-skopeo-");
    const host = registry.url.replace("http://", "");
    const prefix = `skopeo${crypto.randomUUID().slice(0, 8)}`;
    try {
      const policy = `${box.root}/policy.json`;
      await Deno.writeTextFile(
        policy,
        JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }),
      );
      const env = { HOME: box.env.HOME, XDG_RUNTIME_DIR: `${box.root}/run` };
      await Deno.mkdir(`${box.root}/run`);
      const skopeo = (args: string[]) =>
        mustRun("skopeo", [
          "--policy",
          policy,
          "--registries-conf",
          `${box.root}/none.conf`,
          ...args,
        ], {
          env,
        });
      await Deno.writeTextFile(`${box.root}/none.conf`, "");
      const digestAt = async (ref: string, creds?: string) => {
        const raw = await skopeo([
          "inspect",
          "--raw",
          "--tls-verify=false",
          ...(creds ? ["--creds", creds] : []),
          `docker://${ref}`,
        ]);
        return await digestOf(new TextEncoder().encode(raw));
      };

      // Into wreg: a component wkg pushed to the distribution registry.
      const bytes = await componentOfSize(120_000, "copytest:app@1.0.0");
      const file = `${box.root}/app.wasm`;
      await Deno.writeFile(file, bytes);
      await mustRun(peerPath("wkg"), [
        "oci",
        "push",
        "--insecure",
        dist,
        `${dist}/${prefix}/app:1.0.0`,
        file,
      ], {
        env,
      });
      const source = await digestAt(`${dist}/${prefix}/app:1.0.0`);
      await skopeo([
        "copy",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--dest-creds",
        `wreg:${registry.token}`,
        `docker://${dist}/${prefix}/app:1.0.0`,
        `docker://${host}/copytest/app:1.0.0`,
      ]);
      assert.equal(await digestAt(`${host}/copytest/app:1.0.0`), source);
      assert.deepEqual(await wregContent(registry.url, "copytest:app", "1.0.0"), bytes);

      // Out of wreg: a version published through wreg's API (a generated manifest).
      const tiny = await tinyComponent("copytest:tiny@0.1.0");
      assert.equal(
        (await registry.client.publish(registry.token, "copytest:tiny", "0.1.0", tiny)).status,
        201,
      );
      const ours = await digestAt(`${host}/copytest/tiny:0.1.0`);
      await skopeo([
        "copy",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        `docker://${host}/copytest/tiny:0.1.0`,
        `docker://${dist}/${prefix}/tiny:0.1.0`,
      ]);
      assert.equal(await digestAt(`${dist}/${prefix}/tiny:0.1.0`), ours);
      // And back again under another version is refused: versions are immutable.
      const again = await runTool("skopeo", [
        "--policy",
        policy,
        "--registries-conf",
        `${box.root}/none.conf`,
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--dest-creds",
        `wreg:${registry.token}`,
        `docker://${dist}/${prefix}/app:1.0.0`,
        `docker://${host}/copytest/tiny:0.1.0`,
      ], { env });
      assert.notEqual(again.code, 0, again.output);
      assert.match(again.output, /immutable|DENIED|denied/);
    } finally {
      await registry.stop();
      await box.remove();
    }
  },
);
