import assert from "node:assert/strict";
import { parseWit } from "../wit/mod.ts";
import { assignKeys } from "./_names.ts";
import { tsDeclarations } from "./_ts_types.ts";
import { worldSurface } from "./mod.ts";

/** Declarations for world `w` of a WIT text, imports and exports keyed as the generator does. */
function declare(wit: string, world = "w") {
  const { resolve } = parseWit(wit);
  const id = resolve.worlds.findIndex((x) => x.name === world);
  const surface = worldSurface(resolve, id);
  return tsDeclarations({
    resolve,
    world: id,
    importKeys: assignKeys(surface.imports),
    exportKeys: assignKeys(surface.exports, ["instantiate"]),
  });
}

const PROCESSOR = `package docs:processor@0.1.0;
interface types {
  /// Where a document came from.
  record metadata { id: u64, source: string, priority: u32 }
}
interface logger {
  enum level { debug, info, warn, error }
  log: func(level: level, message: string);
}
world w {
  use types.{metadata};
  import logger;
  export process: func(doc: string, meta: metadata) -> string;
  export scrub-pii: func(text: string) -> string;
}`;

Deno.test("the processor world declares its types once, its imports and its exports", () => {
  const { text, exportKeys } = declare(PROCESSOR);
  assert.deepEqual(exportKeys, ["process", "scrubPii"]);
  assert.match(text, /export type Level = "debug" \| "info" \| "warn" \| "error";/);
  assert.match(text, /\/\*\* Where a document came from\. \*\/\nexport interface Metadata \{/);
  assert.match(text, / {2}id: bigint;\n {2}source: string;\n {2}priority: number;/);
  assert.equal(
    text.match(/export interface Metadata/g)?.length,
    1,
    "the use-alias is not repeated",
  );
  assert.match(
    text,
    /export interface Imports \{[^}]*logger: \{\n\s+log: \(level: Level, message: string\) => void;/,
  );
  assert.match(text, /process: \(doc: string, meta: Metadata\) => string;/);
  assert.match(text, /scrubPii: \(text: string\) => string;/);
});

Deno.test("options, results, lists and tuples take jco's JavaScript shapes", () => {
  const { text } = declare(`package t:t;
world w {
  record r { a: option<option<u32>>, b: result<string, u8>, c: list<u8>, d: list<string>, e: tuple<s64, char> }
  flags f { read, write-all }
  variant v { none-yet, some-text(string) }
  export get: func(x: r, y: f, z: v, w: option<list<u32>>) -> result<r, string>;
  export quiet: func() -> result;
}`);
  assert.match(text, /a: Option<number \| undefined>;/);
  assert.match(text, /b: Result<string, number>;/);
  assert.match(text, /c: Uint8Array;/);
  assert.match(text, /d: Array<string>;/);
  assert.match(text, /e: \[bigint, string\];/);
  assert.match(text, / read\?: boolean;/);
  assert.match(text, /writeAll\?: boolean;/);
  assert.match(text, /\| \{ tag: "none-yet" \}\n {2}\| \{ tag: "some-text"; val: string \};/);
  assert.match(text, /w: Uint32Array \| undefined/);
  // A top-level result returns its ok value and throws ComponentError for err.
  assert.match(text, /@throws \{ComponentError\}[^\n]*`string`[\s\S]*get: \([^)]*\) => R;/);
  assert.match(text, /quiet: \(\) => void;/);
  assert.match(text, /export type Option<T> = /);
  assert.match(text, /export type Result<T, E> = /);
});

Deno.test("types with the same name in two interfaces are told apart by the interface", () => {
  const { text } = declare(`package t:t;
interface a { record error { code: u32 } f: func() -> error; }
interface b { record error { message: string } g: func() -> error; }
world w { import a; import b; }`);
  assert.match(text, /export interface AError \{/);
  assert.match(text, /export interface BError \{/);
  assert.doesNotMatch(text, /export interface Error\b/, "the global Error is not shadowed");
  assert.match(text, /f: \(\) => AError;/);
  assert.match(text, /g: \(\) => BError;/);
});

Deno.test("resources are an instance interface plus a class with constructor and statics", () => {
  const { text } = declare(`package t:t;
interface counters {
  resource counter {
    constructor(start: u32);
    increment: func(by: u32) -> u32;
    zero: static func() -> counter;
  }
  total: func(c: borrow<counter>) -> u64;
}
world w { export counters; }`);
  assert.match(text, /export interface Counter \{\n\s+increment\(by: number\): number;\n\}/);
  assert.match(
    text,
    /Counter: \(new \(start: number\) => Counter\) & \(\{ zero: \(\) => Counter \}\);/,
  );
  assert.match(text, /total: \(c: Counter\) => bigint;/);
});

Deno.test("the declarations type-check, and a wrong argument type is an error", async () => {
  const { text } = declare(PROCESSOR);
  const dir = await Deno.makeTempDir({ prefix: "wreg-ts-types-" });
  try {
    await Deno.writeTextFile(`${dir}/decl.ts`, text);
    await Deno.writeTextFile(
      `${dir}/good.ts`,
      `import type { Exports, Imports } from "./decl.ts";
declare const e: Exports;
const s: string = e.process("doc", { id: 1n, source: "s", priority: 2 });
const i: Imports = { logger: { log: (level, message) => void [level, message] } };
export { i, s };
`,
    );
    await Deno.writeTextFile(
      `${dir}/bad.ts`,
      `import type { Exports } from "./decl.ts";
declare const e: Exports;
e.process("doc", { id: 1, source: "s", priority: 2 });
`,
    );
    const check = async (file: string) => {
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--no-config", file],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      return {
        code: o.code,
        out: new TextDecoder().decode(o.stderr) + new TextDecoder().decode(o.stdout),
      };
    };
    const good = await check("good.ts");
    assert.equal(good.code, 0, good.out);
    const bad = await check("bad.ts");
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /Type 'number' is not assignable to type 'bigint'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
