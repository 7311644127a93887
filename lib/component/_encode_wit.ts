/**
 * Encoding a WIT package as a binary (the form `wasm-tools component wit --wasm` and `wkg`
 * write): one exported component type per interface (importing the interfaces it uses) and per
 * world (wrapping the world's component type), the `package-docs` custom section and a
 * `producers` section.
 */
import type { PackageId, Resolve } from "../wit/mod.ts";
import { interfaceIdOf } from "../wit/mod.ts";
import { encodeWorldType, interfacePackageTypeBuilder, TypeScopeBuilder } from "./_encode_types.ts";
import { ComponentEncodeError } from "./_error.ts";
import { encodePackageDocs, PACKAGE_DOCS_SECTION } from "./_package_docs.ts";
import { build, ByteWriter } from "./_writer.ts";

/** The tool named in the `producers` section of what wreg writes. */
export const PRODUCER = { name: "wreg", version: "0.1.0" };

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/** Options of {@link encodeWitPackage}. */
export interface EncodeWitOptions {
  /** Write the `package-docs` section (docs and stability); default true. */
  docs?: boolean;
  /** Write a `producers` section naming wreg (or the given tool); default true. */
  producers?: boolean | { name: string; version: string };
}

/**
 * Encodes package `pkg` of `resolve` as a WIT package binary. Interfaces and worlds of other
 * packages that it uses are referenced by name (imported), as in wit-component.
 */
export function encodeWitPackage(
  resolve: Resolve,
  pkg: PackageId,
  options: EncodeWitOptions = {},
): Uint8Array {
  const p = resolve.packages[pkg];
  if (p === undefined) {
    throw new ComponentEncodeError("unknown-item", `package ${pkg} is not in the resolve`);
  }
  const w = new ByteWriter(1024);
  w.bytes(new Uint8Array(PREAMBLE));
  let typeIndex = 0;
  const emit = (name: string, componentType: Uint8Array) => {
    w.section(7, build((s) => s.u32(1).bytes(componentType)));
    const idx = typeIndex++;
    w.section(
      11,
      build((s) => {
        s.u32(1).u8(0x00).name(name);
        s.u8(0x03).u32(idx).u8(0x00);
      }),
    );
    typeIndex++; // the export of a type adds an index too
  };
  for (const [name, id] of p.interfaces) {
    if (resolve.interfaces[id].package !== pkg) {
      throw new ComponentEncodeError(
        "unsupported",
        `interface ${name} does not belong to package ${pkg}`,
      );
    }
    emit(name, interfacePackageTypeBuilder(resolve, id).finish());
  }
  for (const [name, id] of p.worlds) {
    const world = encodeWorldType(resolve, id);
    const wrapper = new TypeScopeBuilder("component");
    const inner = wrapper.type(world);
    wrapper.export(worldIdOf(resolve, pkg, name), { kind: "component", type: inner });
    emit(name, wrapper.finish());
  }
  if (options.docs !== false) {
    w.section(0, build((s) => s.name(PACKAGE_DOCS_SECTION).bytes(encodePackageDocs(resolve, pkg))));
  }
  if (options.producers !== false) {
    const tool = typeof options.producers === "object" ? options.producers : PRODUCER;
    const payload = build((s) => {
      s.name("producers").u32(1).name("processed-by").u32(1).name(tool.name).name(tool.version);
    });
    w.section(0, payload);
  }
  return w.finish();
}

function worldIdOf(resolve: Resolve, pkg: PackageId, world: string): string {
  const n = resolve.packages[pkg].name;
  const base = `${n.namespace}:${n.name}/${world}`;
  return n.version === undefined ? base : `${base}@${n.version}`;
}

export { interfaceIdOf };
