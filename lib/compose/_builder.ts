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

function leb(n: number): Uint8Array {
  return new ByteWriter(5).u32(n).finish();
}

interface Item {
  section: number;
  /** The item's bytes, or for a component section the nested component itself. */
  bytes: Uint8Array;
}

/** The outer component under construction. */
export class ComponentBuilder {
  private readonly items: Item[] = [];
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

  private add(section: number, bytes: Uint8Array, sort?: OuterSort): number {
    this.items.push({ section, bytes });
    if (sort === undefined) return -1;
    return this.counts[sort]++;
  }

  /** A type definition (its encoded `type`); returns its type index. */
  type(body: Uint8Array): number {
    return this.add(SECTION.type, body, "type");
  }

  /** `(alias export instance "name" (sort))`; returns the index in that sort. */
  aliasExport(sort: OuterSort, instance: number, name: string): number {
    const w = new ByteWriter();
    writeSort(w, sort);
    w.u8(0x00).u32(instance).name(name);
    return this.add(SECTION.alias, w.finish(), sort);
  }

  /** An import; returns its index in its sort. */
  import(name: string, desc: ExternDesc): number {
    const w = new ByteWriter();
    w.u8(0x00).name(name);
    writeExternDesc(w, desc);
    return this.add(SECTION.import, w.finish(), sortOfDesc(desc));
  }

  /** A nested component (a whole component binary); returns its component index. */
  component(bytes: Uint8Array): number {
    return this.add(SECTION.component, bytes, "component");
  }

  /** `(instance (instantiate c (with name (sort idx))…))`; returns the instance index. */
  instantiate(
    component: number,
    args: readonly { name: string; sort: OuterSort; index: number }[],
  ): number {
    const w = new ByteWriter();
    w.u8(0x00).u32(component).u32(args.length);
    for (const a of args) {
      w.name(a.name);
      writeSort(w, a.sort);
      w.u32(a.index);
    }
    return this.add(SECTION.instance, w.finish(), "instance");
  }

  /** `(export "name" (sort idx))`; returns the new index in that sort. */
  export(name: string, sort: OuterSort, index: number): number {
    const w = new ByteWriter();
    w.u8(0x00).name(name);
    writeSort(w, sort);
    w.u32(index).u8(0x00);
    return this.add(SECTION.export, w.finish(), sort);
  }

  /** A custom section. */
  custom(name: string, payload: Uint8Array): void {
    const w = new ByteWriter(payload.length + name.length + 8);
    w.name(name).bytes(payload);
    this.add(SECTION.custom, w.finish());
  }

  /** The component binary: preamble and sections, assembled with one allocation. */
  finish(): Uint8Array {
    const chunks: Uint8Array[] = [new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00])];
    let i = 0;
    while (i < this.items.length) {
      const section = this.items[i].section;
      if (section === SECTION.component || section === SECTION.custom) {
        const body = this.items[i].bytes;
        chunks.push(new Uint8Array([section]), leb(body.length), body);
        i++;
        continue;
      }
      let j = i;
      let size = 0;
      while (j < this.items.length && this.items[j].section === section) {
        size += this.items[j].bytes.length;
        j++;
      }
      const count = leb(j - i);
      chunks.push(new Uint8Array([section]), leb(size + count.length), count);
      for (let k = i; k < j; k++) chunks.push(this.items[k].bytes);
      i = j;
    }
    let total = 0;
    for (const c of chunks) total += c.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
