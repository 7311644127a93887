/** Reader for the canon section: `lift`, `lower`, and every built-in of the current format. */
import type { CanonDef, CanonOption, ValTypeRef } from "./_ast.ts";
import { readCoreValType, readValType } from "./_parse_types.ts";
import type { Reader } from "./_reader.ts";
import { specRuleError } from "./_spec_rules.ts";

function options(r: Reader): CanonOption[] {
  const n = r.count("canonical option", 1);
  const out: CanonOption[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const b = r.u8();
    switch (b) {
      case 0x00:
        out[i] = { tag: "string-encoding", encoding: "utf8" };
        break;
      case 0x01:
        out[i] = { tag: "string-encoding", encoding: "utf16" };
        break;
      case 0x02:
        out[i] = { tag: "string-encoding", encoding: "latin1+utf16" };
        break;
      case 0x03:
        out[i] = { tag: "memory", index: r.u32() };
        break;
      case 0x04:
        out[i] = { tag: "realloc", index: r.u32() };
        break;
      case 0x05:
        out[i] = { tag: "post-return", index: r.u32() };
        break;
      case 0x06:
        out[i] = { tag: "async" };
        break;
      case 0x07:
        out[i] = { tag: "callback", index: r.u32() };
        break;
      case 0x08:
        out[i] = { tag: "core-type", index: r.u32() };
        break;
      case 0x09:
        out[i] = { tag: "gc" };
        break;
      default:
        r.badByte(b, "canonical option");
    }
  }
  return out;
}

function resultList(r: Reader): ValTypeRef | null {
  const b = r.u8();
  if (b === 0x00) return readValType(r);
  if (b === 0x01) {
    const z = r.u8();
    if (z !== 0) r.badByte(z, "number of results");
    return null;
  }
  r.badByte(b, "component function results");
}

/** Built-ins taking only a type index, by opcode. */
const TYPED: Record<number, string> = {
  0x02: "resource.new",
  0x03: "resource.drop",
  0x04: "resource.rep",
  0x0e: "stream.new",
  0x13: "stream.drop-readable",
  0x14: "stream.drop-writable",
  0x15: "future.new",
  0x1a: "future.drop-readable",
  0x1b: "future.drop-writable",
};

/** Built-ins with a type index and options. */
const TYPED_OPTS: Record<number, string> = {
  0x0f: "stream.read",
  0x10: "stream.write",
  0x16: "future.read",
  0x17: "future.write",
};

/** Built-ins with a type index and an `async?` flag. */
const TYPED_ASYNC: Record<number, string> = {
  0x11: "stream.cancel-read",
  0x12: "stream.cancel-write",
  0x18: "future.cancel-read",
  0x19: "future.cancel-write",
};

/** Built-ins with no immediates. */
const BARE: Record<number, string> = {
  0x24: "backpressure.inc",
  0x25: "backpressure.dec",
  0x05: "task.cancel",
  0x0d: "subtask.drop",
  0x1e: "error-context.drop",
  0x1f: "waitable-set.new",
  0x22: "waitable-set.drop",
  0x23: "waitable.join",
  0x26: "thread.index",
  0x28: "thread.resume-later",
};

/** Built-ins with a `cancellable?` flag. */
const CANCEL: Record<number, string> = {
  0x29: "thread.suspend",
  0x0c: "thread.yield",
  0x2a: "thread.suspend-then-resume",
  0x2b: "thread.yield-then-resume",
  0x2c: "thread.suspend-then-promote",
  0x2d: "thread.yield-then-promote",
};

/**
 * The `cancel?` immediate, which the specification keeps in the binary format but requires to be
 * 0x00 since component-model#716 (rule `cancellable-immediate`).
 */
function cancelImmediate(r: Reader, name: string): false {
  const at = r.pos;
  const set = r.bool("cancellable flag");
  if (set) {
    throw specRuleError(
      "cancellable-immediate",
      `\`${name}\` sets its \`cancellable\` immediate to 0x01 (it must be 0x00)`,
      at,
    );
  }
  return false;
}

/** Reads one `canon`. */
export function readCanon(r: Reader): CanonDef {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const z = r.u8();
      if (z !== 0x00) r.badByte(z, "canonical function lift");
      const coreFunc = r.u32();
      const opts = options(r);
      return { tag: "lift", coreFunc, options: opts, type: r.u32() };
    }
    case 0x01: {
      const z = r.u8();
      if (z !== 0x00) r.badByte(z, "canonical function lower");
      const func = r.u32();
      return { tag: "lower", func, options: options(r) };
    }
    case 0x09: {
      const result = resultList(r);
      return { tag: "builtin", name: "task.return", result, options: options(r) };
    }
    case 0x0a:
    case 0x0b: {
      const coreValType = readCoreValType(r);
      const slot = r.u32();
      return {
        tag: "builtin",
        name: b === 0x0a ? "context.get" : "context.set",
        coreValType,
        slot,
      };
    }
    case 0x06:
      return { tag: "builtin", name: "subtask.cancel", async: r.bool("async flag") };
    case 0x1c:
      return { tag: "builtin", name: "error-context.new", options: options(r) };
    case 0x1d:
      return { tag: "builtin", name: "error-context.debug-message", options: options(r) };
    case 0x20:
    case 0x21: {
      const cancellable = cancelImmediate(
        r,
        b === 0x20 ? "waitable-set.wait" : "waitable-set.poll",
      );
      const memory = r.u32();
      const name = b === 0x20 ? "waitable-set.wait" : "waitable-set.poll";
      return { tag: "builtin", name, cancellable, memory };
    }
    case 0x27: {
      const coreType = r.u32();
      const table = r.u32();
      return { tag: "builtin", name: "thread.new-indirect", coreType, table };
    }
    case 0x40:
      return {
        tag: "builtin",
        name: "thread.spawn-ref",
        shared: r.bool("shared flag"),
        coreType: r.u32(),
      };
    case 0x41: {
      const shared = r.bool("shared flag");
      const coreType = r.u32();
      const table = r.u32();
      return { tag: "builtin", name: "thread.spawn-indirect", shared, coreType, table };
    }
    case 0x42:
      return {
        tag: "builtin",
        name: "thread.available-parallelism",
        shared: r.bool("shared flag"),
      };
  }
  if (TYPED[b] !== undefined) return { tag: "builtin", name: TYPED[b], type: r.u32() };
  if (TYPED_OPTS[b] !== undefined) {
    const type = r.u32();
    return { tag: "builtin", name: TYPED_OPTS[b], type, options: options(r) };
  }
  if (TYPED_ASYNC[b] !== undefined) {
    const type = r.u32();
    return { tag: "builtin", name: TYPED_ASYNC[b], type, async: r.bool("async flag") };
  }
  if (BARE[b] !== undefined) return { tag: "builtin", name: BARE[b] };
  if (CANCEL[b] !== undefined) {
    return { tag: "builtin", name: CANCEL[b], cancellable: cancelImmediate(r, CANCEL[b]) };
  }
  r.badByte(b, "canonical function");
}
