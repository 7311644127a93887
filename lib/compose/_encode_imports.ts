/**
 * Encodes the imports of a composed component from the checked types of the components that
 * need them. Each import is written as the type its components expect: an instance type whose
 * resources are declared once (`(export "r" (type (sub resource)))`) and whose types that come
 * from another import are aliased (`alias export` outside, `alias outer` inside), so resources
 * keep one identity across every component that imports them. An import several components
 * share is written once, with the union of their exports. Imports are written after the imports
 * their types use.
 */
import type {
  DefKind,
  DefType,
  Entity,
  FuncType,
  Item,
  ResourceId,
  ResType,
  ValType,
} from "../component/mod.ts";
import { ByteWriter } from "../component/mod.ts";
import type { PrimitiveType } from "../wit/mod.ts";
import {
  type ComponentBuilder,
  type ExternDesc,
  type OuterSort,
  writeExternDesc,
} from "./_builder.ts";
import { ComposeError } from "./_error.ts";

/** Where a type used by an import comes from. */
export type TypeRef =
  /** A type (or resource) exported by an import of the result, or a type import of it. */
  | { kind: "result"; import: string; export?: string }
  /** A type of an import that a plug fills: an import of the result cannot refer to it. */
  | {
    kind: "filled";
    description: string;
    /** The node that fills the import the type comes from, and its export that is the type. */
    node?: number;
    export?: string;
  };

/** How to find, for one component, where the types its import types mention come from. */
export interface TypeContext {
  /** The component, for messages. */
  label: string;
  typeRef(t: object): TypeRef | undefined;
  resourceRef(r: ResourceId): TypeRef | undefined;
}

/** One component's view of an import of the result. */
export interface ImportPart {
  entity: Entity;
  ctx: TypeContext;
}

/** An import of the result and the components that need it (the first one leads). */
export interface ResultImport {
  name: string;
  parts: ImportPart[];
}

const PRIMITIVE_BYTE: Record<PrimitiveType, number> = {
  bool: 0x7f,
  s8: 0x7e,
  u8: 0x7d,
  s16: 0x7c,
  u16: 0x7b,
  s32: 0x7a,
  u32: 0x79,
  s64: 0x78,
  u64: 0x77,
  f32: 0x76,
  f64: 0x75,
  char: 0x74,
  string: 0x73,
  "error-context": 0x64,
};

/** A type index space being written: the outer component, or an instance type inside it. */
interface Scope {
  readonly kind: "outer" | "instance";
  /** The import an instance scope describes. */
  readonly importName?: string;
  /** Semantic type (by identity) → index in this scope. */
  readonly local: Map<object, number>;
  readonly localResources: Map<ResourceId, number>;
  /** Type exports of an instance scope by name. */
  readonly byExport: Map<string, number>;
  /** Outer type index → its `alias outer` in this scope. */
  readonly outerAliases: Map<number, number>;
  define(body: Uint8Array): number;
}

class InstanceScope implements Scope {
  readonly kind = "instance";
  readonly local = new Map<object, number>();
  readonly localResources = new Map<ResourceId, number>();
  readonly byExport = new Map<string, number>();
  readonly outerAliases = new Map<number, number>();
  private readonly decls: Uint8Array[] = [];
  private types = 0;
  constructor(readonly importName: string) {}

  define(body: Uint8Array): number {
    const w = new ByteWriter(body.length + 1);
    this.decls.push(w.u8(0x01).bytes(body).finish());
    return this.types++;
  }

  aliasOuter(index: number): number {
    const hit = this.outerAliases.get(index);
    if (hit !== undefined) return hit;
    this.decls.push(new ByteWriter(8).u8(0x02).u8(0x03).u8(0x02).u32(1).u32(index).finish());
    this.outerAliases.set(index, this.types);
    return this.types++;
  }

  exportDecl(name: string, desc: ExternDesc): number {
    const w = new ByteWriter();
    w.u8(0x04).u8(0x00).name(name);
    writeExternDesc(w, desc);
    this.decls.push(w.finish());
    return desc.kind === "type" ? this.types++ : -1;
  }

  finish(): Uint8Array {
    const w = new ByteWriter();
    w.u8(0x42).u32(this.decls.length);
    for (const d of this.decls) w.bytes(d);
    return w.finish();
  }
}

type Encoded = { prim: number } | { index: number };

function writeVal(w: ByteWriter, v: Encoded): ByteWriter {
  return "prim" in v ? w.u8(v.prim) : w.s33(v.index);
}

function writeOptVal(w: ByteWriter, v: Encoded | undefined): ByteWriter {
  return v === undefined ? w.u8(0x00) : writeVal(w.u8(0x01), v);
}

/** Writes the imports of the result into a {@link ComponentBuilder}. */
export class ImportsEncoder {
  /** Import name → its sort and index once written. */
  readonly written = new Map<string, { sort: OuterSort; index: number }>();
  private readonly inProgress = new Set<string>();
  private readonly outer: Scope;
  /** `import\0export` → the outer type index of that alias. */
  private readonly exportAliases = new Map<string, number>();

  constructor(
    private readonly builder: ComponentBuilder,
    private readonly imports: Map<string, ResultImport>,
  ) {
    this.outer = {
      kind: "outer",
      local: new Map(),
      localResources: new Map(),
      byExport: new Map(),
      outerAliases: new Map(),
      define: (body) => builder.type(body),
    };
  }

  /** Writes every import (each after the imports it depends on). */
  writeAll(): void {
    for (const name of this.imports.keys()) this.ensure(name);
  }

  /** Writes import `name` if it is not written yet; returns its sort and index. */
  ensure(name: string): { sort: OuterSort; index: number } {
    const done = this.written.get(name);
    if (done !== undefined) return done;
    const imp = this.imports.get(name);
    if (imp === undefined) {
      throw new ComposeError("unsupported", `a type refers to \`${name}\`, which is not imported`);
    }
    if (this.inProgress.has(name)) {
      throw new ComposeError(
        "unsupported",
        `the types of import \`${name}\` depend on themselves through other imports`,
      );
    }
    this.inProgress.add(name);
    const out = this.writeImport(imp);
    this.inProgress.delete(name);
    this.written.set(name, out);
    return out;
  }

  private writeImport(imp: ResultImport): { sort: OuterSort; index: number } {
    const lead = imp.parts[0];
    const e = lead.entity;
    switch (e.kind) {
      case "instance": {
        const type = this.instanceType(imp);
        const index = this.builder.import(imp.name, { kind: "instance", type });
        return { sort: "instance", index };
      }
      case "func": {
        const type = this.funcType(e.type, this.outer, lead.ctx);
        const index = this.builder.import(imp.name, { kind: "func", type });
        return { sort: "func", index };
      }
      case "type": {
        const created = e.created;
        let index: number;
        if (created.tag === "resource") {
          const ref = lead.ctx.resourceRef(created.resource);
          if (ref?.kind === "result" && ref.import === imp.name && ref.export === undefined) {
            index = this.builder.import(imp.name, { kind: "type", subResource: true });
          } else {
            const eq = this.typeIndex(e.referenced as ResType, this.outer, lead.ctx);
            index = this.builder.import(imp.name, { kind: "type", eq });
          }
          this.outer.localResources.set(created.resource, index);
        } else if (e.referenced.tag === "defined") {
          const eq = this.typeIndex(e.referenced, this.outer, lead.ctx);
          index = this.builder.import(imp.name, { kind: "type", eq });
        } else {
          throw new ComposeError(
            "unsupported",
            `import \`${imp.name}\` of ${lead.ctx.label} imports a ${e.referenced.tag} type, which wreg does not compose yet`,
          );
        }
        for (const p of imp.parts) {
          if (p.entity.kind === "type") this.outer.local.set(p.entity.created, index);
        }
        return { sort: "type", index };
      }
      default:
        throw new ComposeError(
          "unsupported",
          `import \`${imp.name}\` of ${lead.ctx.label} is a ${e.kind}, which wreg does not compose yet`,
        );
    }
  }

  /** The instance type of an instance import: the union of what its components expect. */
  private instanceType(imp: ResultImport): number {
    const scope = new InstanceScope(imp.name);
    const seen = new Set<string>();
    for (const part of imp.parts) {
      if (part.entity.kind !== "instance") continue;
      for (const [name, item] of part.entity.type.exports) {
        if (seen.has(name)) continue;
        seen.add(name);
        this.instanceExport(scope, name, item, part.ctx);
      }
    }
    return this.builder.type(scope.finish());
  }

  private instanceExport(scope: InstanceScope, name: string, item: Item, ctx: TypeContext): void {
    const e = item.entity;
    switch (e.kind) {
      case "type": {
        const created = e.created;
        let index: number;
        if (created.tag === "resource") {
          const ref = ctx.resourceRef(created.resource);
          if (ref?.kind === "result" && ref.import === scope.importName && ref.export === name) {
            index = scope.exportDecl(name, { kind: "type", subResource: true });
          } else {
            const eq = this.typeIndex(e.referenced as ResType, scope, ctx);
            index = scope.exportDecl(name, { kind: "type", eq });
          }
          scope.localResources.set(created.resource, index);
        } else if (e.referenced.tag === "defined") {
          const eq = this.typeIndex(e.referenced, scope, ctx);
          index = scope.exportDecl(name, { kind: "type", eq });
        } else {
          throw new ComposeError(
            "unsupported",
            `export \`${name}\` of import \`${scope.importName}\` (${ctx.label}) is a ${e.referenced.tag} type, which wreg does not compose yet`,
          );
        }
        scope.local.set(created, index);
        scope.byExport.set(name, index);
        return;
      }
      case "func": {
        const type = this.funcType(e.type, scope, ctx);
        scope.exportDecl(name, { kind: "func", type });
        return;
      }
      default:
        throw new ComposeError(
          "unsupported",
          `export \`${name}\` of import \`${scope.importName}\` (${ctx.label}) is a ${e.kind}, which wreg does not compose yet`,
        );
    }
  }

  /** The index in `scope` of a type a component's import mentions. */
  private refIndex(ref: TypeRef, scope: Scope, ctx: TypeContext, what: string): number {
    if (ref.kind === "filled") {
      throw new ComposeError(
        "unsupported",
        `an import of the result would use ${what} of ${ref.description} (${ctx.label}); import it too, or fill the import that uses it`,
      );
    }
    if (scope.kind === "instance" && ref.import === scope.importName && ref.export !== undefined) {
      const hit = scope.byExport.get(ref.export);
      if (hit === undefined) {
        throw new ComposeError(
          "unsupported",
          `import \`${ref.import}\` uses its type \`${ref.export}\` before declaring it`,
        );
      }
      return hit;
    }
    const outer = this.outerIndex(ref);
    return scope instanceof InstanceScope ? scope.aliasOuter(outer) : outer;
  }

  /** The outer type index of an import's type export (aliased once) or of a type import. */
  private outerIndex(ref: TypeRef & { kind: "result" }): number {
    const imported = this.ensure(ref.import);
    if (ref.export === undefined) {
      if (imported.sort !== "type") {
        throw new ComposeError("unsupported", `\`${ref.import}\` is not a type import`);
      }
      return imported.index;
    }
    const key = `${ref.import}\0${ref.export}`;
    const hit = this.exportAliases.get(key);
    if (hit !== undefined) return hit;
    const index = this.builder.aliasExport("type", imported.index, ref.export);
    this.exportAliases.set(key, index);
    return index;
  }

  private typeIndex(t: DefType | ResType, scope: Scope, ctx: TypeContext): number {
    const hit = scope.local.get(t);
    if (hit !== undefined) return hit;
    let index: number;
    const named = t.tag === "resource" ? this.namedRef(t, scope, ctx) : undefined;
    if (named !== undefined) {
      // A resource type that is a named export of an import (`headers`, an alias of `fields`):
      // refer to that export, so the alias stays an alias under its own name.
      index = this.refIndex(named, scope, ctx, "a resource");
    } else if (t.tag === "resource") {
      const res = scope.localResources.get(t.resource);
      if (res !== undefined) index = res;
      else {
        const ref = ctx.resourceRef(t.resource);
        if (ref === undefined) {
          throw new ComposeError(
            "unsupported",
            `an import of the result would use a resource that ${ctx.label} defines itself`,
          );
        }
        index = this.refIndex(ref, scope, ctx, "a resource");
        scope.localResources.set(t.resource, index);
      }
    } else {
      const ref = ctx.typeRef(t);
      // A value type of an import a plug fills (wasi:http/types' `duration`, a u64 of
      // wasi:clocks/monotonic-clock) is written out where it is used, as wasm-tools compose does:
      // only a resource needs the import it comes from (refused below, through `defined`).
      if (ref !== undefined && ref.kind !== "filled") {
        index = this.refIndex(ref, scope, ctx, "a type");
      } else if (t.aliasOf !== undefined) index = this.typeIndex(t.aliasOf, scope, ctx);
      else index = scope.define(this.defined(t.def, scope, ctx));
    }
    scope.local.set(t, index);
    return index;
  }

  /**
   * Where a resource type comes from by name, when it is an export of another import of the
   * result, or an export of this instance that is declared already; `undefined` otherwise (the
   * resource is then found by its identity).
   */
  private namedRef(t: ResType, scope: Scope, ctx: TypeContext): TypeRef | undefined {
    const ref = ctx.typeRef(t);
    if (ref === undefined || ref.kind !== "result" || ref.export === undefined) return undefined;
    if (scope.kind === "instance" && ref.import === scope.importName) {
      return scope.byExport.has(ref.export) ? ref : undefined;
    }
    return ref;
  }

  private val(t: ValType, scope: Scope, ctx: TypeContext): Encoded {
    if (typeof t === "string") return { prim: PRIMITIVE_BYTE[t] };
    return { index: this.typeIndex(t, scope, ctx) };
  }

  private optVal(t: ValType | undefined, scope: Scope, ctx: TypeContext): Encoded | undefined {
    return t === undefined ? undefined : this.val(t, scope, ctx);
  }

  private defined(d: DefKind, scope: Scope, ctx: TypeContext): Uint8Array {
    const w = new ByteWriter();
    const val = (t: ValType) => this.val(t, scope, ctx);
    switch (d.k) {
      case "primitive":
        w.u8(PRIMITIVE_BYTE[d.type]);
        break;
      case "record": {
        const fields = d.fields.map((f) => [f.name, val(f.type)] as const);
        w.u8(0x72).u32(fields.length);
        for (const [n, v] of fields) writeVal(w.name(n), v);
        break;
      }
      case "variant": {
        const cases = d.cases.map((c) => [c.name, this.optVal(c.type, scope, ctx)] as const);
        w.u8(0x71).u32(cases.length);
        for (const [n, v] of cases) writeOptVal(w.name(n), v).u8(0x00);
        break;
      }
      case "list": {
        const v = val(d.element);
        if (d.length === undefined) writeVal(w.u8(0x70), v);
        else writeVal(w.u8(0x67), v).u32(d.length);
        break;
      }
      case "tuple": {
        const types = d.types.map(val);
        w.u8(0x6f).u32(types.length);
        for (const v of types) writeVal(w, v);
        break;
      }
      case "flags":
        w.u8(0x6e).u32(d.names.length);
        for (const n of d.names) w.name(n);
        break;
      case "enum":
        w.u8(0x6d).u32(d.names.length);
        for (const n of d.names) w.name(n);
        break;
      case "option":
        writeVal(w.u8(0x6b), val(d.type));
        break;
      case "result": {
        const ok = this.optVal(d.ok, scope, ctx), err = this.optVal(d.err, scope, ctx);
        writeOptVal(writeOptVal(w.u8(0x6a), ok), err);
        break;
      }
      case "own":
      case "borrow": {
        const r = this.typeIndex(d.resource, scope, ctx);
        w.u8(d.k === "own" ? 0x69 : 0x68).u32(r);
        break;
      }
      case "future":
      case "stream":
        writeOptVal(w.u8(d.k === "future" ? 0x65 : 0x66), this.optVal(d.type, scope, ctx));
        break;
      case "map": {
        const k = val(d.key), v = val(d.value);
        writeVal(writeVal(w.u8(0x63), k), v);
        break;
      }
    }
    return w.finish();
  }

  private funcType(f: FuncType, scope: Scope, ctx: TypeContext): number {
    const params = f.params.map((p) => [p.name, this.val(p.type, scope, ctx)] as const);
    const result = this.optVal(f.result, scope, ctx);
    const w = new ByteWriter();
    w.u8(f.async ? 0x43 : 0x40).u32(params.length);
    for (const [n, v] of params) writeVal(w.name(n), v);
    if (result === undefined) w.u8(0x01).u8(0x00);
    else writeVal(w.u8(0x00), result);
    return scope.define(w.finish());
  }
}
