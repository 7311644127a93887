/**
 * Every `.wasm` of the shared corpus: the kind wreg detects agrees with the corpus index, the
 * import and export names agree with what jco found, the decoded WIT agrees with native
 * wasm-tools (the whole resolve) and with jco's WIT text parsed by wreg's own WIT front end,
 * and the deliberately broken fixtures fail with clean errors.
 */
import assert from "node:assert/strict";
import { ComponentDecodeError, decodeComponent, detectKind } from "../lib/component/mod.ts";
import { canonicalWorld, parseWit } from "../lib/wit/mod.ts";
import {
  canonicalResolve,
  CORPUS,
  type CorpusEntry,
  corpusIndex,
  resolveFromWasmToolsJson,
} from "./component_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const index = corpusIndex();

/** The broken fixtures and the error each must give. */
const BROKEN: Record<string, { code: string; offset: number }> = {
  "wac/crates/wac-parser/tests/resolution/fail/package-invalid-wasm/foo/bar.wasm": {
    code: "index-out-of-bounds",
    offset: 0xb,
  },
  "wac/crates/wac-parser/tests/resolution/fail/package-not-wasm/foo/bar.wasm": {
    code: "not-wasm",
    offset: 0,
  },
  "wasm-tools/crates/wasm-compose/tests/compositions/component-incorrect-version/a.wasm": {
    code: "unknown-version",
    offset: 4,
  },
};

function expectedKind(e: CorpusEntry): string {
  if (e.kind === "module") return "module";
  if (e.witPackage) return "wit-package";
  return "component";
}

/** jco's world item names (`hello(func)`, `lists(inline-iface)`) as extern names. */
function externName(jco: string): string {
  return jco.replace(/\((func|inline-iface)\)$/, "");
}

function read(e: CorpusEntry): Uint8Array {
  return Deno.readFileSync(CORPUS + e.file);
}

Deno.test("the corpus index lists 60 binaries", () => {
  assert.equal(index.length, 60);
});

Deno.test("the detected kind of every corpus binary agrees with the index", async (t) => {
  for (const e of index) {
    if (BROKEN[e.file]) continue;
    await t.step(e.file, () => {
      const bytes = read(e);
      assert.equal(detectKind(bytes), expectedKind(e));
      assert.equal(decodeComponent(bytes).kind, expectedKind(e));
    });
  }
});

Deno.test("the broken fixtures fail with a code, an offset and one readable line", async (t) => {
  for (const [file, want] of Object.entries(BROKEN)) {
    await t.step(file, () => {
      const bytes = Deno.readFileSync(CORPUS + file);
      assert.throws(() => decodeComponent(bytes), (err: unknown) => {
        assert.ok(err instanceof ComponentDecodeError, String(err));
        assert.equal(err.code, want.code);
        assert.equal(err.offset, want.offset);
        assert.match(err.message, /^Cannot decode component: .+ \(at offset 0x[0-9a-f]+\)$/);
        assert.ok(!err.message.includes("\n"));
        return true;
      });
    });
  }
});

Deno.test("import and export names agree with the ones jco found", async (t) => {
  for (const e of index) {
    if (e.kind !== "component" || !e.witOk || e.witPackage) continue;
    await t.step(e.file, () => {
      const d = decodeComponent(read(e));
      const world = e.worlds![0];
      // jco lists world items: no type imports, and a world-level resource's functions belong
      // to the resource.
      const items = (l: typeof d.imports) =>
        l.filter((i) => i.kind !== "type" && !i.name.startsWith("[")).map((i) => i.name);
      assert.deepEqual(items(d.imports), world.imports.map(externName));
      assert.deepEqual(items(d.exports), world.exports.map(externName));
    });
  }
});

Deno.test("the items of every binary WIT package agree with the index", async (t) => {
  for (const e of index) {
    if (!e.witPackage) continue;
    await t.step(e.file, () => {
      const d = decodeComponent(read(e));
      const pkg = d.resolve.packages[d.package!];
      const name = pkg.name.version
        ? `${pkg.name.namespace}:${pkg.name.name}@${pkg.name.version}`
        : `${pkg.name.namespace}:${pkg.name.name}`;
      assert.deepEqual([name], e.packages);
      const ids = (n: string) => {
        const base = `${pkg.name.namespace}:${pkg.name.name}/${n}`;
        return pkg.name.version ? `${base}@${pkg.name.version}` : base;
      };
      const items = [
        ...[...pkg.interfaces.keys()].map((n) => ({ id: ids(n), kind: "interface" })),
        ...[...pkg.worlds.keys()].map((n) => ({ id: ids(n), kind: "world" })),
      ];
      const sort = (l: { id: string; kind: string }[]) =>
        [...l].sort((a, b) => (a.id < b.id ? -1 : 1));
      assert.deepEqual(sort(items), sort(e.pkgItems!));
    });
  }
});

Deno.test("every decoded resolve equals what native wasm-tools decodes", async (t) => {
  for (const e of index) {
    if (e.kind !== "component" || BROKEN[e.file]) continue;
    await t.step(e.file, async () => {
      const d = decodeComponent(read(e));
      const out = await runWasmTools(["component", "wit", "--json", CORPUS + e.file]);
      assert.ok(out.success, out.stderr);
      const theirs = resolveFromWasmToolsJson(out.stdout);
      const opts = { docs: true, stability: true };
      assert.deepEqual(canonicalResolve(d.resolve, opts), canonicalResolve(theirs, opts));
    });
  }
});

Deno.test("every decoded world equals jco's WIT for it, parsed by wreg's WIT front end", async (t) => {
  for (const e of index) {
    if (e.kind !== "component" || !e.witOk || e.witPackage) continue;
    await t.step(e.file, async () => {
      const jco = Deno.readTextFileSync(`${CORPUS}_derived/jco-wit/${e.file}.wit`);
      // jco prints the world only; the packages it uses come from wasm-tools' full print.
      const full = await runWasmTools(["component", "wit", CORPUS + e.file]);
      assert.ok(full.success, full.stderr);
      const cut = full.stdout.search(/^package [^;]*\{/m);
      const deps = cut < 0 ? "" : full.stdout.slice(cut);
      assert.equal((cut < 0 ? full.stdout : full.stdout.slice(0, cut)).trim(), jco.trim());
      const parsed = parseWit(`${jco}\n${deps}`);
      const worldId = parsed.resolve.packages[parsed.package].worlds.get("root")!;
      const d = decodeComponent(read(e));
      const opts = { docs: true, stability: true };
      assert.deepEqual(
        canonicalWorld(d.resolve, d.world!, opts),
        canonicalWorld(parsed.resolve, worldId, opts),
      );
    });
  }
});

Deno.test("the package and world of a component are root:component and root", () => {
  const e = index.find((x) => x.file.endsWith("example-host/add.wasm"))!;
  const d = decodeComponent(read(e));
  assert.equal(d.kind, "component");
  const pkg = d.resolve.packages[d.package!];
  assert.deepEqual(pkg.name, { namespace: "root", name: "component" });
  assert.equal(d.resolve.worlds[d.world!].name, "root");
  assert.deepEqual(d.exports, [{
    name: "docs:adder/add@0.1.0",
    kind: "instance",
    interface: { package: "docs:adder@0.1.0", name: "add", version: "0.1.0" },
  }]);
});
