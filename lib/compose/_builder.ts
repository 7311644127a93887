/**
 * Writes the outer component of a composition: its items in order (types, aliases, imports,
 * nested components, instances, exports, custom sections), grouping consecutive items of one
 * section kind into one section, and counting the index spaces. Nested components are kept as
 * references to their input bytes and copied once, when the output is assembled.
 */
import { ByteWriter } from "../component/mod.ts";

/** Section ids of the component binary format. */
export const SECTION = {
  custom: 0,
  component: 4,
  instance: 5,
  alias: 6,
  type: 7,
  import: 10,
  export: 11,
} as const;

/** Sort bytes of `sortidx` (core module is `0x00 0x11`). */
export const SORT_BYTE = {
  func: 0x01,
  value: 0x02,
  type: 0x03,
  component: 0x04,
  instance: 0x05,
} as const;

/** The sorts a composition's outer component uses. */
export type OuterSort = keyof typeof SORT_BYTE | "module";

/** The type part of an import or an instance-type export. */
export type ExternDesc =
  | { kind: "func"; type: number }
  | { kind: "instance"; type: number }
  | { kind: "component"; type: number }
  | { kind: "type"; eq: number }
  | { kind: "type"; subResource: true };

/** Writes an `externtype`. */
export function writeExternDesc(w: ByteWriter, d: ExternDesc): void {
  switch (d.kind) {
    case "func":
      w.u8(0x01).u32(d.type);
      break;
    case "instance":
      w.u8(0x05).u32(d.type);
      break;
    case "component":
      w.u8(0x04).u32(d.type);
      break;
    case "type":
      w.u8(0x03);
      if ("eq" in d) w.u8(0x00).u32(d.eq);
      else w.u8(0x01);
      break;
  }
}

/** Writes a sort (`sortidx` without the index). */
export function writeSort(w: ByteWriter, sort: OuterSort): void {
  if (sort === "module") w.u8(0x00).u8(0x11);
  else w.u8(SORT_BYTE[sort]);
}

function sortOfDesc(d: ExternDesc): OuterSort {
  return d.kind;
}

function lebLength(n: number): number {
  let len = 1;
  for (let x = n >>> 7; x !== 0; x >>>= 7) len++;
  return len;
}

function writeLeb(out: Uint8Array, at: number, n: number): number {
  let x = n >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out[at++] = b;
  } while (x !== 0);
  return at;
}

/** A length-prefixed name: ASCII written directly, anything else through UTF-8 encoding. */
function writeName(w: ByteWriter, s: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      w.name(s);
      return;
    }
  }
  w.u32(s.length);
  for (let i = 0; i < s.length; i++) w.u8(s.charCodeAt(i));
}

/**
 * Consecutive items of one section: a range of the builder's one buffer (vector sections, written
 * as the items come), or the contents of a component or custom section.
 */
interface Run {
  section: number;
  count: number;
  /** The range of the buffer: the items, or a custom section's name. */
  start: number;
  end: number;
  /** A nested component, or a custom section's payload. */
  contents?: Uint8Array;
}

/** The outer component under construction. */
export class ComponentBuilder {
  private readonly runs: Run[] = [];
  /** The items of every vector section, in order. */
  private readonly w = new ByteWriter(1024);
  private readonly counts: Record<OuterSort, number> = {
    func: 0,
    value: 0,
    type: 0,
    component: 0,
    instance: 0,
    module: 0,
  };

  /** The size of a sort's index space so far. */
  count(sort: OuterSort): number {
    return this.counts[sort];
  }

  /** The writer of one more item of a vector section (its section continues or starts). */
  private item(section: number): ByteWriter {
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.section === section && last.contents === undefined) {
      last.count++;
    } else {
      this.closeRun();
      this.runs.push({ section, count: 1, start: this.w.length, end: -1 });
    }
    return this.w;
  }

  private closeRun(): void {
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.contents === undefined) last.end = this.w.length;
  }

  private next(sort: OuterSort): number {
    return this.counts[sort]++;
  }

  /** A type definition (its encoded `type`); returns its type index. */
  type(body: Uint8Array): number {
    this.item(SECTION.type).bytes(body);
    return this.next("type");
  }

  /** `(alias export instance "name" (sort))`; returns the index in that sort. */
  aliasExport(sort: OuterSort, instance: number, name: string): number {
    const w = this.item(SECTION.alias);
    writeSort(w, sort);
    w.u8(0x00).u32(instance);
    writeName(w, name);
    return this.next(sort);
  }

  /** An import; returns its index in its sort. */
  import(name: string, desc: ExternDesc): number {
    const w = this.item(SECTION.import);
    w.u8(0x00);
    writeName(w, name);
    writeExternDesc(w, desc);
    return this.next(sortOfDesc(desc));
  }

  /** A nested component (a whole component binary); returns its component index. */
  component(bytes: Uint8Array): number {
    this.closeRun();
    const at = this.w.length;
    this.runs.push({ section: SECTION.component, count: 1, start: at, end: at, contents: bytes });
    return this.next("component");
  }

  /** `(instance (instantiate c (with name (sort idx))…))`; returns the instance index. */
  instantiate(
    component: number,
    args: readonly { name: string; sort: OuterSort; index: number }[],
  ): number {
    const w = this.item(SECTION.instance);
    w.u8(0x00).u32(component).u32(args.length);
    for (const a of args) {
      writeName(w, a.name);
      writeSort(w, a.sort);
      w.u32(a.index);
    }
    return this.next("instance");
  }

  /** `(export "name" (sort idx))`; returns the new index in that sort. */
  export(name: string, sort: OuterSort, index: number): number {
    const w = this.item(SECTION.export);
    w.u8(0x00);
    writeName(w, name);
    writeSort(w, sort);
    w.u32(index).u8(0x00);
    return this.next(sort);
  }

  /** A custom section (its name is written here, `payload` copied when the output is). */
  custom(name: string, payload: Uint8Array): void {
    this.closeRun();
    const start = this.w.length;
    writeName(this.w, name);
    this.runs.push({
      section: SECTION.custom,
      count: 1,
      start,
      end: this.w.length,
      contents: payload,
    });
  }

  /**
   * Where each nested component starts in the output of the last {@link finish}, by component
   * index: the nested bytes are there unchanged.
   */
  readonly componentOffsets: number[] = [];

  /** The component binary: preamble and sections, assembled with one allocation. */
  finish(): Uint8Array {
    this.closeRun();
    const items = this.w.finish();
    let total = PREAMBLE.length;
    for (const run of this.runs) {
      const size = run.contents === undefined
        ? lebLength(run.count) + run.end - run.start
        : run.end - run.start + run.contents.length;
      total += 1 + lebLength(size) + size;
    }
    const out = new Uint8Array(total);
    out.set(PREAMBLE);
    let at = PREAMBLE.length;
    this.componentOffsets.length = 0;
    for (const run of this.runs) {
      out[at++] = run.section;
      const own = items.subarray(run.start, run.end);
      if (run.contents === undefined) {
        at = writeLeb(out, at, lebLength(run.count) + own.length);
        at = writeLeb(out, at, run.count);
      } else {
        at = writeLeb(out, at, own.length + run.contents.length);
        if (run.section === SECTION.component) this.componentOffsets.push(at);
      }
      out.set(own, at);
      at += own.length;
      if (run.contents !== undefined) {
        out.set(run.contents, at);
        at += run.contents.length;
      }
    }
    return out;
  }
}

const PREAMBLE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
