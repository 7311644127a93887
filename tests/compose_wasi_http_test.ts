/**
 * Real-world WIT composes: sockets importing `wasi:http/types` (whose `headers` and `trailers`
 * are aliases of the resource `fields`) and synthetic sockets with each shape of resource alias,
 * plugged with a plug exporting one of their other imports (some plugs import `wasi:http/types`
 * too, so the merged import is shared). Every output is validated by native wasm-tools, loaded
 * by wasmtime, keeps each alias an alias of the same resource, and has the world `wasm-tools
 * compose` gives the same inputs. Everything is read from the shared corpus in place: the
 * wasi-http trees of 0.2.0, 0.2.3 and 0.3.0-rc-2025-09-16 (each with the WASI set of its version)
 * and the real `wasi:http` components (wasmCloud's Rust hello world and key-value counter, jco's
 * 0.3 echo).
 */
import assert from "node:assert/strict";
import { decodeComponent } from "../lib/component/mod.ts";
import { plug } from "../lib/compose/mod.ts";
import { type Resolve, type TypeId } from "../lib/wit/mod.ts";
import {
  CORPUS,
  dummyFromWit,
  dummyOf,
  inTemp,
  validateEverywhere,
  witOf,
  worldOf,
} from "./compose_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

/** The wasi-http trees of the corpus: the folder of each, and the version of its packages. */
const TREES = [
  { dir: "wasi-http/v0.2.0/wit", version: "0.2.0", handler: "outgoing-handler" },
  { dir: "wasi-http/v0.2.3/wit", version: "0.2.3", handler: "outgoing-handler" },
  {
    dir: "wasi-http/v0.3.0-rc-2025-09-16/wit-0.3.0-draft",
    version: "0.3.0-rc-2025-09-16",
    handler: "handler",
  },
];

/** `wasm-tools compose <socket> -d <plug>` (wasm-compose): the peer's composition. */
async function peerCompose(socket: Uint8Array, plugBytes: Uint8Array): Promise<Uint8Array> {
  return await inTemp(async (dir) => {
    await Deno.writeFile(`${dir}/socket.wasm`, socket);
    await Deno.writeFile(`${dir}/plug.wasm`, plugBytes);
    const r = await runWasmTools([
      "compose",
      `${dir}/socket.wasm`,
      "-d",
      `${dir}/plug.wasm`,
      "-o",
      `${dir}/out.wasm`,
    ]);
    if (!r.success) throw new Error(`wasm-tools compose: ${r.stderr}`);
    return await Deno.readFile(`${dir}/out.wasm`);
  });
}

/** Where a named type of an interface's resolve leads after its aliases (`type a = b`). */
function aliasTarget(resolve: Resolve, id: TypeId): TypeId {
  let cur = id;
  for (;;) {
    const t = resolve.types[cur];
    if (t.kind.tag !== "type" || typeof t.kind.type === "string") return cur;
    cur = t.kind.type;
  }
}

/**
 * Checks that in the composed component's imported interface `iface`, each of `aliases` is still
 * a type alias leading to the resource `resource` (the same type, not a copy of it).
 */
function assertAliases(bytes: Uint8Array, iface: string, resource: string, aliases: string[]) {
  const d = decodeComponent(bytes);
  const r = d.resolve;
  const id = r.interfaces.findIndex((i) =>
    i.name !== undefined && i.package !== undefined &&
    `${r.packages[i.package].name.namespace}:${r.packages[i.package].name.name}/${i.name}` ===
      iface
  );
  assert.ok(id >= 0, `the result imports ${iface}`);
  const types = r.interfaces[id].types;
  const res = types.get(resource);
  assert.ok(res !== undefined && r.types[res].kind.tag === "resource", `${resource} is a resource`);
  for (const a of aliases) {
    const t = types.get(a);
    assert.ok(t !== undefined, `${iface} keeps ${a}`);
    assert.equal(r.types[t].kind.tag, "type", `${a} is an alias, not a type of its own`);
    assert.equal(aliasTarget(r, t), res, `${a} is an alias of ${resource}`);
  }
}

/** Plugs, then checks the result everywhere and against wasm-tools compose. */
async function plugAndCheck(socket: Uint8Array, plugBytes: Uint8Array, fills: string) {
  const r = await plug({ bytes: socket, label: "socket" }, [{ bytes: plugBytes, label: "plug" }]);
  assert.deepEqual(r.fills.map((f) => f.import), [fills]);
  assert.ok(!r.imports.includes(fills), `${fills} is filled, not imported`);
  await validateEverywhere(r.bytes);
  const peer = await peerCompose(socket, plugBytes);
  assert.deepEqual(worldOf(r.bytes), worldOf(peer), "the same world as wasm-tools compose");
  return r;
}

for (const tree of TREES) {
  const v = tree.version;
  Deno.test(`wasi:http ${v}: a proxy composes with a plug of wasi:random and with one of ${tree.handler} sharing wasi:http/types`, async () => {
    const socket = await dummyOf(
      tree.dir,
      "socket",
      `world socket { include wasi:http/proxy@${v}; }`,
    );
    // A plug that uses no resource.
    const random = await dummyOf(
      tree.dir,
      "random",
      `world random { export wasi:random/random@${v}; }`,
    );
    const a = await plugAndCheck(socket, random, `wasi:random/random@${v}`);
    assert.ok(a.imports.includes(`wasi:http/types@${v}`));
    assertAliases(a.bytes, "wasi:http/types", "fields", ["headers", "trailers"]);
    // A plug that imports wasi:http/types itself: the result imports it once, shared.
    const handler = await dummyOf(
      tree.dir,
      "handler",
      `world handler { export wasi:http/${tree.handler}@${v}; }`,
    );
    const b = await plugAndCheck(socket, handler, `wasi:http/${tree.handler}@${v}`);
    assert.equal(b.imports.filter((i) => i.startsWith("wasi:http/types")).length, 1);
    assertAliases(b.bytes, "wasi:http/types", "fields", ["headers", "trailers"]);
  });
}

/** Each shape of resource alias in an imported interface (package `test:alias`). */
const SHAPES: Record<string, { types: string; aliases: string[] }> = {
  "one alias, taken by a constructor": {
    types: `resource fields { constructor(h: headers); }
    type headers = fields;
    resource request { constructor(h: headers); headers: func() -> headers; }`,
    aliases: ["headers"],
  },
  "two aliases (wasi:http's trailers and headers)": {
    types: `resource fields { constructor(); append: func(name: string); }
    type trailers = fields;
    type headers = fields;
    resource request {
      constructor(h: headers);
      headers: func() -> headers;
      trailers: func() -> option<trailers>;
      combine: static func(h: borrow<headers>, t: borrow<trailers>) -> result<request, string>;
    }`,
    aliases: ["trailers", "headers"],
  },
  "an alias of an alias": {
    types: `resource fields;
    type headers = fields;
    type head = headers;
    make: func(h: borrow<head>) -> head;`,
    aliases: ["headers", "head"],
  },
  "an alias written before its resource": {
    types: `type headers = fields;
    make: func() -> headers;
    resource fields { get: func() -> list<u8>; }`,
    aliases: ["headers"],
  },
  "an alias used only through another interface": {
    types: `resource fields;
    type headers = fields;`,
    aliases: ["headers"],
  },
  "an alias of another package's resource (wasi:io pollable)": {
    types: `use wasi:io/poll@0.2.0.{pollable};
    type ready = pollable;
    resource fields { subscribe: func() -> ready; }
    type headers = fields;`,
    aliases: ["headers"],
  },
};

for (const [shape, { types, aliases }] of Object.entries(SHAPES)) {
  Deno.test(`a socket importing an interface with ${shape} composes`, async () => {
    const wit = (world: string) =>
      `interface types {
    ${types}
  }

  interface user {
    use types.{${aliases.at(-1)}};
    take: func(h: ${aliases.at(-1)}) -> u32;
  }

  interface go {
    use types.{${aliases[0]}};
    run: func(h: borrow<${aliases[0]}>) -> u32;
  }

  ${world}`;
    const tree = TREES[0].dir;
    const socket = await dummyOf(
      tree,
      "alias",
      wit("world alias { import types; import user; import go; export run: func() -> u32; }"),
    );
    const plugBytes = await dummyOf(tree, "alias", wit("world alias { export go; }"));
    const r = await plugAndCheck(socket, plugBytes, "test:alias/go");
    assert.ok(r.imports.includes("test:alias/types"));
    assertAliases(r.bytes, "test:alias/types", "fields", aliases);
  });
}

/** The real components of the corpus that import `wasi:http/types`. */
const REAL = [
  "wasmCloud/tests/fixtures/http_hello_world_rust.wasm",
  "wasmCloud/tests/fixtures/http_keyvalue_counter.wasm",
  "jco/packages/jco-transpile/test/fixtures/components/p3/http/p3-http-echo.wasm",
];

for (const file of REAL) {
  Deno.test(`the real component ${file.split("/").at(-1)} composes with a plug of one of its other imports`, async () => {
    const socket = await Deno.readFile(`${CORPUS}${file}`);
    const d = decodeComponent(socket);
    const imports = [...d.checked!.type.imports.keys()];
    const types = imports.find((n) => n.startsWith("wasi:http/types@"));
    assert.ok(types !== undefined, `${file} imports wasi:http/types`);
    // The plug exports one of the socket's other imports, as the socket uses it: its world is
    // built from the socket's own WIT (wasm-tools component wit).
    const other = imports.find((n) => /^wasi:cli\/(environment|exit)@/.test(n)) ??
      imports.find((n) => n.startsWith("wasi:") && !n.startsWith("wasi:http/"))!;
    const printed = (await witOf(socket)).replace(
      /^package root:component;\n/,
      `package root:component;\n\nworld plug {\n  export ${other};\n}\n`,
    );
    const plugBytes = await inTemp(async (dir) => {
      await Deno.writeTextFile(`${dir}/plug.wit`, printed);
      return await dummyFromWit(`${dir}/plug.wit`, "plug");
    });
    const r = await plugAndCheck(socket, plugBytes, other);
    assert.ok(r.imports.includes(types));
    assertAliases(r.bytes, "wasi:http/types", "fields", ["headers"]);
  });
}

Deno.test("sample-wasi-http-rust's world (include wasi:http/proxy) composes: on the 0.2.3 tree, its own 0.2.2 is not in the corpus", async () => {
  // The corpus has the sample's WIT only (no binary), and its wasi:http@0.2.2 is not among the
  // corpus trees: its world is built on the nearest one, 0.2.3 of the same series.
  const text = await Deno.readTextFile(`${CORPUS}sample-wasi-http-rust/wit/world.wit`);
  const body = /world sample-wasi-http-rust \{([^}]*)\}/.exec(text)![1];
  assert.match(body, /include wasi:http\/proxy@0\.2\.2;/);
  const world = `world sample {${body.replace("@0.2.2", "@0.2.3")}}`;
  const socket = await dummyOf(TREES[1].dir, "sample", world);
  const plugBytes = await dummyOf(
    TREES[1].dir,
    "clock",
    "world clock { export wasi:clocks/monotonic-clock@0.2.3; }",
  );
  // wasi:http/types uses the plug's `duration` (a u64): it is written out in the merged import.
  const r = await plugAndCheck(socket, plugBytes, "wasi:clocks/monotonic-clock@0.2.3");
  assert.ok(r.imports.includes("wasi:http/types@0.2.3"));
  assertAliases(r.bytes, "wasi:http/types", "fields", ["headers", "trailers"]);
  // A plug of a resource that the remaining imports use (wasi:io's pollable) cannot be: refused
  // in one line (wasm-tools compose 1.263.0 panics on the same inputs).
  const poll = await dummyOf(TREES[1].dir, "poll", "world poll { export wasi:io/poll@0.2.3; }");
  await assert.rejects(
    plug({ bytes: socket, label: "socket" }, [{ bytes: poll, label: "plug" }]),
    /^ComposeError: Cannot compose: an import of the result would use a resource of import `wasi:io\/poll@0\.2\.3`, which export `wasi:io\/poll@0\.2\.3` of the instance of plug fills \(socket\); import it too, or fill the import that uses it$/,
  );
});
