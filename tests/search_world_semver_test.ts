/**
 * "Which components implement `wasi:http/proxy`?" across patch releases: with WASI's 0.2.0 and
 * 0.2.3 trees published (from the corpus) and every corpus component published beside dummy
 * proxies of both versions, `search?world=wasi:http/proxy@0.2.3`, `@0.2.0` and without a version
 * find every component that native `wasm-tools component semver-check` says implements that
 * world (the component's world, as `wasm-tools component wit` prints it, checked against the
 * proxy world), and no other; so do `/api/v1/implementations?world=` and the web index's search
 * page. Each answer names the export that matched, with its version.
 */
import assert from "node:assert/strict";
import { createApp } from "../registry/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { encodeWitPackage } from "../lib/component/mod.ts";
import { Client } from "./registry_support.ts";
import { loadTree } from "./compat_support.ts";
import { CORPUS, dummyOf, inTemp, witFolderOnTree } from "./compose_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const TREES: Record<string, string> = {
  "0.2.0": "wasi-http/v0.2.0/wit",
  "0.2.3": "wasi-http/v0.2.3/wit",
};

/** Every component of the corpus (index.json), by path. */
function corpusComponents(): string[] {
  const index = JSON.parse(Deno.readTextFileSync(`${CORPUS}index.json`)) as {
    file: string;
    kind: string;
    witOk: boolean;
  }[];
  return index.filter((e) => e.kind === "component" && e.witOk).map((e) => e.file).sort();
}

/**
 * The nested `package x:y@v { … }` blocks of printed WIT, and the text without them. The root
 * package's own text stays.
 */
function splitNested(text: string): { root: string; nested: Map<string, string> } {
  const nested = new Map<string, string>();
  const lines = text.split("\n");
  const root: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^package ([^\s{]+) \{$/.exec(lines[i]);
    if (m === null) {
      root.push(lines[i]);
      continue;
    }
    const block = [lines[i]];
    while (lines[++i] !== "}") block.push(lines[i]);
    block.push("}");
    nested.set(m[1], block.join("\n"));
  }
  return { root: root.join("\n"), nested };
}

/** The packages (`ns:name@version`) a corpus tree declares. */
async function treePackages(tree: string): Promise<Set<string>> {
  const t = await loadTree(tree);
  return new Set(
    t.resolve.packages.map((p) =>
      `${p.name.namespace}:${p.name.name}${p.name.version ? `@${p.name.version}` : ""}`
    ),
  );
}

/**
 * The oracle: does native `wasm-tools component semver-check` say that a component written for
 * the component's world (prev) is valid for `wasi:http/proxy@<version>` (new)? The component's
 * world is its printed WIT; the packages it prints at a version the tree also has are the
 * tree's (it imports a part of them, the tree has the whole), the others stay as printed.
 */
async function semverCheckSays(bytes: Uint8Array, version: string): Promise<boolean> {
  return await inTemp(async (dir) => {
    await Deno.writeFile(`${dir}/c.wasm`, bytes);
    const wit = await runWasmTools(["component", "wit", `${dir}/c.wasm`]);
    if (!wit.success) throw new Error(`wasm-tools component wit: ${wit.stderr}`);
    const { root, nested } = splitNested(wit.stdout);
    const inTree = await treePackages(TREES[version]);
    const kept = [...nested].filter(([name]) => !inTree.has(name)).map(([, block]) => block);
    const main =
      `${root.trimEnd()}\n\nworld target {\n  include wasi:http/proxy@${version};\n}\n\n${
        kept.join("\n\n")
      }\n`;
    const folder = await witFolderOnTree(dir, TREES[version], main);
    const r = await runWasmTools([
      "component",
      "semver-check",
      folder,
      "--prev",
      "root",
      "--new",
      "target",
    ]);
    if (!r.success && /error: failed to (parse|resolve)|package .* not found/i.test(r.stderr)) {
      throw new Error(`semver-check could not read the WIT: ${r.stderr}`);
    }
    return r.success;
  });
}

Deno.test("search --world wasi:http/proxy (0.2.3, 0.2.0, no version) finds exactly what semver-check says implements it", async () => {
  const storage = openMemoryStorage();
  const c = new Client(createApp({ storage, adminToken: "admin-secret-0123456" }));
  try {
    const token = await c.token("admin-secret-0123456", "alice");
    // wasi is a reserved namespace: the admin gives it to alice before she publishes into it.
    const assigned = await c.call("PUT", "/api/v1/namespaces/wasi", {
      token: "admin-secret-0123456",
      json: { owners: ["alice"] },
    });
    assert.equal(assigned.status, 201, assigned.text);
    for (const tree of Object.values(TREES)) {
      const { resolve } = await loadTree(tree);
      for (const [id, p] of resolve.packages.entries()) {
        const r = await c.publish(
          token,
          `${p.name.namespace}:${p.name.name}`,
          p.name.version!,
          encodeWitPackage(resolve, id),
        );
        assert.equal(r.status, 201, r.text);
      }
    }

    // Every corpus component, and dummies: whole proxies of both versions, and components that
    // only export the handler (importing only what it needs) at each version.
    const components = new Map<string, Uint8Array>();
    for (const file of corpusComponents()) {
      components.set(file, await Deno.readFile(`${CORPUS}${file}`));
    }
    for (const [v, tree] of Object.entries(TREES)) {
      components.set(
        `dummy proxy@${v}`,
        await dummyOf(tree, "proxy", `world proxy { include wasi:http/proxy@${v}; }`),
      );
      components.set(
        `dummy handler@${v}`,
        await dummyOf(tree, "handler", `world handler { export wasi:http/incoming-handler@${v}; }`),
      );
    }
    const names = new Map<string, string>();
    let n = 0;
    for (const [label, bytes] of components) {
      const name = `test:c${String(n++).padStart(2, "0")}`;
      const r = await c.publish(token, name, "1.0.0", bytes);
      if (r.status !== 201) {
        // Only what the registry refuses for a stated reason (a core module, a WIT package…).
        assert.equal(r.status, 400, `${label}: ${r.text}`);
        continue;
      }
      names.set(name, label);
    }
    assert.ok(names.size >= 45, `${names.size} components published`);

    const expected: Record<string, string[]> = {};
    for (const v of Object.keys(TREES)) {
      const yes: string[] = [];
      for (const [name, label] of names) {
        if (await semverCheckSays(components.get(label)!, v)) yes.push(name);
      }
      expected[v] = yes.sort();
    }
    // The oracle finds implementations at both versions, among them the 0.2.0 handler for
    // 0.2.3 (across the patch release), and not every component.
    const label = (v: string) => expected[v].map((p) => names.get(p));
    assert.ok(label("0.2.3").includes("dummy handler@0.2.0"), JSON.stringify(label("0.2.3")));
    assert.ok(label("0.2.3").includes("dummy proxy@0.2.0"), JSON.stringify(label("0.2.3")));
    assert.ok(label("0.2.0").includes("dummy handler@0.2.0"));
    assert.ok(expected["0.2.3"].length < names.size);

    for (const [query, v] of [["@0.2.3", "0.2.3"], ["@0.2.0", "0.2.0"], ["", "0.2.3"]]) {
      const world = `wasi:http/proxy${query}`;
      const search = await c.call("GET", `/api/v1/search?world=${world}&limit=1000`);
      assert.equal(search.status, 200, search.text);
      assert.equal(search.json.world.version, v);
      assert.deepEqual(
        search.json.results.map((r: { package: string }) => r.package).sort(),
        expected[v],
        `search ${world}`,
      );
      for (const r of search.json.results) {
        // The answer names the handler it exports, at the version it has.
        assert.ok(
          r.matched.length === 1 && r.matched[0].startsWith("wasi:http/incoming-handler@0.2."),
          JSON.stringify(r),
        );
      }
      const impls = await c.call("GET", `/api/v1/implementations?world=${world}`);
      assert.equal(impls.status, 200, impls.text);
      assert.deepEqual(
        impls.json.implementations.map((i: { package: string }) => i.package).sort(),
        expected[v],
        `implementations ${world}`,
      );
      const page = await c.call("GET", `/search?world=${encodeURIComponent(world)}&host=none`);
      assert.equal(page.status, 200);
      const listed = [...page.text.matchAll(/<a class="name" href="[^"]*">([^<]+)<\/a>/g)]
        .map((m) => m[1]).sort();
      assert.deepEqual(listed, expected[v], `web search ${world}`);
    }
    // The 0.2.0 handler answers the 0.2.3 question through its 0.2.0 export.
    const handler020 = [...names].find(([, l]) => l === "dummy handler@0.2.0")![0];
    const hit = (await c.call("GET", "/api/v1/search?world=wasi:http/proxy@0.2.3&limit=1000"))
      .json.results.find((r: { package: string }) => r.package === handler020);
    assert.deepEqual(hit.matched, ["wasi:http/incoming-handler@0.2.0"]);
  } finally {
    await storage.close();
  }
});
