/**
 * The component parser: walks the sections of a component (recursively into nested components,
 * and as far as their interface into nested core modules) and builds a {@link ComponentAst}.
 */
import type {
  ComponentAst,
  CoreInstanceDef,
  CustomSection,
  Definition,
  Export,
  ExternDesc,
  Import,
  IndexSpaces,
  InstanceDef,
  SectionHeader,
  Sort,
} from "./_ast.ts";
import { readCanon } from "./_parse_canon.ts";
import { readCoreModule } from "./_parse_module.ts";
import {
  checkDeclExterns,
  readAlias,
  readCoreSort,
  readCoreType,
  readExternDesc,
  readExternName,
  readSort,
  readTypeDef,
  readValType,
} from "./_parse_types.ts";
import { readPreamble } from "./_preamble.ts";
import { type ItemCount, Reader } from "./_reader.ts";
import type { DecodeLimits } from "./_limits.ts";

/** Names of the component section ids. */
export const COMPONENT_SECTION_NAMES: Readonly<Record<number, string>> = {
  0: "custom",
  1: "core module",
  2: "core instance",
  3: "core type",
  4: "component",
  5: "instance",
  6: "alias",
  7: "type",
  8: "canon",
  9: "start",
  10: "import",
  11: "export",
  12: "value",
};

/** A section of a component, as the lazy walker yields it. */
export interface RawSection {
  /** The section id. */
  id: number;
  /** Offset of the section id byte. */
  offset: number;
  /** Where the contents are. */
  contents: { start: number; end: number };
}

/**
 * Yields the sections of the component or module whose header starts at `start`, without reading
 * their contents. Throws on truncation or an unknown section id.
 */
export function* walkSections(
  bytes: Uint8Array,
  limits: DecodeLimits,
  start = 0,
  end = bytes.length,
): Generator<RawSection> {
  const layer = readPreamble(bytes, start, end);
  const r = new Reader(bytes, limits, start + 8, end);
  let n = 0;
  while (!r.eof()) {
    const offset = r.pos;
    const id = r.u8();
    if (layer === "component" ? id > 12 : id > 13) {
      r.fail("invalid-byte", `unknown section id 0x${id.toString(16)}`, offset);
    }
    const size = r.u32();
    r.need(size);
    if (++n > limits.maxSections) {
      r.fail("limit-exceeded", `more than ${limits.maxSections} sections`, offset);
    }
    yield { id, offset, contents: { start: r.pos, end: r.pos + size } };
    r.pos += size;
  }
}

const EXTERN_SORT: Record<ExternDesc["kind"], Sort> = {
  module: "core module",
  func: "func",
  value: "value",
  type: "type",
  component: "component",
  instance: "instance",
};

function emptySpaces(): IndexSpaces {
  return {
    "core func": [],
    "core table": [],
    "core memory": [],
    "core global": [],
    "core tag": [],
    "core type": [],
    "core module": [],
    "core instance": [],
    "func": [],
    "value": [],
    "type": [],
    "component": [],
    "instance": [],
  };
}

/**
 * Nested components already parsed (and checked) elsewhere, by the offset in the input where their
 * bytes start (the contents of their component section).
 */
export type KnownComponents = ReadonlyMap<number, ComponentAst>;

/** How deep the nested components of `ast` go (0: none). */
function nestingHeight(ast: ComponentAst): number {
  let h = 0;
  for (const c of ast.components) h = Math.max(h, 1 + nestingHeight(c));
  return h;
}

/**
 * Parses the component whose header starts at `start` (and ends at `end`). `depth` is the number
 * of enclosing components. A component section of this component (not of nested ones) whose
 * contents start at an offset of `known` and have the length of that syntax tree's range is not
 * parsed: the known tree stands for it (its nesting still counts against the depth limit).
 */
export function parseComponentAt(
  bytes: Uint8Array,
  limits: DecodeLimits,
  start: number,
  end: number,
  depth: number,
  known?: KnownComponents,
  items: ItemCount = { used: 0 },
): ComponentAst {
  const layer = readPreamble(bytes, start, end);
  if (layer !== "component") {
    throw new Reader(bytes, limits).fail(
      "unknown-version",
      "expected a version header for a component",
      start + 4,
    );
  }
  if (depth > limits.maxNestingDepth) {
    new Reader(bytes, limits).fail(
      "limit-exceeded",
      `components nested deeper than the limit of ${limits.maxNestingDepth}`,
      start,
    );
  }
  const ast: ComponentAst = {
    kind: "component",
    range: { start, end },
    sections: [],
    definitions: [],
    spaces: emptySpaces(),
    imports: [],
    exports: [],
    customs: [],
    components: [],
    modules: [],
  };
  const defs = ast.definitions;
  const spaces = ast.spaces;
  const add = (def: Definition, sort: Sort | undefined): void => {
    defs.push(def);
    if (sort !== undefined) {
      const space = spaces[sort];
      if (space.length >= limits.maxIndexSpace) {
        new Reader(bytes, limits).fail(
          "limit-exceeded",
          `more than ${limits.maxIndexSpace} entries in the ${sort} index space`,
          def.offset,
        );
      }
      space.push(defs.length - 1);
    }
  };

  // The sections as walkSections finds them (inline: one reader for the walk, one for contents).
  const w = new Reader(bytes, limits, start + 8, end);
  const r = new Reader(bytes, limits, start + 8, end, items);
  let sectionCount = 0;
  while (!w.eof()) {
    const offset = w.pos;
    const id = w.u8();
    if (id > 12) w.fail("invalid-byte", `unknown section id 0x${id.toString(16)}`, offset);
    const size = w.u32();
    w.need(size);
    if (++sectionCount > limits.maxSections) {
      w.fail("limit-exceeded", `more than ${limits.maxSections} sections`, offset);
    }
    const contents = { start: w.pos, end: w.pos + size };
    w.pos += size;
    const header: SectionHeader = {
      id,
      kind: COMPONENT_SECTION_NAMES[id],
      offset,
      contents,
    };
    ast.sections.push(header);
    r.pos = contents.start;
    r.end = contents.end;
    switch (id) {
      case 0: {
        const name = r.name();
        const custom: CustomSection = { name, data: { start: r.pos, end: r.end } };
        ast.customs.push(custom);
        break;
      }
      case 1: {
        const layer = readPreamble(bytes, r.pos, r.end);
        if (layer !== "module") {
          r.fail("unknown-version", "expected a version header for a module", r.pos + 4);
        }
        r.pos += 8;
        const module = readCoreModule(r, contents.start);
        ast.modules.push(module);
        add({ tag: "core-module", module, offset: contents.start }, "core module");
        break;
      }
      case 2: {
        const n = r.count("core instance", 2);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          add({ tag: "core-instance", def: readCoreInstance(r), offset }, "core instance");
        }
        r.expectEnd("core instance section");
        break;
      }
      case 3: {
        const n = r.count("core type", 1);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          add({ tag: "core-type", type: readCoreType(r, depth), offset }, "core type");
        }
        r.expectEnd("core type section");
        break;
      }
      case 4: {
        const given = known?.get(contents.start);
        const component = given !== undefined &&
            given.range.end - given.range.start === contents.end - contents.start &&
            readPreamble(bytes, contents.start, contents.end) === "component"
          ? given
          : parseComponentAt(
            bytes,
            limits,
            contents.start,
            contents.end,
            depth + 1,
            undefined,
            items,
          );
        if (component === given && depth + 1 + nestingHeight(given) > limits.maxNestingDepth) {
          r.fail(
            "limit-exceeded",
            `components nested deeper than the limit of ${limits.maxNestingDepth}`,
            contents.start,
          );
        }
        ast.components.push(component);
        add({ tag: "component", component, offset: contents.start }, "component");
        break;
      }
      case 5: {
        const n = r.count("instance", 2);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          add({ tag: "instance", def: readInstance(r), offset }, "instance");
        }
        r.expectEnd("instance section");
        break;
      }
      case 6: {
        const n = r.count("alias", 3);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const alias = readAlias(r);
          add({ tag: "alias", alias, offset }, alias.sort);
        }
        r.expectEnd("alias section");
        break;
      }
      case 7: {
        const n = r.count("type", 1);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          add({ tag: "type", type: readTypeDef(r, depth), offset }, "type");
        }
        r.expectEnd("type section");
        break;
      }
      case 8: {
        const n = r.count("canonical function", 1);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const canon = readCanon(r);
          add({ tag: "canon", canon, offset }, canon.tag === "lift" ? "func" : "core func");
        }
        r.expectEnd("canon section");
        break;
      }
      case 9: {
        const offset = r.pos;
        const func = r.u32();
        const na = r.count("start argument", 1);
        const args = new Array(na);
        for (let i = 0; i < na; i++) args[i] = r.u32();
        const results = r.u32();
        if (results > limits.maxVectorLength) {
          r.fail("limit-exceeded", "too many start results", offset);
        }
        const def: Definition = { tag: "start", func, args, results, offset };
        defs.push(def);
        for (let i = 0; i < results; i++) spaces.value.push(defs.length - 1);
        r.expectEnd("start section");
        break;
      }
      case 10: {
        const n = r.count("import", 3);
        checkDeclExterns(r, "imports", ast.imports.length + n);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const name = readExternName(r);
          const desc = readExternDesc(r);
          const imp: Import = { name, desc, offset };
          ast.imports.push(imp);
          add({ tag: "import", import: imp, offset }, EXTERN_SORT[desc.kind]);
        }
        r.expectEnd("import section");
        break;
      }
      case 11: {
        const n = r.count("export", 4);
        checkDeclExterns(r, "exports", ast.exports.length + n);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const name = readExternName(r);
          const sort = readSort(r);
          const index = r.u32();
          const hasType = r.u8();
          let desc: ExternDesc | undefined;
          if (hasType === 1) desc = readExternDesc(r);
          else if (hasType !== 0) r.badByte(hasType, "optional component export type");
          const exp: Export = { name, item: { sort, index }, desc, offset };
          ast.exports.push(exp);
          add({ tag: "export", export: exp, offset }, sort);
        }
        r.expectEnd("export section");
        break;
      }
      case 12: {
        const n = r.count("value", 2);
        for (let i = 0; i < n; i++) {
          const offset = r.pos;
          const type = readValType(r);
          const len = r.u32();
          const dataStart = r.pos;
          r.skip(len);
          add({ tag: "value", type, bytes: { start: dataStart, end: r.pos }, offset }, "value");
        }
        r.expectEnd("value section");
        break;
      }
    }
  }
  return ast;
}

function readCoreInstance(r: Reader): CoreInstanceDef {
  const b = r.u8();
  if (b === 0x00) {
    const module = r.u32();
    const n = r.count("instantiation argument", 3);
    const args = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const k = r.u8();
      if (k !== 0x12) r.badByte(k, "instantiation arg kind");
      args[i] = { name, instance: r.u32() };
    }
    return { tag: "instantiate", module, args };
  }
  if (b === 0x01) {
    const n = r.count("core instance export", 3);
    const exports = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const sort = readCoreSort(r, "core instance export kind");
      exports[i] = { name, sort, index: r.u32() };
    }
    return { tag: "exports", exports };
  }
  r.badByte(b, "core instance");
}

function readInstance(r: Reader): InstanceDef {
  const b = r.u8();
  if (b === 0x00) {
    const component = r.u32();
    const n = r.count("instantiation argument", 3);
    const args = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const sort = readSort(r);
      args[i] = { name, item: { sort, index: r.u32() } };
    }
    return { tag: "instantiate", component, args };
  }
  if (b === 0x01) {
    const n = r.count("instance export", 3);
    const exports = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = readExternName(r);
      const sort = readSort(r);
      exports[i] = { name, item: { sort, index: r.u32() } };
    }
    return { tag: "exports", exports };
  }
  r.badByte(b, "instance");
}
