/**
 * A core module read only as far as its interface: section headers, imports, exports, the sizes of
 * its index spaces and custom sections. Function bodies and data are skipped by their sizes.
 */
import type {
  CoreExternDesc,
  CoreLimits,
  CoreModuleAst,
  CustomSection,
  SectionHeader,
} from "./_ast.ts";
import { readCoreExternDesc, readLimits } from "./_parse_types.ts";
import { Reader } from "./_reader.ts";

const SECTION_NAMES: Record<number, string> = {
  0: "custom",
  1: "type",
  2: "import",
  3: "function",
  4: "table",
  5: "memory",
  6: "global",
  7: "export",
  8: "start",
  9: "element",
  10: "code",
  11: "data",
  12: "data count",
  13: "tag",
};

/** The required order of the non-custom sections of a core module. */
const ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

const EXPORT_KINDS: Record<number, CoreExternDesc["kind"]> = {
  0: "func",
  1: "table",
  2: "memory",
  3: "global",
  4: "tag",
};

/** Reads the core module in `r` (positioned after its 8-byte header) up to `r.end`. */
export function readCoreModule(r: Reader, start: number): CoreModuleAst {
  const sections: SectionHeader[] = [];
  const customs: CustomSection[] = [];
  const imports: CoreModuleAst["imports"] = [];
  const exports: CoreModuleAst["exports"] = [];
  const counts = { func: 0, table: 0, memory: 0, global: 0, tag: 0, type: 0 };
  const memories: CoreLimits[] = [];
  let last = 0;
  let funcDecls = -1;
  let codeCount = -1;
  // One reader for every section's contents (a reader per section was an allocation each).
  const body = new Reader(r.bytes, r.limits, r.pos, r.pos);
  while (!r.eof()) {
    const offset = r.pos;
    const id = r.u8();
    const size = r.u32();
    r.need(size);
    body.pos = r.pos;
    body.end = r.pos + size;
    r.skip(size);
    const kind = SECTION_NAMES[id];
    if (kind === undefined) {
      r.fail("invalid-byte", `unknown section id 0x${id.toString(16)} in a core module`, offset);
    }
    if (sections.length >= r.limits.maxSections) {
      r.fail("limit-exceeded", `more than ${r.limits.maxSections} sections`, offset);
    }
    sections.push({ id, kind, offset, contents: { start: body.pos, end: body.end } });
    if (id === 0) {
      const name = body.name();
      customs.push({ name, data: { start: body.pos, end: body.end } });
      continue;
    }
    const order = ORDER[id];
    if (order <= last) r.fail("section-order", `section out of order: ${kind} section`, offset);
    last = order;
    switch (id) {
      case 1:
        counts.type = body.count("type", 1);
        break;
      case 2: {
        const n = body.count("import", 3);
        for (let i = 0; i < n; i++) {
          const module = body.name();
          const name = body.name();
          const desc = readCoreExternDesc(body);
          imports.push({ module, name, desc });
          counts[desc.kind]++;
        }
        body.expectEnd("import section");
        break;
      }
      case 3:
        funcDecls = body.count("function", 1);
        counts.func += funcDecls;
        break;
      case 4:
        counts.table += body.count("table", 1);
        break;
      case 5: {
        const n = body.count("memory", 2);
        counts.memory += n;
        for (let i = 0; i < n; i++) memories.push(readLimits(body, true));
        break;
      }
      case 6:
        counts.global += body.count("global", 1);
        break;
      case 13:
        counts.tag += body.count("tag", 1);
        break;
      case 7: {
        const n = body.count("export", 2);
        for (let i = 0; i < n; i++) {
          const name = body.name();
          const at = body.pos;
          const k = body.u8();
          const kind = EXPORT_KINDS[k];
          if (kind === undefined) body.badByte(k, "external kind", at);
          exports.push({ name, kind, index: body.u32() });
        }
        body.expectEnd("export section");
        break;
      }
      case 10:
        codeCount = body.count("function body", 1);
        break;
    }
  }
  if ((funcDecls > 0 || codeCount > 0) && funcDecls !== codeCount && codeCount >= 0) {
    r.fail("invalid-section-size", "function and code section have inconsistent lengths", r.end);
  }
  if (funcDecls > 0 && codeCount < 0) {
    r.fail("invalid-section-size", "function and code section have inconsistent lengths", r.end);
  }
  return {
    kind: "module",
    range: { start, end: r.end },
    sections,
    imports,
    exports,
    counts,
    memories,
    customs,
  };
}
