/**
 * Issue 14, the mirror: a wreg registry started with `--upstream` for the CNCF distribution
 * registry (seeded like the ecosystem: WASI 0.2.0 and 0.2.3 with `wkg publish`, Spin's test
 * command with `wkg oci push`) answers `wreg search --world`, `/api/v1/implementations`, package
 * pages and the diff page for mirrored packages, and `wreg add` resolves from it; a tag the
 * upstream re-pushes with other bytes is reported and not served; a publish into the mirrored
 * namespace is refused; with the upstream stopped, everything keeps answering.
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
  wkgConfig,
  wkgOciPush,
} from "./support/oci.ts";
import {
  Client,
  SERVER_ADMIN_TOKEN,
  startServerProcess,
  withCustomSections,
} from "./registry_support.ts";
import { type RunResult, Sandbox, writeTree } from "./cli_support.ts";
import { CORPUS } from "../tools/corpus.ts";

const TEST_COMMAND = `${CORPUS}spin/crates/build/tests/test-components/test-command.wasm`;

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r;
}

async function getText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: { accept: "text/html" } });
  return { status: res.status, text: await res.text() };
}

serviceTest(
  "a mirror of upstream namespaces: indexed, searched, served after the upstream stops; re-pushes and publishes refused",
  ["oci"],
  async () => {
    const { registry: upstream } = requireService("oci");
    const prefix = uniquePrefix();
    const box = await Sandbox.create("wreg-mirror-");
    const [hostname, port] = upstream.split(":");
    const proxy = new TcpProxy({ hostname, port: Number(port) }).start();
    const cfg = await wkgConfig(`${box.root}/wkg`, upstream, prefix, ["wasi"]);
    const seeded = new Map<string, Uint8Array>();
    for (const tag of ["v0.2.0", "v0.2.3"] as const) {
      const packages = await wasiWitPackages(tag);
      for (const p of packages) seeded.set(p.id, p.bytes);
      await publishWithWkg(`${box.root}/seed-${tag}`, packages, cfg);
    }
    await wkgOciPush(upstream, `${prefix}acme/hello:1.0.0`, TEST_COMMAND);

    const origin = `oci://${proxy.host}/${prefix}`;
    const server = await startServerProcess({
      args: [
        "--quiet",
        "--upstream",
        `wasi=${origin}`,
        "--upstream",
        `acme=${origin}`,
        "--upstream-refresh",
        "0",
      ],
    });
    try {
      const url = server.url;
      const client = new Client(url);
      const token = await client.token(SERVER_ADMIN_TOKEN, "alice");
      const work = await box.folder("work");
      ok(await box.wreg(work, ["login", "--registry", url, "--token", token]), "login");

      // The world index covers upstream packages: the test command implements wasi:cli/command.
      const world = ok(
        await box.wreg(work, ["search", "--world", "wasi:cli/command@0.2.3", "--json"]),
        "search --world",
      );
      assert.deepEqual(
        JSON.parse(world.stdout).results.map((r: { package: string }) => r.package),
        ["acme:hello"],
      );
      const impls = await (await fetch(
        `${url}/api/v1/implementations?interface=${encodeURIComponent("wasi:cli/run@0.2.3")}`,
      )).json();
      assert.deepEqual(impls.implementations.map((i: { package: string }) => i.package), [
        "acme:hello",
      ]);

      // Every WASI package of both releases, mirrored and documented.
      for (const id of seeded.keys()) {
        const [name, version] = id.split("@");
        const doc = await (await fetch(
          `${url}/api/v1/packages/${name.replace(":", "/")}/${version}`,
        )).json();
        assert.equal(doc.digest, await digestOf(seeded.get(id)!), id);
        assert.equal(doc.kind, "wit-package");
      }
      const status = await (await fetch(`${url}/api/v1/mirror`)).json();
      assert.deepEqual(status.upstreams.map((u: { namespace: string }) => u.namespace), [
        "wasi",
        "acme",
      ]);
      assert.deepEqual(status.changedTags, []);

      // The web pages, marked as mirrored.
      const page = await getText(`${url}/wasi/cli`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(`Mirrored from <code>${origin}</code>`), "package page");
      assert.match(page.text, /id="environment"/);
      const diff = await getText(`${url}/wasi/cli/diff/0.2.0...0.2.3`);
      assert.equal(diff.status, 200);
      assert.ok(diff.text.includes(`Mirrored from <code>${origin}</code>`), "diff page");

      // wreg add resolves from the mirror: the component and the WASI packages it imports.
      const app = await box.folder("app");
      await writeTree(app, { "wreg.json": `${JSON.stringify({ registry: url })}\n` });
      const add = ok(await box.wreg(app, ["add", "acme:hello", "--no-bindings"]), "wreg add");
      assert.match(add.stdout, /\+ wasi:cli@0\.2\.3 \(WIT package, required by acme:hello/);
      const lock = JSON.parse(await Deno.readTextFile(`${app}/wreg.lock`));
      assert.equal(
        lock.packages["acme:hello"].digest,
        await digestOf(await Deno.readFile(TEST_COMMAND)),
      );
      assert.equal(lock.packages["wasi:io"].registry, url);

      // Publishing into a mirrored namespace is refused.
      await writeTree(work, { "wit/x.wit": "package wasi:extra@0.1.0;\ninterface x {}\n" });
      const publish = await box.wreg(work, ["publish", "wit"]);
      assert.equal(publish.code, 4, `${publish.stdout}${publish.stderr}`);
      assert.match(publish.stderr, /namespace wasi is mirrored here from oci:\/\//);
      assert.match(publish.stderr, /namespace-mirrored/);

      // The upstream re-pushes wasi:io 0.2.3 with other bytes: reported, never served.
      const original = await digestOf(seeded.get("wasi:io@0.2.3")!);
      const manifestBefore = await fetch(`${url}/v2/wasi/io/manifests/0.2.3`, {
        method: "HEAD",
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      const changed = withCustomSections(seeded.get("wasi:io@0.2.3")!, { "re-pushed": "yes" });
      await Deno.writeFile(`${box.root}/io.wasm`, changed);
      await orasPush(
        upstream,
        `${prefix}wasi/io:0.2.3`,
        `${box.root}/io.wasm`,
        await digestOf(changed),
      );
      let reported: { version: string; mirrored: string; upstream: string }[] = [];
      for (let i = 0; i < 100 && reported.length === 0; i++) {
        await fetch(`${url}/api/v1/packages/wasi/io`).then((r) => r.body?.cancel());
        await new Promise((r) => setTimeout(r, 100));
        reported = (await (await fetch(`${url}/api/v1/mirror`)).json()).changedTags;
      }
      assert.equal(reported.length, 1, "the changed tag is reported");
      assert.equal(reported[0].version, "0.2.3");
      assert.equal(reported[0].mirrored, original);
      assert.equal(reported[0].upstream, await digestOf(changed));
      const served = await (await fetch(`${url}/api/v1/packages/wasi/io/0.2.3/content`)).bytes();
      assert.equal(await digestOf(served), original, "the first bytes are still the ones served");
      const manifestAfter = await fetch(`${url}/v2/wasi/io/manifests/0.2.3`, {
        method: "HEAD",
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      assert.equal(
        manifestAfter.headers.get("docker-content-digest"),
        manifestBefore.headers.get("docker-content-digest"),
      );
      const warned = await getText(`${url}/wasi/io@0.2.3`);
      assert.match(warned.text, /The upstream tag .* changed<\/strong> after 0\.2\.3 was mirrored/);

      // The upstream goes away: what was mirrored keeps being served.
      proxy.stop();
      const again = ok(
        await box.wreg(work, ["search", "--world", "wasi:cli/command@0.2.3", "--json"]),
        "search --world with the upstream down",
      );
      assert.deepEqual(
        JSON.parse(again.stdout).results.map((r: { package: string }) => r.package),
        [
          "acme:hello",
        ],
      );
      const implsAgain = await (await fetch(
        `${url}/api/v1/implementations?interface=${encodeURIComponent("wasi:cli/run@0.2.3")}`,
      )).json();
      assert.equal(implsAgain.implementations.length, 1);
      assert.equal((await getText(`${url}/wasi/cli`)).status, 200);
      assert.equal((await getText(`${url}/wasi/cli/diff/0.2.0...0.2.3`)).status, 200);
      const doc = await fetch(`${url}/api/v1/packages/wasi/http/0.2.3`);
      assert.equal(doc.status, 200);
      await doc.body?.cancel();
      const down = (await (await fetch(`${url}/api/v1/mirror`)).json()).upstreams;
      assert.ok(down.some((u: { lastError: string | null }) => u.lastError !== null), "noted");
    } finally {
      proxy.stop();
      await server.stop();
      await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
      await box.remove();
    }
  },
);
