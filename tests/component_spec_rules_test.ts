/**
 * The rules of the current component-model specification the decoder enforces beyond the
 * grammar (lib/component `SPEC_RULES`): for each, a component built to break it (and the same
 * component without the break), refused by wreg with the rule's id and the offset, and by native
 * wasm-tools alike; and the one line `inspect`, `wit`, `plug` and `publish` print for it.
 */
import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  ByteWriter,
  ComponentDecodeError,
  SPEC_RULES,
  type SpecRuleId,
  validateComponent,
} from "../lib/component/mod.ts";
import { type Io, runWreg } from "../cli/mod.ts";
import { wasmToolsValidate } from "./support/wasm_tools.ts";
import { createApp } from "../registry/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { Client, storageSnapshot } from "./registry_support.ts";

/** A core module with what the canonical definitions below refer to. */
const CORE = await parse(`(module
  (memory (export "mem") 1)
  (func (export "f") (result i32) unreachable)
  (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
  (func (export "pr") (param i32))
  (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))`);

const SYNC_FUNC = 0x40, ASYNC_FUNC = 0x43;

/**
 * A component: the core module instantiated, its exports aliased (core funcs 0 `f`, 1 `cb`,
 * 2 `pr`, 3 `realloc`; core memory 0), type 0 `func() -> u32` (sync or async), then the canon
 * section `canon` writes (its body without the count), each definition counted by `n`.
 */
function component(funcType: number, n: number, canon: (w: ByteWriter) => void): Uint8Array {
  const section = (w: ByteWriter, id: number, body: Uint8Array) =>
    w.u8(id).u32(body.length).bytes(body);
  const w = new ByteWriter();
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  section(w, 0x01, CORE);
  section(w, 0x02, new ByteWriter().u32(1).u8(0x00).u32(0).u32(0).finish());
  const aliases = new ByteWriter().u32(5);
  for (
    const [sort, name] of [
      [0x00, "f"],
      [0x00, "cb"],
      [0x00, "pr"],
      [0x00, "realloc"],
      [0x02, "mem"],
    ] as const
  ) {
    aliases.u8(0x00).u8(sort).u8(0x01).u32(0).name(name);
  }
  section(w, 0x06, aliases.finish());
  section(w, 0x07, new ByteWriter().u32(1).u8(funcType).u32(0).u8(0x00).u8(0x79).finish());
  const c = new ByteWriter().u32(n);
  canon(c);
  section(w, 0x08, c.finish());
  return w.finish();
}

/** Canonical options as bytes. */
const OPT = {
  async: [0x06],
  callback: [0x07, 1],
  postReturn: [0x05, 2],
  memory: [0x03, 0],
  realloc: [0x04, 3],
} as const;
type Opt = keyof typeof OPT;

function opts(w: ByteWriter, list: Opt[]): ByteWriter {
  w.u32(list.length);
  for (const o of list) for (const b of OPT[o]) w.u8(b);
  return w;
}

/** `(canon lift (core func f) opts (type 0))`. */
const lift = (funcType: number, list: Opt[]) =>
  component(funcType, 1, (w) => opts(w.u8(0x00).u8(0x00).u32(0), list).u32(0));

/** The lift of `f` (async with a callback for an async type), then `(canon lower 0 opts)`. */
const lower = (funcType: number, list: Opt[]) =>
  component(funcType, 2, (w) => {
    opts(w.u8(0x00).u8(0x00).u32(0), funcType === ASYNC_FUNC ? ["async", "callback"] : []).u32(0);
    opts(w.u8(0x01).u8(0x00).u32(0), list);
  });

/** `(canon task.return (result u32) opts)`. */
const taskReturn = (list: Opt[]) =>
  component(SYNC_FUNC, 1, (w) => opts(w.u8(0x09).u8(0x00).u8(0x79), list));

/** A `cancel?` built-in (`0x0c` thread.yield, `0x20`/`0x21` waitable-set.wait/poll…). */
const cancellable = (opcode: number, flag: number) =>
  component(SYNC_FUNC, 1, (w) => {
    w.u8(opcode).u8(flag);
    if (opcode === 0x20 || opcode === 0x21) w.u32(0); // (memory 0)
  });

/** For each rule: components that break it (with a name), and the same without the break. */
const CASES: Record<SpecRuleId, { broken: [string, Uint8Array][]; fine: Uint8Array[] }> = {
  "cancellable-immediate": {
    broken: [
      ["thread.yield cancellable", cancellable(0x0c, 1)],
      ["waitable-set.wait cancellable", cancellable(0x20, 1)],
      ["waitable-set.poll cancellable", cancellable(0x21, 1)],
    ],
    fine: [cancellable(0x0c, 0), cancellable(0x20, 0), cancellable(0x21, 0)],
  },
  "async-needs-async-type": {
    broken: [
      ["async lift of a sync function type", lift(SYNC_FUNC, ["async", "callback"])],
      ["async lower of a sync function", lower(SYNC_FUNC, ["async", "memory"])],
    ],
    fine: [lift(ASYNC_FUNC, ["async", "callback"]), lower(ASYNC_FUNC, ["async", "memory"])],
  },
  "async-lift-needs-callback": {
    broken: [["async lift without a callback", lift(ASYNC_FUNC, ["async"])]],
    fine: [lift(ASYNC_FUNC, ["async", "callback"])],
  },
  "callback-needs-async": {
    broken: [
      ["lift with a callback but not async", lift(SYNC_FUNC, ["callback"])],
      ["task.return with a callback", taskReturn(["callback"])],
    ],
    fine: [lift(SYNC_FUNC, [])],
  },
  "async-without-post-return": {
    broken: [[
      "async lift with a post-return",
      lift(ASYNC_FUNC, ["async", "callback", "postReturn"]),
    ]],
    fine: [lift(SYNC_FUNC, ["postReturn"])],
  },
  "post-return-on-lift": {
    broken: [["task.return with a post-return", taskReturn(["postReturn"])]],
    fine: [taskReturn([])],
  },
  "task-return-options": {
    broken: [
      ["task.return with realloc", taskReturn(["memory", "realloc"])],
      ["task.return with async", taskReturn(["async"])],
    ],
    fine: [taskReturn(["memory"])],
  },
};

Deno.test("every rule of SPEC_RULES has a spec reference and a test case", () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(SPEC_RULES).sort());
  for (const rule of Object.values(SPEC_RULES)) {
    assert.match(rule.spec, /component-model#\d+|CanonicalABI\.md|Binary\.md|Explainer\.md/);
    assert.ok(rule.requires.length > 0 && rule.ref.length > 0);
  }
});

for (const [id, { broken, fine }] of Object.entries(CASES)) {
  Deno.test(`rule ${id}: wreg and wasm-tools refuse the components that break it, and accept them without the break`, async () => {
    for (const bytes of fine) {
      assert.doesNotThrow(() => validateComponent(bytes));
      assert.equal(await wasmToolsValidate(bytes), undefined);
    }
    for (const [what, bytes] of broken) {
      assert.throws(() => validateComponent(bytes), (e: unknown) => {
        assert.ok(e instanceof ComponentDecodeError, `${what}: ${e}`);
        assert.equal(e.code, "spec-rule", `${what}: ${e.message}`);
        assert.equal(e.rule, id, what);
        assert.ok(e.offset > 8 && e.offset < bytes.length, `${what}: offset ${e.offset}`);
        assert.match(
          e.message,
          new RegExp(
            `^Cannot decode component: .+, which the current specification forbids \\(rule ${id}, .+\\) \\(at offset 0x[0-9a-f]+\\)$`,
          ),
        );
        return true;
      });
      const native = await wasmToolsValidate(bytes);
      assert.ok(native !== undefined, `wasm-tools accepts ${what}`);
    }
  });
}

function captureIo(cwd: string) {
  const out: string[] = [], err: string[] = [];
  const io: Io = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    cwd,
    env: {},
    isTerminal: false,
  };
  return { io, out, err };
}

Deno.test("inspect, wit, plug and publish refuse a component that breaks a rule with one line: what, why, offset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-spec-rules-" });
  try {
    await Deno.writeFile(`${dir}/bad.wasm`, cancellable(0x0c, 1));
    await Deno.writeFile(`${dir}/plug.wasm`, cancellable(0x0c, 0));
    const line =
      /^error: [^\n]*`thread\.yield` sets its `cancellable` immediate to 0x01 \(it must be 0x00\), which the current specification forbids \(rule cancellable-immediate, component-model#716\) \(at offset 0x[0-9a-f]+\)\n$/;
    for (
      const args of [
        ["inspect", "bad.wasm"],
        ["wit", "bad.wasm"],
        ["plug", "bad.wasm", "--plug", "plug.wasm", "-o", "out.wasm"],
        ["plug", "plug.wasm", "--plug", "bad.wasm", "-o", "out.wasm"],
        ["publish", "bad.wasm", "--name", "test:bad", "--version", "1.0.0", "--dry-run"],
      ]
    ) {
      const { io, err } = captureIo(dir);
      const code = await runWreg(args, io);
      assert.equal(code, 2, `${args.join(" ")}: ${err.join("")}`);
      assert.match(err.join(""), line, args.join(" "));
      assert.equal(err.join("").match(/Cannot /g)?.length, 1, `said once: ${err.join("")}`);
    }
    await assert.rejects(() => Deno.stat(`${dir}/out.wasm`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the registry refuses to publish a component that breaks a rule, naming the rule, and stores nothing", async () => {
  const storage = openMemoryStorage();
  const admin = "admin-secret-0123456";
  const c = new Client(createApp({ storage, adminToken: admin }));
  try {
    const token = await c.token(admin, "alice");
    const before = await storageSnapshot(storage);
    const bad = cancellable(0x0c, 1);
    const r = await c.publish(token, "test:bad", "1.0.0", bad);
    assert.equal(r.status, 400, r.text);
    assert.match(
      r.json.message,
      /`thread\.yield` sets its `cancellable` immediate to 0x01 \(it must be 0x00\), which the current specification forbids \(rule cancellable-immediate, component-model#716\)/,
    );
    assert.deepEqual(await storageSnapshot(storage), before);
    assert.equal((await c.call("GET", "/api/v1/packages/test/bad")).status, 404);
  } finally {
    await storage.close();
  }
});
