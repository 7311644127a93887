/**
 * Issue 14 end to end: wreg reads the ecosystem. The CNCF distribution registry (from
 * tools/services.mjs) stands in for ghcr.io, seeded the way the WASI packages are published: the
 * real WASI 0.2.0 and 0.2.3 WIT from the corpus, encoded by wreg's encoder, published with the
 * real `wkg publish`. A tiny loopback server answers the well-known document for the test's
 * registry name, and a stoppable proxy stands between wreg and the shared registry.
 *
 * - A component published to a **wreg registry** whose imports name `wasi:*` packages held only
 *   by the **OCI registry** is added to a Deno project: resolved across both, fetched, composed,
 *   bindings generated, and the typed import runs in Deno.
 * - The upstream re-pushes a tag with other bytes: `wreg update` stops with exit 6 saying what
 *   changed and where, and wreg.lock is untouched.
 * - With every server stopped, `wreg install` in another folder installs from the cache.
 * - A component whose imported interfaces have no WIT package anywhere installs and runs, with
 *   one line saying what was not found (before issue 14, `wreg add` exited 7).
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { requireService, serviceTest } from "./support/services.ts";
import {
  orasPush,
  publishWithWkg,
  TcpProxy,
  uniquePrefix,
  wasiWitPackages,
  wellKnownServer,
  wkgConfig,
  wkgGet,
} from "./support/oci.ts";
import { OciClient } from "../oci/mod.ts";
import { type RunResult, Sandbox, startRegistry, writeTree } from "./cli_support.ts";
import { withCustomSections, witPackage } from "./registry_support.ts";
import { wasmConfig, wasmManifest } from "./oci_support.ts";
import { watComponent } from "./bindings_fixtures.ts";
import { CORPUS } from "../tools/corpus.ts";

const TEST_COMMAND = `${CORPUS}spin/crates/build/tests/test-components/test-command.wasm`;

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r;
}

serviceTest(
  "a wreg component whose wasi:* imports live on an OCI registry: added, run, re-push refused, installed offline",
  ["oci"],
  async () => {
    const { registry: upstream } = requireService("oci");
    const prefix = uniquePrefix();
    const box = await Sandbox.create("wreg-oci-e2e-");
    const [hostname, port] = upstream.split(":");
    const proxy = new TcpProxy({ hostname, port: Number(port) }).start();
    const wellKnown = wellKnownServer({ registry: proxy.host, namespacePrefix: prefix });
    const wreg = await startRegistry();
    try {
      // The ecosystem side: WASI 0.2.0 and 0.2.3 published with wkg.
      const cfg = await wkgConfig(`${box.root}/wkg`, upstream, prefix, ["wasi"]);
      const seeded = new Map<string, Uint8Array>();
      for (const tag of ["v0.2.0", "v0.2.3"] as const) {
        const packages = await wasiWitPackages(tag);
        for (const p of packages) seeded.set(p.id, p.bytes);
        await publishWithWkg(`${box.root}/seed-${tag}`, packages, cfg);
      }

      // The wreg side: Spin's test command (it imports wasi:cli, io, clocks, filesystem 0.2.3).
      const publisher = await box.folder("publisher");
      ok(
        await box.wreg(publisher, ["login", "--registry", wreg.url, "--token", wreg.token]),
        "login",
      );
      await Deno.copyFile(TEST_COMMAND, `${publisher}/hello.wasm`);
      ok(
        await box.wreg(publisher, [
          "publish",
          "hello.wasm",
          "--name",
          "acme:hello",
          "--version",
          "1.0.0",
        ]),
        "publish acme:hello",
      );

      // A Deno project naming the wreg registry, and wasi by its registry name.
      const app = await box.folder("app");
      const wregJson = JSON.stringify({ registry: wreg.url, registries: { wasi: wellKnown.name } });
      await writeTree(app, {
        "deno.json": "{}\n",
        "wreg.json": `${wregJson}\n`,
        "main.ts": `import { run } from "acme:hello";\n\nrun.run();\n`,
        "wit/.keep": "",
      });
      const add = ok(await box.wreg(app, ["add", "acme:hello"]), "wreg add acme:hello");
      for (const p of ["cli", "clocks", "filesystem", "io", "random", "sockets"]) {
        assert.match(add.stdout, new RegExp(`\\+ wasi:${p}@0\\.2\\.3 \\(WIT package`), add.stdout);
        assert.ok(await Deno.stat(`${app}/wit/deps/wasi-${p}-0.2.3/package.wit`));
      }
      assert.match(add.stdout, /\+ acme:hello@1\.0\.0 \(component, required by wreg\.json\)/);
      assert.match(add.stdout, /bindings acme:hello -> \.\/wreg_modules\/acme\/hello\/mod\.ts/);
      assert.equal(wellKnown.requests, 1, "the well-known document is fetched once, then cached");

      const lockText = await Deno.readTextFile(`${app}/wreg.lock`);
      const lock = JSON.parse(lockText);
      assert.equal(lock.lockVersion, 3);
      assert.equal(lock.packages["acme:hello"].registry, wreg.url);
      assert.equal(lock.packages["acme:hello"].manifest, undefined);
      for (const p of ["cli", "clocks", "filesystem", "io", "random", "sockets"]) {
        const entry = lock.packages[`wasi:${p}`];
        assert.equal(entry.version, "0.2.3");
        assert.equal(entry.registry, `oci://${proxy.host}/${prefix}`);
        // The bytes wkg published are the bytes wreg locked: the layer digest.
        assert.equal(entry.digest, await digestOf(seeded.get(`wasi:${p}@0.2.3`)!));
        assert.equal(entry.size, seeded.get(`wasi:${p}@0.2.3`)!.length);
        assert.match(entry.manifest, /^sha256:[0-9a-f]{64}$/);
      }
      assert.deepEqual(Object.keys(lock.packages["acme:hello"].dependencies).sort(), [
        "wasi:cli",
        "wasi:clocks",
        "wasi:filesystem",
        "wasi:io",
      ]);

      const check = await box.deno(app, ["check", "main.ts"]);
      assert.equal(check.code, 0, `deno check:\n${check.stderr}`);
      const first = await box.deno(app, ["run", "-A", "main.ts"]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, "Hello, world!\n");

      // The upstream re-pushes wasi:io 0.2.3 with other bytes (the same package, one more
      // custom section): never served silently, never re-locked.
      const changed = withCustomSections(seeded.get("wasi:io@0.2.3")!, { "re-pushed": "yes" });
      const changedFile = `${box.root}/io.wasm`;
      await Deno.writeFile(changedFile, changed);
      await orasPush(upstream, `${prefix}wasi/io:0.2.3`, changedFile, await digestOf(changed));
      const update = await box.wreg(app, ["update"]);
      assert.equal(update.code, 6, `${update.stdout}${update.stderr}`);
      assert.match(update.stderr, /Cannot use wasi:io@0\.2\.3: the registry now gives other bytes/);
      assert.ok(
        update.stderr.includes(`where:     oci://${proxy.host}/${prefix} (${prefix}wasi/io:0.2.3)`),
      );
      assert.ok(update.stderr.includes(`wreg.lock: ${lock.packages["wasi:io"].digest}`));
      assert.ok(update.stderr.includes(`now:       ${await digestOf(changed)}`));
      assert.equal(await Deno.readTextFile(`${app}/wreg.lock`), lockText, "wreg.lock is untouched");
      const addAgain = await box.wreg(app, ["add", "acme:hello"]);
      assert.equal(addAgain.code, 6, "adding again refuses the changed tag too");
      assert.equal(await Deno.readTextFile(`${app}/wreg.lock`), lockText);

      // WIT packages a component imports are not needed to use it: an unreachable registry for
      // them leaves them out with a note instead of failing the run.
      const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const deadPort = (closed.addr as Deno.NetAddr).port;
      closed.close();
      const offline = await box.folder("offline");
      await writeTree(offline, {
        "wreg.json": `${
          JSON.stringify({
            registry: wreg.url,
            registries: { wasi: `oci://127.0.0.1:${deadPort}/` },
          })
        }\n`,
      });
      const left = ok(
        await box.wreg(offline, ["add", "acme:hello", "--no-bindings"]),
        "add with the WASI registry down",
      );
      assert.match(
        left.stdout,
        /^note: left out wasi:cli, wasi:clocks, wasi:filesystem, wasi:io, not needed to use what imports them: .*connection refused/m,
      );
      assert.deepEqual(
        Object.keys(JSON.parse(await Deno.readTextFile(`${offline}/wreg.lock`)).packages),
        ["acme:hello"],
      );

      // Every server stopped: another folder installs from the lock and the cache alone.
      proxy.stop();
      await wellKnown.stop();
      await wreg.stop();
      const other = await box.folder("other");
      for (const f of ["deno.json", "wreg.json", "wreg.lock", "main.ts"]) {
        await Deno.copyFile(`${app}/${f}`, `${other}/${f}`);
      }
      const install = ok(await box.wreg(other, ["install"]), "offline wreg install");
      assert.match(install.stdout, /Installed 7 packages \(0 downloaded, 7 from the cache\)/);
      const again = await box.deno(other, ["run", "-A", "main.ts"]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, "Hello, world!\n");
      assert.equal(await Deno.readTextFile(`${other}/wreg.lock`), lockText);
    } finally {
      proxy.stop();
      await wellKnown.stop().catch(() => {});
      await wreg.stop();
      await box.remove();
    }
  },
);

/** A WIT world importing an interface of a package that no registry holds. */
const MATH = `package acme:math@1.0.0 {
  interface ops {
    double: func(x: u32) -> u32;
  }
}
`;

const CALC_WIT = `package acme:calc@1.0.0;

${MATH}
world w {
  import acme:math/ops@1.0.0;
  export compute: func(x: u32) -> u32;
}
`;

const CALC_WAT = `(module
  (import "acme:math/ops@1.0.0" "double" (func $double (param i32) (result i32)))
  (func (export "compute") (param i32) (result i32)
    (i32.add (call $double (local.get 0)) (i32.const 1))))`;

const DOUBLE_WIT = `package acme:double@1.0.0;

${MATH}
world w {
  export acme:math/ops@1.0.0;
}
`;

const DOUBLE_WAT = `(module
  (func (export "acme:math/ops@1.0.0#double") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 2))))`;

Deno.test("a component importing interfaces no registry has a WIT package for installs and runs, with one note", async () => {
  const box = await Sandbox.create("wreg-soft-deps-");
  const wreg = await startRegistry();
  try {
    const publisher = await box.folder("publisher");
    ok(
      await box.wreg(publisher, ["login", "--registry", wreg.url, "--token", wreg.token]),
      "login",
    );
    await Deno.writeFile(`${publisher}/calc.wasm`, await watComponent(CALC_WIT, CALC_WAT));
    await Deno.writeFile(`${publisher}/double.wasm`, await watComponent(DOUBLE_WIT, DOUBLE_WAT));
    ok(
      await box.wreg(publisher, [
        "publish",
        "calc.wasm",
        "--name",
        "acme:calc",
        "--version",
        "1.0.0",
      ]),
      "publish calc",
    );
    ok(
      await box.wreg(publisher, [
        "publish",
        "double.wasm",
        "--name",
        "acme:double",
        "--version",
        "1.0.0",
      ]),
      "publish double",
    );

    const app = await box.folder("app");
    await writeTree(app, {
      "deno.json": "{}\n",
      "main.ts": `import { compute } from "acme:calc";\n\nconsole.log(compute(20));\n`,
    });
    const add = ok(await box.wreg(app, ["add", "acme:calc"]), "wreg add acme:calc");
    const notes = add.stdout.split("\n").filter((l) => l.startsWith("note: no registry has"));
    assert.deepEqual(notes, [
      "note: no registry has the WIT packages acme:math (imported by acme:calc); acme:math " +
      "(imported by acme:double): installed without them, from the types the component carries",
    ]);
    assert.match(add.stdout, /fills acme:math\/ops@1\.0\.0 of acme:calc with acme:double@1\.0\.0/);
    const lock = JSON.parse(await Deno.readTextFile(`${app}/wreg.lock`));
    assert.deepEqual(Object.keys(lock.packages).sort(), ["acme:calc", "acme:double"]);
    assert.deepEqual(lock.packages["acme:calc"].dependencies, {});
    const run = await box.deno(app, ["run", "-A", "main.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "41\n");
  } finally {
    await wreg.stop();
    await box.remove();
  }
});

const API_1_0_0 = `package acme:api@1.0.0;

interface greet {
  hello: func(name: string) -> string;
}
`;

serviceTest(
  "wreg publish --registry oci://… pushes what wkg reads, checks the series, never overwrites a tag",
  ["oci"],
  async () => {
    const { registry } = requireService("oci");
    const prefix = uniquePrefix();
    const target = `oci://${registry}/${prefix}`;
    const box = await Sandbox.create("wreg-oci-publish-");
    try {
      const work = await box.folder("work");
      const at = (v: string, extra = "") =>
        API_1_0_0.replace("@1.0.0", `@${v}`).replace("}\n", `${extra}}\n`);
      await writeTree(work, {
        "v1/api.wit": at("1.0.0"),
        "v101/api.wit": at("1.0.1").replace("hello: func(name: string) -> string;", ""),
        "v110/api.wit": at("1.1.0", "  bye: func() -> string;\n"),
      });
      const first = ok(
        await box.wreg(work, ["publish", "v1", "--registry", target]),
        "publish 1.0.0",
      );
      assert.match(first.stdout, /new package: nothing to check against at oci:\/\//);
      assert.ok(first.stdout.includes(`Published acme:api@1.0.0 to ${target}`), first.stdout);
      const digest = /acme:api@1\.0\.0: WIT package from v1, [^,]+, (sha256:[0-9a-f]{64})/
        .exec(first.stdout)![1];

      // wkg reads it: the bytes it gets are the bytes wreg published.
      const cfg = await wkgConfig(`${box.root}/wkg`, registry, prefix, ["acme"]);
      await wkgGet("acme:api@1.0.0", `${box.root}/got.wasm`, cfg);
      assert.equal(await digestOf(await Deno.readFile(`${box.root}/got.wasm`)), digest);

      // The same version again: refused, whatever the bytes.
      const again = await box.wreg(work, ["publish", "v1", "--registry", target]);
      assert.equal(again.code, 5, again.stderr);
      assert.match(again.stderr, /that version is already published at oci:\/\/.*immutable/);

      // A breaking 1.0.1 is refused by the series check against 1.0.0 read back from OCI.
      const breaking = await box.wreg(work, ["publish", "v101", "--registry", target]);
      assert.equal(breaking.code, 1, `${breaking.stdout}${breaking.stderr}`);
      assert.match(breaking.stdout, /1\.0\.0 -> 1\.0\.1: NOT compatible/);
      assert.match(breaking.stdout, /Not published/);
      const compatible = ok(
        await box.wreg(work, ["publish", "v110", "--registry", target]),
        "publish 1.1.0",
      );
      assert.match(compatible.stdout, /1\.0\.0 -> 1\.1\.0: compatible/);
      const tags = await new OciClient({ host: registry }).tags(`${prefix}acme/api`);
      assert.deepEqual(tags?.sort(), ["1.0.0", "1.1.0"]);

      // A component, as wkg reads it too.
      await Deno.copyFile(TEST_COMMAND, `${work}/cmd.wasm`);
      ok(
        await box.wreg(work, [
          "publish",
          "cmd.wasm",
          "--name",
          "acme:cmd",
          "--version",
          "0.1.0",
          "--registry",
          target,
        ]),
        "publish a component",
      );
      await wkgGet("acme:cmd@0.1.0", `${box.root}/cmd.wasm`, cfg);
      assert.deepEqual(
        await Deno.readFile(`${box.root}/cmd.wasm`),
        await Deno.readFile(TEST_COMMAND),
      );
    } finally {
      await box.remove();
    }
  },
);

serviceTest(
  "from an OCI registry, wreg add takes the newest release, a pre-release only when named (wkg takes the pre-release)",
  ["oci"],
  async () => {
    const { registry } = requireService("oci");
    const prefix = uniquePrefix();
    const target = `oci://${registry}/${prefix}`;
    const box = await Sandbox.create("wreg-oci-prerelease-");
    try {
      const work = await box.folder("work");
      const at = (v: string) => API_1_0_0.replace("@1.0.0", `@${v}`);
      await writeTree(work, {
        "v100/api.wit": at("1.0.0"),
        "v120/api.wit": at("1.2.0"),
        "v200rc/api.wit": at("2.0.0-rc.1"),
      });
      for (const v of ["v100", "v120", "v200rc"]) {
        ok(await box.wreg(work, ["publish", v, "--registry", target]), `publish ${v}`);
      }
      const app = await box.folder("app");
      await writeTree(app, {
        "wreg.json": JSON.stringify({ registries: { acme: target } }),
      });
      const add = ok(await box.wreg(app, ["add", "acme:api", "--no-bindings"]), "wreg add");
      assert.match(add.stdout, /\+ acme:api@1\.2\.0 \(WIT package, required by wreg\.json\)/);
      assert.equal(
        JSON.parse(await Deno.readTextFile(`${app}/wreg.json`)).dependencies["acme:api"],
        "^1.2.0",
      );

      // Named, the pre-release is taken; then locked, it stays.
      const pre = ok(
        await box.wreg(app, ["add", "acme:api@2.0.0-rc.1", "--no-bindings"]),
        "wreg add of the pre-release",
      );
      assert.match(pre.stdout, /~ acme:api@1\.2\.0 -> 2\.0\.0-rc\.1/);
      const lock = JSON.parse(await Deno.readTextFile(`${app}/wreg.lock`));
      assert.equal(lock.packages["acme:api"].version, "2.0.0-rc.1");

      // wkg 0.16.1, for the record: with no version it takes the pre-release.
      const cfg = await wkgConfig(`${box.root}/wkg`, registry, prefix, ["acme"]);
      await wkgGet("acme:api", `${box.root}/latest.wasm`, cfg);
      const got = await digestOf(await Deno.readFile(`${box.root}/latest.wasm`));
      assert.equal(got, lock.packages["acme:api"].digest, "wkg got 2.0.0-rc.1");
    } finally {
      await box.remove();
    }
  },
);

Deno.test("a private OCI registry gets the credentials of wreg's config, else of Docker's config.json, and only its own", async (t) => {
  // A registry that answers only with Basic credentials, holding one WIT package as wkg lays it
  // out.
  const layer = new Uint8Array(witPackage(API_1_0_0));
  const layerDigest = await digestOf(layer);
  const config = new Uint8Array(wasmConfig(layerDigest));
  const configDigest = await digestOf(config);
  const manifest = new Uint8Array(await wasmManifest(config, layer));
  const manifestDigest = await digestOf(manifest);
  const good = `Basic ${btoa("me:pw")}`;
  const seen: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    seen.push(req.headers.get("authorization"));
    if (req.headers.get("authorization") !== good) {
      return new Response(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "no" }] }), {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="private"' },
      });
    }
    if (path === "/v2/") return Response.json({});
    if (path === "/v2/acme/api/tags/list") {
      return Response.json({ name: "acme/api", tags: ["1.0.0"] });
    }
    const digestHeader = (d: string, type: string) => ({
      "content-type": type,
      "docker-content-digest": d,
    });
    if (
      path === "/v2/acme/api/manifests/1.0.0" || path === `/v2/acme/api/manifests/${manifestDigest}`
    ) {
      return new Response(manifest, {
        headers: digestHeader(manifestDigest, "application/vnd.oci.image.manifest.v1+json"),
      });
    }
    if (path === `/v2/acme/api/blobs/${configDigest}`) {
      return new Response(config, {
        headers: digestHeader(configDigest, "application/octet-stream"),
      });
    }
    if (path === `/v2/acme/api/blobs/${layerDigest}`) {
      return new Response(layer, {
        headers: digestHeader(layerDigest, "application/octet-stream"),
      });
    }
    return Response.json({ errors: [{ code: "NOT_FOUND", message: path }] }, { status: 404 });
  });
  const host = `127.0.0.1:${server.addr.port}`;
  const box = await Sandbox.create("wreg-oci-private-");
  try {
    const project = async (name: string) => {
      const dir = await box.folder(name);
      await writeTree(dir, {
        "wreg.json": JSON.stringify({ registries: { acme: `oci://${host}/` } }),
      });
      return dir;
    };
    const add = async (dir: string) => await box.wreg(dir, ["add", "acme:api", "--no-bindings"]);

    await t.step("without credentials: refused (exit 4), nothing sent", async () => {
      const r = await add(await project("none"));
      assert.equal(r.code, 4, `${r.stdout}${r.stderr}`);
      assert.ok(seen.every((a) => a === null), "no Authorization without credentials");
    });

    await t.step("Docker's config.json", async () => {
      await Deno.mkdir(`${box.root}/home/.docker`, { recursive: true });
      await Deno.writeTextFile(
        `${box.root}/home/.docker/config.json`,
        JSON.stringify({
          auths: {
            [host]: { auth: btoa("me:pw") },
            "other.example": { auth: btoa("x:y") },
          },
        }),
      );
      const dir = await project("docker");
      ok(await add(dir), "wreg add with Docker's credentials");
      const lock = JSON.parse(await Deno.readTextFile(`${dir}/wreg.lock`));
      assert.equal(lock.packages["acme:api"].digest, layerDigest);
      assert.equal(lock.packages["acme:api"].manifest, manifestDigest);
    });

    await t.step("wreg's config wins over Docker's", async () => {
      // Docker's now holds wrong credentials; wreg's config holds the right ones.
      await Deno.writeTextFile(
        `${box.root}/home/.docker/config.json`,
        JSON.stringify({ auths: { [host]: { auth: btoa("me:wrong") } } }),
      );
      await Deno.mkdir(`${box.root}/config`, { recursive: true });
      await Deno.writeTextFile(
        `${box.root}/config/config.json`,
        JSON.stringify({ credentials: { [host]: { username: "me", password: "pw" } } }),
      );
      seen.length = 0;
      const dir = await project("config");
      ok(await add(dir), "wreg add with wreg's credentials");
      assert.ok(seen.includes(good));
      assert.ok(!seen.includes(`Basic ${btoa("me:wrong")}`), "Docker's were not used");
    });
  } finally {
    await box.remove();
    await server.shutdown();
  }
});
