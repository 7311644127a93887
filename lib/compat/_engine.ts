/**
 * The subtype relation of the component model on the shared WIT model, written once.
 *
 * One walker compares an old and a new item (value type, function, interface, world) and emits a
 * {@link Change} for every difference, each flagged breaking or not. Which differences break is
 * fixed by which side is *expected*:
 *
 * - Value types and functions must be equal (the component model's subtyping is only relaxed for
 *   instance and component types; wasmparser checks type equality, and so do we). Records,
 *   variants, enums and flags are compared member by member, in order; named types are compared
 *   structurally (their names matter only as exports of an instance); resources are nominal and
 *   correspond across the two sides by their path (`ns:pkg/iface.name`, versions ignored; the
 *   roots being compared correspond to each other whatever their names).
 * - An instance type (interface) is a subtype of another when it has every item the expected side
 *   has, each equal; it may have more.
 * - A component type (world) is a subtype of another when its imports are a subset of the
 *   expected imports, each expected import a subtype of its own (contravariant), and its exports
 *   a superset of the expected exports, each a subtype of the expected one (covariant).
 *
 * The subtype tests stop at the first breaking difference; the compatibility checks collect all.
 */
import {
  dealias,
  formatWitPackageName,
  type Function,
  type Interface,
  type InterfaceId,
  isPrimitive,
  type Resolve,
  type Stability,
  type Type,
  type TypeDef,
  type TypeId,
  type TypeOwner,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../wit/mod.ts";
import {
  functionPathName,
  printCase,
  printField,
  printFunction,
  printGate,
  printType,
  printTypeDef,
  printWorldItem,
} from "./_print.ts";
import type { Bump, Change, ChangeKind } from "./_types.ts";

/** Which side of a comparison must be fully present in the other: `old` (covariant) or `new`. */
export type Expected = "old" | "new";

/** How a difference found inside a type relates to the place being compared. */
const EQ = 0, INSIDE = 1, HERE = 2;
type Diff = typeof EQ | typeof INSIDE | typeof HERE;

const worst = (a: Diff, b: Diff): Diff => (a > b ? a : b);

/** Why a removal or an addition breaks or does not, per direction. */
interface Why {
  removed: string;
  added: string;
}

const INTERFACE_WHY: Why = {
  removed: "users of the old version use it",
  added: "an addition",
};

const WORLD_WHY: Record<"world" | "component", Record<"import" | "export", Why>> = {
  world: {
    import: {
      removed: "components written for the old world import it",
      added: "hosts provide more",
    },
    export: {
      removed: "the new world may export less",
      added: "components written for the old world do not export it",
    },
  },
  component: {
    import: {
      removed: "the new component may import less",
      added: "hosts of the old component may not provide it",
    },
    export: {
      removed: "users of the old component use it",
      added: "the new component may export more",
    },
  },
};

/** Thrown (and caught by the subtype tests) at the first breaking change. */
export class StopAtBreaking {
  constructor(readonly change: Change) {}
}

/** The context of a comparison: whether a difference here breaks, and why. */
interface Ctx {
  breaking: boolean;
  reason?: string;
}

const PATCH_KINDS = new Set<ChangeKind>(["changed-docs", "changed-stability", "deprecated"]);

/** One side of a comparison: a resolve plus the names its roots take for identity and display. */
export class Side {
  /** Identity labels of interfaces (`i:<id>`) and worlds (`w:<id>`) being compared as roots. */
  readonly labels = new Map<string, string>();
  /**
   * Display paths of interfaces that have no name of their own (inline world interfaces), and of
   * worlds shown under another name (`w:<id>`: a component's own world is `component`).
   */
  readonly displays = new Map<string, string>();

  constructor(readonly r: Resolve) {}

  /** `ns:pkg/name` of an interface, without version; `undefined` for an anonymous one. */
  interfaceName(id: InterfaceId): string | undefined {
    const iface = this.r.interfaces[id];
    if (iface?.name === undefined || iface.package === undefined) return undefined;
    const p = this.r.packages[iface.package].name;
    return `${p.namespace}:${p.name}/${iface.name}`;
  }

  /** `ns:pkg/world` of a world, without version. */
  worldName(id: WorldId): string {
    const w = this.r.worlds[id];
    if (w.package === undefined) return w.name;
    const p = this.r.packages[w.package].name;
    return `${p.namespace}:${p.name}/${w.name}`;
  }

  /** The display path of a world: its {@link worldName}, unless given another. */
  worldPath(id: WorldId): string {
    return this.displays.get(`w:${id}`) ?? this.worldName(id);
  }

  /** The display path of an interface. */
  interfacePath(id: InterfaceId): string {
    return this.displays.get(`i:${id}`) ?? this.interfaceName(id) ?? `interface-${id}`;
  }

  private inlineNames?: Map<InterfaceId, string>;

  /**
   * The identity of an inline (anonymous) interface outside a comparison's roots: the name a world
   * imports or exports it under, as {@link Comparer.compareWorld} labels it.
   */
  private inlineLabel(id: InterfaceId): string {
    if (this.inlineNames === undefined) {
      this.inlineNames = new Map();
      for (const w of this.r.worlds) {
        for (const items of [w.imports, w.exports]) {
          for (const [key, item] of items) {
            if (typeof key === "string" && item.tag === "interface") {
              if (!this.inlineNames.has(item.id)) this.inlineNames.set(item.id, `@world/${key}`);
            }
          }
        }
      }
    }
    return this.inlineNames.get(id) ?? `#interface-${id}`;
  }

  private ownerLabel(owner: TypeOwner): string | undefined {
    if (owner === null) return undefined;
    if ("interface" in owner) {
      return this.labels.get(`i:${owner.interface}`) ?? this.interfaceName(owner.interface) ??
        this.inlineLabel(owner.interface);
    }
    return this.labels.get(`w:${owner.world}`) ?? `world ${this.worldName(owner.world)}`;
  }

  private ownerDisplay(owner: TypeOwner): string {
    if (owner === null) return "";
    if ("interface" in owner) return this.interfacePath(owner.interface);
    return this.worldPath(owner.world);
  }

  /** The identity of a named type (its owner's label and its name), or `undefined`. */
  typeKey(id: TypeId): string | undefined {
    const def = this.r.types[id];
    if (def.name === undefined) return undefined;
    const owner = this.ownerLabel(def.owner);
    return owner === undefined ? undefined : `${owner}.${def.name}`;
  }

  /** The display path of a named type: `ns:pkg/iface.name`. */
  typePath(id: TypeId): string {
    const def = this.r.types[id];
    const owner = this.ownerDisplay(def.owner);
    return owner === "" ? def.name ?? `type-${id}` : `${owner}.${def.name}`;
  }
}

function isAsync(f: Function): boolean {
  const t = f.kind.tag;
  return t === "async-freestanding" || t === "async-method" || t === "async-static";
}

function stabilityText(s: Stability): string {
  return printGate(s).trim() || "(no gate)";
}

/** The walker. Changes accumulate in {@link changes}. */
export class Comparer {
  readonly changes: Change[] = [];
  private readonly memo = new Map<string, { eq: boolean; changes: Change[] }>();

  /**
   * @param o the old side
   * @param n the new side
   * @param stop throw {@link StopAtBreaking} at the first breaking change (subtype tests)
   */
  constructor(readonly o: Side, readonly n: Side, readonly stop = false) {}

  /** Records a change; `bump` follows from `breaking` and the kind. */
  emit(
    kind: ChangeKind,
    path: string,
    breaking: boolean,
    old?: string,
    neu?: string,
    reason?: string,
  ): Change {
    const bump: Bump = breaking ? "major" : PATCH_KINDS.has(kind) ? "patch" : "minor";
    const c: Change = { path, kind, breaking, bump };
    if (old !== undefined) c.old = old;
    if (neu !== undefined) c.new = neu;
    if (reason !== undefined) c.reason = reason;
    this.changes.push(c);
    if (this.stop && breaking) throw new StopAtBreaking(c);
    return c;
  }

  /** Two snippets, qualified with their interfaces when they would print the same. */
  private snippets(
    f: (r: Resolve, qualify: boolean) => string,
    g: (r: Resolve, qualify: boolean) => string = f,
  ): [string, string] {
    const a = f(this.o.r, false), b = g(this.n.r, false);
    return a === b ? [f(this.o.r, true), g(this.n.r, true)] : [a, b];
  }

  private docs(path: string, o: string | undefined, n: string | undefined) {
    if ((o ?? "") !== (n ?? "")) {
      this.emit("changed-docs", path, false, o ?? "", n ?? "", "documentation only");
    }
  }

  private stability(path: string, o: Stability, n: Stability) {
    if (o.kind === "unknown" && n.kind === "stable" && n.deprecated === undefined) return;
    const od = o.kind === "unknown" ? undefined : o.deprecated;
    const nd = n.kind === "unknown" ? undefined : n.deprecated;
    if (nd !== undefined && od === undefined) {
      this.emit("deprecated", path, false, stabilityText(o), stabilityText(n), "a new annotation");
      return;
    }
    const same = o.kind === n.kind &&
      (o.kind !== "stable" || o.since === (n as typeof o).since) &&
      (o.kind !== "unstable" || o.feature === (n as typeof o).feature) && od === nd;
    if (!same && !(o.kind === "unknown" && n.kind === "stable")) {
      this.emit(
        "changed-stability",
        path,
        false,
        stabilityText(o),
        stabilityText(n),
        "feature-gate annotation only",
      );
    }
  }

  // ---------------------------------------------------------------- value types

  /**
   * Compares two type references and emits `kind` at `path` when they differ right here (a
   * difference inside a named type that both sides share is reported at that type's own path).
   * Returns whether they are equal.
   */
  compareRef(o: Type, n: Type, path: string, ctx: Ctx, kind: ChangeKind = "changed-type"): boolean {
    const d = this.refDiff(o, n, ctx);
    if (d === HERE) {
      const [a, b] = this.snippets((r, q) => printType(r, o, q), (r, q) => printType(r, n, q));
      this.emit(kind, path, ctx.breaking, a, b, ctx.reason ?? "value types must be equal");
    }
    return d === EQ;
  }

  private refDiff(o: Type, n: Type, ctx: Ctx): Diff {
    const a = dealias(this.o.r, o), b = dealias(this.n.r, n);
    if (isPrimitive(a) || isPrimitive(b)) return a === b ? EQ : HERE;
    const ka = this.o.typeKey(a), kb = this.n.typeKey(b);
    if (ka !== undefined && ka === kb) return this.named(a, b, ctx) ? EQ : INSIDE;
    const da = this.o.r.types[a], db = this.n.r.types[b];
    if (da.kind.tag === "resource" || db.kind.tag === "resource") return HERE;
    return this.structDiff(da, db, ctx);
  }

  private optDiff(o: Type | undefined, n: Type | undefined, ctx: Ctx): Diff {
    if (o === undefined || n === undefined) return o === n ? EQ : HERE;
    return this.refDiff(o, n, ctx);
  }

  /** Structural comparison of two definitions; emits nothing at this level. */
  private structDiff(da: TypeDef, db: TypeDef, ctx: Ctx): Diff {
    const a = da.kind, b = db.kind;
    if (a.tag !== b.tag) return HERE;
    switch (a.tag) {
      case "record": {
        const bf = (b as typeof a).fields;
        if (a.fields.length !== bf.length) return HERE;
        let d: Diff = EQ;
        for (let i = 0; i < bf.length; i++) {
          if (a.fields[i].name !== bf[i].name) return HERE;
          d = worst(d, this.refDiff(a.fields[i].type, bf[i].type, ctx));
        }
        return d;
      }
      case "variant": {
        const bc = (b as typeof a).cases;
        if (a.cases.length !== bc.length) return HERE;
        let d: Diff = EQ;
        for (let i = 0; i < bc.length; i++) {
          if (a.cases[i].name !== bc[i].name) return HERE;
          d = worst(d, this.optDiff(a.cases[i].type, bc[i].type, ctx));
        }
        return d;
      }
      case "enum": {
        const bc = (b as typeof a).cases;
        return a.cases.length === bc.length && a.cases.every((c, i) => c.name === bc[i].name)
          ? EQ
          : HERE;
      }
      case "flags": {
        const bf = (b as typeof a).flags;
        return a.flags.length === bf.length && a.flags.every((f, i) => f.name === bf[i].name)
          ? EQ
          : HERE;
      }
      case "list":
        return this.refDiff(a.element, (b as typeof a).element, ctx);
      case "fixed-length-list": {
        const x = b as typeof a;
        return a.length !== x.length ? HERE : this.refDiff(a.element, x.element, ctx);
      }
      case "option":
        return this.refDiff(a.type, (b as typeof a).type, ctx);
      case "map": {
        const x = b as typeof a;
        return worst(this.refDiff(a.key, x.key, ctx), this.refDiff(a.value, x.value, ctx));
      }
      case "tuple": {
        const bt = (b as typeof a).types;
        if (a.types.length !== bt.length) return HERE;
        let d: Diff = EQ;
        for (let i = 0; i < bt.length; i++) d = worst(d, this.refDiff(a.types[i], bt[i], ctx));
        return d;
      }
      case "result": {
        const x = b as typeof a;
        return worst(this.optDiff(a.ok, x.ok, ctx), this.optDiff(a.err, x.err, ctx));
      }
      case "handle": {
        const x = b as typeof a;
        if (a.handle !== x.handle) return HERE;
        return this.refDiff(a.resource, x.resource, ctx);
      }
      case "future":
      case "stream":
        return this.optDiff(a.type, (b as typeof a).type, ctx);
      case "type":
        return this.refDiff(a.type, (b as typeof a).type, ctx);
      case "resource":
      case "unknown":
        return HERE;
    }
  }

  /**
   * Compares two named definitions with the same identity, once per pair, reporting member-level
   * changes at the type's own path. A later comparison of the same pair in a breaking context
   * marks those changes breaking.
   */
  private named(a: TypeId, b: TypeId, ctx: Ctx): boolean {
    const key = `${a}:${b}`;
    const seen = this.memo.get(key);
    if (seen !== undefined) {
      if (ctx.breaking) {
        for (const c of seen.changes) {
          if (!c.breaking && !PATCH_KINDS.has(c.kind)) {
            c.breaking = true;
            c.bump = "major";
            c.reason = ctx.reason ?? "value types must be equal";
            if (this.stop) throw new StopAtBreaking(c);
          }
        }
      }
      return seen.eq;
    }
    const entry = { eq: true, changes: [] as Change[] };
    this.memo.set(key, entry);
    const start = this.changes.length;
    try {
      entry.eq = this.namedDiff(a, b, ctx);
    } finally {
      entry.changes = this.changes.slice(start);
    }
    return entry.eq;
  }

  private namedDiff(a: TypeId, b: TypeId, ctx: Ctx): boolean {
    const ro = this.o.r, rn = this.n.r;
    const da = ro.types[a], db = rn.types[b];
    const path = this.o.typePath(a);
    this.docs(path, da.docs, db.docs);
    this.stability(path, da.stability, db.stability);
    const ka = da.kind, kb = db.kind;
    const reason = ctx.reason ?? "value types must be equal";
    const changed = () => {
      this.emit(
        "changed-type",
        path,
        ctx.breaking,
        printTypeDef(ro, a),
        printTypeDef(rn, b),
        reason,
      );
      return false;
    };
    if (ka.tag !== kb.tag) return changed();
    switch (ka.tag) {
      case "resource":
        return true;
      case "record":
        return this.members(
          path,
          ka.fields,
          (kb as typeof ka).fields,
          ctx,
          {
            added: "added-field",
            removed: "removed-field",
            changed: "changed-field",
            reordered: "reordered-fields",
          },
          (r, f, q) => printField(r, f, q),
          (x, y) => this.refDiff(x.type, y.type, ctx),
        );
      case "variant":
        return this.members(
          path,
          ka.cases,
          (kb as typeof ka).cases,
          ctx,
          {
            added: "added-case",
            removed: "removed-case",
            changed: "changed-case",
            reordered: "reordered-cases",
          },
          (r, c, q) => printCase(r, c, q),
          (x, y) => this.optDiff(x.type, y.type, ctx),
        );
      case "enum":
        return this.members(path, ka.cases, (kb as typeof ka).cases, ctx, {
          added: "added-case",
          removed: "removed-case",
          changed: "changed-case",
          reordered: "reordered-cases",
        }, (_r, c) => c.name);
      case "flags":
        return this.members(path, ka.flags, (kb as typeof ka).flags, ctx, {
          added: "added-flag",
          removed: "removed-flag",
          changed: "changed-type",
          reordered: "reordered-flags",
        }, (_r, f) => f.name);
      default:
        return this.structDiff(da, db, ctx) === HERE ? changed() : this.refDiff(a, b, ctx) === EQ;
    }
  }

  /** Member-by-member comparison of fields, cases or flags (names and order must match). */
  private members<M extends { name: string; docs?: string }>(
    path: string,
    olds: M[],
    news: M[],
    ctx: Ctx,
    kinds: { added: ChangeKind; removed: ChangeKind; changed: ChangeKind; reordered: ChangeKind },
    print: (r: Resolve, m: M, qualify?: boolean) => string,
    cmp?: (o: M, n: M) => Diff,
  ): boolean {
    const reason = ctx.reason ?? "value types must be equal";
    let eq = true;
    const newBy = new Map(news.map((m) => [m.name, m]));
    const oldBy = new Map(olds.map((m) => [m.name, m]));
    for (const m of olds) {
      const n = newBy.get(m.name);
      const at = `${path}.${m.name}`;
      if (n === undefined) {
        this.emit(kinds.removed, at, ctx.breaking, print(this.o.r, m), undefined, reason);
        eq = false;
        continue;
      }
      const d = cmp === undefined ? EQ : cmp(m, n);
      if (d === HERE) {
        const [a, b] = this.snippets((r, q) => print(r, m, q), (r, q) => print(r, n, q));
        this.emit(kinds.changed, at, ctx.breaking, a, b, reason);
      }
      if (d !== EQ) eq = false;
      this.docs(at, m.docs, n.docs);
    }
    for (const n of news) {
      if (!oldBy.has(n.name)) {
        this.emit(
          kinds.added,
          `${path}.${n.name}`,
          ctx.breaking,
          undefined,
          print(this.n.r, n),
          reason,
        );
        eq = false;
      }
    }
    const oc = olds.filter((m) => newBy.has(m.name)).map((m) => m.name);
    const nc = news.filter((m) => oldBy.has(m.name)).map((m) => m.name);
    if (oc.some((name, i) => nc[i] !== name)) {
      this.emit(kinds.reordered, path, ctx.breaking, oc.join(", "), nc.join(", "), reason);
      eq = false;
    }
    return eq;
  }

  // ---------------------------------------------------------------- functions

  /** Compares two functions, which must be equal; returns whether they are. */
  compareFunction(of: Function, nf: Function, path: string, ctx: Ctx): boolean {
    const ro = this.o.r, rn = this.n.r;
    const reason = ctx.reason ?? "function types must be equal";
    const sub: Ctx = { breaking: ctx.breaking, reason };
    let eq = true;
    if (isAsync(of) !== isAsync(nf)) {
      this.emit(
        "changed-async",
        path,
        ctx.breaking,
        printFunction(ro, of),
        printFunction(rn, nf),
        reason,
      );
      eq = false;
    }
    const on = of.params.map((p) => p.name), nn = nf.params.map((p) => p.name);
    const param = (f: Function, i: number, r: Resolve) =>
      `${f.params[i].name}: ${printType(r, f.params[i].type)}`;
    if (on.length === nn.length && on.every((x, i) => x === nn[i])) {
      for (let i = 0; i < on.length; i++) {
        const at = `${path}.${on[i]}`;
        eq = this.compareRef(of.params[i].type, nf.params[i].type, at, sub, "changed-param") && eq;
      }
    } else {
      eq = false;
      const oldOnly = on.filter((x) => !nn.includes(x));
      const newOnly = nn.filter((x) => !on.includes(x));
      if (oldOnly.length === 0 && newOnly.length === 0) {
        this.emit("reordered-params", path, ctx.breaking, on.join(", "), nn.join(", "), reason);
        for (let i = 0; i < on.length; i++) {
          const j = nn.indexOf(on[i]);
          this.compareRef(
            of.params[i].type,
            nf.params[j].type,
            `${path}.${on[i]}`,
            sub,
            "changed-param",
          );
        }
      } else if (on.length === nn.length) {
        for (let i = 0; i < on.length; i++) {
          const at = `${path}.${on[i]}`;
          if (on[i] !== nn[i]) {
            this.emit(
              "renamed-param",
              at,
              ctx.breaking,
              param(of, i, ro),
              param(nf, i, rn),
              reason,
            );
          }
          this.compareRef(of.params[i].type, nf.params[i].type, at, sub, "changed-param");
        }
      } else {
        for (let i = 0; i < on.length; i++) {
          const j = nn.indexOf(on[i]);
          const at = `${path}.${on[i]}`;
          if (j < 0) {
            this.emit("removed-param", at, ctx.breaking, param(of, i, ro), undefined, reason);
          } else this.compareRef(of.params[i].type, nf.params[j].type, at, sub, "changed-param");
        }
        for (let j = 0; j < nn.length; j++) {
          if (!on.includes(nn[j])) {
            this.emit(
              "added-param",
              `${path}.${nn[j]}`,
              ctx.breaking,
              undefined,
              param(nf, j, rn),
              reason,
            );
          }
        }
      }
    }
    if (of.result === undefined || nf.result === undefined) {
      if (of.result !== nf.result) {
        this.emit(
          "changed-result",
          `${path}.result`,
          ctx.breaking,
          of.result === undefined ? "(none)" : printType(ro, of.result),
          nf.result === undefined ? "(none)" : printType(rn, nf.result),
          reason,
        );
        eq = false;
      }
    } else {
      eq = this.compareRef(of.result, nf.result, `${path}.result`, sub, "changed-result") && eq;
    }
    this.docs(path, of.docs, nf.docs);
    this.stability(path, of.stability, nf.stability);
    return eq;
  }

  // ---------------------------------------------------------------- instance types

  /**
   * Compares two interfaces as instance types. Every item of the `expected` side must be present
   * on the other side and equal; extra items on the other side are additions (or removals) that
   * do not break. `live` says which of the old side's types count (world imports only require
   * the types a component can reach); by default all do.
   */
  compareInterface(
    oi: InterfaceId,
    ni: InterfaceId,
    expected: Expected,
    live: (t: TypeId) => boolean = () => true,
    why: Why = INTERFACE_WHY,
  ): void {
    const ro = this.o.r, rn = this.n.r;
    const a: Interface = ro.interfaces[oi], b: Interface = rn.interfaces[ni];
    const path = this.o.interfacePath(oi);
    this.docs(path, a.docs, b.docs);
    for (const [name, ot] of a.types) {
      const nt = b.types.get(name);
      const at = `${path}.${name}`;
      const isLive = expected === "new" || live(ot);
      if (nt === undefined) {
        const breaking = expected === "old" && isLive;
        this.emit(
          ro.types[ot].kind.tag === "resource" ? "removed-resource" : "removed-type",
          at,
          breaking,
          printTypeDef(ro, ot),
          undefined,
          expected === "old" && !isLive ? "no function uses it" : why.removed,
        );
        continue;
      }
      this.compareTypeItem(ot, nt, at, {
        breaking: isLive,
        reason: isLive ? undefined : "no function uses it",
      });
    }
    for (const [name, nt] of b.types) {
      if (a.types.has(name)) continue;
      const breaking = expected === "new";
      this.emit(
        rn.types[nt].kind.tag === "resource" ? "added-resource" : "added-type",
        `${path}.${name}`,
        breaking,
        undefined,
        printGate(rn.types[nt].stability) + printTypeDef(rn, nt),
        why.added,
      );
    }
    for (const [name, of] of a.functions) {
      const nf = b.functions.get(name);
      const at = `${path}.${functionPathName(ro, of)}`;
      if (nf === undefined) {
        const breaking = expected === "old";
        this.emit("removed-function", at, breaking, printFunction(ro, of), undefined, why.removed);
        continue;
      }
      this.compareFunction(of, nf, at, { breaking: true });
    }
    for (const [name, nf] of b.functions) {
      if (a.functions.has(name)) continue;
      const breaking = expected === "new";
      this.emit(
        "added-function",
        `${path}.${functionPathName(rn, nf)}`,
        breaking,
        undefined,
        printGate(nf.stability) + printFunction(rn, nf),
        why.added,
      );
    }
    this.stability(path, a.stability, b.stability);
  }

  /** Compares two named type items (an interface's or a world's types). */
  compareTypeItem(ot: TypeId, nt: TypeId, path: string, ctx: Ctx): boolean {
    const ro = this.o.r, rn = this.n.r;
    const oa = ro.types[ot], na = rn.types[nt];
    const ores = ro.types[dealias(ro, ot) as TypeId]?.kind.tag === "resource";
    const nres = rn.types[dealias(rn, nt) as TypeId]?.kind.tag === "resource";
    if (oa.kind.tag === "type" || na.kind.tag === "type") {
      this.docs(path, oa.docs, na.docs);
      if (oa.kind.tag === "type" && na.kind.tag === "type") {
        this.stability(path, oa.stability, na.stability);
      }
    }
    if (ores || nres) {
      if (this.refDiff(ot, nt, ctx) === EQ) return true;
      const ro2 = dealias(ro, ot) as TypeId, rn2 = dealias(rn, nt) as TypeId;
      const moved = ores && nres && ro.types[ro2].name === rn.types[rn2].name;
      this.emit(
        moved ? "moved-resource" : "changed-type",
        path,
        ctx.breaking,
        moved ? this.o.typePath(ro2) : printTypeDef(ro, ot),
        moved ? this.n.typePath(rn2) : printTypeDef(rn, nt),
        ctx.reason ?? "a resource is identified by the interface that defines it",
      );
      return false;
    }
    const d = this.refDiff(ot, nt, ctx);
    if (d === HERE) {
      this.emit(
        "changed-type",
        path,
        ctx.breaking,
        printTypeDef(ro, ot),
        printTypeDef(rn, nt),
        ctx.reason ?? "value types must be equal",
      );
    }
    return d === EQ;
  }

  // ---------------------------------------------------------------- component types

  /**
   * Compares two worlds as component types. `mode` `world` is the direction of a world in a WIT
   * package (a component written for the old world must be valid for the new one: the old
   * imports are expected and only what a component can reach counts, the new exports are
   * expected); `component` is the direction of an implementation (the new component must be
   * usable wherever the old one was: the new imports and the old exports are expected).
   */
  compareWorld(ow: WorldId, nw: WorldId, mode: "world" | "component"): void {
    const ro = this.o.r, rn = this.n.r;
    const a = ro.worlds[ow], b = rn.worlds[nw];
    this.o.labels.set(`w:${ow}`, "@world");
    this.n.labels.set(`w:${nw}`, "@world");
    const path = this.o.worldPath(ow);
    for (const [side, w] of [[this.o, a], [this.n, b]] as const) {
      for (const items of [w.imports, w.exports]) {
        for (const [key, item] of items) {
          if (typeof key === "string" && item.tag === "interface") {
            side.labels.set(`i:${item.id}`, `@world/${key}`);
            side.displays.set(`i:${item.id}`, `${path}.${key}`);
          }
        }
      }
    }
    this.docs(path, a.docs, b.docs);
    const live = mode === "world" ? liveTypes(ro, ow) : undefined;
    const isLive = (t: TypeId) => live === undefined || live.has(t);
    const importsExpected: Expected = mode === "world" ? "old" : "new";
    const exportsExpected: Expected = mode === "world" ? "new" : "old";
    this.worldItems(path, "import", a.imports, b.imports, importsExpected, isLive, mode);
    this.worldItems(path, "export", a.exports, b.exports, exportsExpected, () => true, mode);
    this.stability(path, a.stability, b.stability);
  }

  private worldItems(
    path: string,
    dir: "import" | "export",
    olds: Map<WorldKey, WorldItem>,
    news: Map<WorldKey, WorldItem>,
    expected: Expected,
    live: (t: TypeId) => boolean,
    mode: "world" | "component",
  ): void {
    const ro = this.o.r, rn = this.n.r;
    const [oldBy, newBy] = pairItems(this.o, olds, this.n, news);
    const home = path.includes("/") ? path.slice(0, path.indexOf("/")) : undefined;
    const who = WORLD_WHY[mode][dir];
    for (const [name, [okey, oitem]] of oldBy) {
      const at = oitem.tag === "interface" && typeof okey === "number"
        ? this.o.interfacePath(oitem.id)
        : `${path}.${name}`;
      const found = newBy.get(name);
      if (found === undefined) {
        const required = expected === "old" && (dir === "export" || mode === "component" ||
          requiredImport(ro, oitem, live));
        const kind: ChangeKind = dir === "import" ? "removed-import" : "removed-export";
        this.emit(
          kind,
          at,
          required,
          printWorldItem(ro, dir, worldLabel(this.o, okey), oitem),
          undefined,
          expected === "old" && !required ? "nothing in it is used" : who.removed,
        );
        continue;
      }
      const [nkey, nitem] = found;
      if (oitem.tag !== nitem.tag) {
        this.emit(
          dir === "import" ? "changed-import" : "changed-export",
          at,
          true,
          printWorldItem(ro, dir, worldLabel(this.o, okey), oitem),
          printWorldItem(rn, dir, worldLabel(this.n, nkey), nitem),
          `a ${oitem.tag} became a ${nitem.tag}`,
        );
        continue;
      }
      if (oitem.tag === "interface" && nitem.tag === "interface") {
        this.versionChange(at, oitem.id, nitem.id, home);
        const required = expected === "new" || dir === "export" || mode === "component" ||
          requiredImport(ro, oitem, live);
        if (required) this.compareInterface(oitem.id, nitem.id, expected, live, who);
        else this.quietly(() => this.compareInterface(oitem.id, nitem.id, expected, live, who));
        this.stability(at, oitem.stability, nitem.stability);
      } else if (oitem.tag === "function" && nitem.tag === "function") {
        this.compareFunction(oitem.func, nitem.func, at, { breaking: true });
      } else if (oitem.tag === "type" && nitem.tag === "type") {
        this.compareTypeItem(oitem.id, nitem.id, at, { breaking: true });
      }
    }
    for (const [name, [nkey, nitem]] of newBy) {
      if (oldBy.has(name)) continue;
      const at = nitem.tag === "interface" && typeof nkey === "number"
        ? this.n.interfacePath(nitem.id)
        : `${path}.${name}`;
      const breaking = expected === "new";
      const gate = nitem.tag === "interface"
        ? printGate(nitem.stability)
        : nitem.tag === "function"
        ? printGate(nitem.func.stability)
        : "";
      this.emit(
        dir === "import" ? "added-import" : "added-export",
        at,
        breaking,
        undefined,
        gate + printWorldItem(rn, dir, worldLabel(this.n, nkey), nitem),
        who.added,
      );
    }
  }

  /** Runs `f` with every change it emits marked non-breaking (items nothing can reach). */
  private quietly(f: () => void) {
    const start = this.changes.length;
    const stop = this.stop;
    (this as { stop: boolean }).stop = false;
    try {
      f();
    } finally {
      (this as { stop: boolean }).stop = stop;
    }
    for (const c of this.changes.slice(start)) {
      if (c.breaking) {
        c.breaking = false;
        c.bump = "minor";
        c.reason = "nothing in this import is used";
      }
    }
  }

  /**
   * Reports a foreign interface (one outside `home`, the world's own package) referenced at
   * another version; breaking across semver series.
   */
  private versionChange(path: string, oi: InterfaceId, ni: InterfaceId, home?: string) {
    const ro = this.o.r, rn = this.n.r;
    const a = ro.interfaces[oi], b = rn.interfaces[ni];
    if (a.package === undefined || b.package === undefined) return;
    const own = ro.packages[a.package].name;
    if (`${own.namespace}:${own.name}` === home) return;
    const ov = ro.packages[a.package].name.version, nv = rn.packages[b.package].name.version;
    if (ov === nv) return;
    const breaking = ov === undefined || nv === undefined || series(ov) !== series(nv);
    this.emit(
      "changed-version",
      path,
      breaking,
      formatWitPackageName(ro.packages[a.package].name),
      formatWitPackageName(rn.packages[b.package].name),
      breaking
        ? "an import or export of one semver series is not satisfied by another"
        : "same semver series",
    );
  }
}

/** The semver series of a version string: `X`, `0.Y` or `0.0.Z` (pre-release parts kept). */
function series(v: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(-[^+]*)?/.exec(v);
  if (m === null) return v;
  const pre = m[4] ?? "";
  if (pre !== "") return v.replace(/\+.*$/, "");
  if (m[1] !== "0") return m[1];
  if (m[2] !== "0") return `0.${m[2]}`;
  return `0.0.${m[3]}`;
}

/** The name of a world key on a side: the versionless interface name, or the plain name. */
function worldLabel(side: Side, key: WorldKey): string {
  return typeof key === "number" ? side.interfaceName(key) ?? `interface-${key}` : key;
}

/** The package version of an interface key, if any. */
function keyVersion(side: Side, key: WorldKey): string | undefined {
  if (typeof key !== "number") return undefined;
  const pkg = side.r.interfaces[key].package;
  return pkg === undefined ? undefined : side.r.packages[pkg].name.version;
}

type Keyed = Map<string, [WorldKey, WorldItem]>;

/**
 * Pairs the items of two worlds: by name, interfaces by their versionless name. When a world
 * holds several versions of one interface, the same version pairs first, then the same semver
 * series, then a lone remaining one on each side; an old version left over pairs with a new one
 * of its series (imports merged into one version). Paired items get the same label.
 */
function pairItems(
  o: Side,
  olds: Map<WorldKey, WorldItem>,
  n: Side,
  news: Map<WorldKey, WorldItem>,
): [Keyed, Keyed] {
  const group = (side: Side, items: Map<WorldKey, WorldItem>) => {
    const out = new Map<string, [WorldKey, WorldItem][]>();
    for (const [key, item] of items) {
      const name = worldLabel(side, key);
      const list = out.get(name) ?? [];
      list.push([key, item]);
      out.set(name, list);
    }
    return out;
  };
  const og = group(o, olds), ng = group(n, news);
  const ok: Keyed = new Map(), nk: Keyed = new Map();
  for (const [name, os] of og) {
    const ns = ng.get(name) ?? [];
    if (os.length === 1 && ns.length <= 1) {
      ok.set(name, os[0]);
      if (ns.length === 1) nk.set(name, ns[0]);
      continue;
    }
    const left = [...os], right = [...ns];
    const take = (match: (a: string | undefined, b: string | undefined) => boolean) => {
      for (const a of [...left]) {
        const av = keyVersion(o, a[0]);
        const i = right.findIndex((b) => match(av, keyVersion(n, b[0])));
        if (i < 0) continue;
        const label = `${name}@${av ?? ""}`;
        ok.set(label, a);
        nk.set(label, right[i]);
        left.splice(left.indexOf(a), 1);
        right.splice(i, 1);
      }
    };
    const sameSeries = (a: string | undefined, b: string | undefined) =>
      a !== undefined && b !== undefined && series(a) === series(b);
    take((a, b) => a === b);
    take(sameSeries);
    if (left.length === 1 && right.length === 1) take(() => true);
    // Several old versions of one series now served by one new version: each pairs with it.
    for (const a of [...left]) {
      const av = keyVersion(o, a[0]);
      const b = ns.find((x) => sameSeries(av, keyVersion(n, x[0])));
      if (b === undefined) continue;
      ok.set(`${name}@${av}`, a);
      nk.set(`${name}@${av}`, b);
      left.splice(left.indexOf(a), 1);
    }
    for (const a of left) ok.set(`${name}@${keyVersion(o, a[0]) ?? ""}`, a);
    for (const b of right) nk.set(`${name}@${keyVersion(n, b[0]) ?? ""}#new`, b);
  }
  for (const [name, ns] of ng) {
    if (og.has(name)) continue;
    if (ns.length === 1) nk.set(name, ns[0]);
    else for (const b of ns) nk.set(`${name}@${keyVersion(n, b[0]) ?? ""}`, b);
  }
  return [ok, nk];
}

/** Whether a component written for a world needs this import: it has a function or a live type. */
function requiredImport(r: Resolve, item: WorldItem, live: (t: TypeId) => boolean): boolean {
  if (item.tag !== "interface") return true;
  const iface = r.interfaces[item.id];
  if (iface.functions.size > 0) return true;
  for (const t of iface.types.values()) if (live(t)) return true;
  return false;
}

/**
 * The types a component targeting world `w` can reach, as wit-component encodes such a
 * component: every type in the signature of a function it imports or exports, every type of an
 * exported interface, every resource of an imported interface, every world-level type, and
 * everything those refer to.
 */
export function liveTypes(r: Resolve, w: WorldId): Set<TypeId> {
  const live = new Set<TypeId>();
  const stack: TypeId[] = [];
  const add = (t: Type | undefined) => {
    if (t === undefined || isPrimitive(t) || live.has(t)) return;
    live.add(t);
    stack.push(t);
  };
  const fn = (f: Function) => {
    for (const p of f.params) add(p.type);
    add(f.result);
  };
  const world = r.worlds[w];
  for (const item of world.imports.values()) {
    if (item.tag === "interface") {
      const iface = r.interfaces[item.id];
      for (const f of iface.functions.values()) fn(f);
      for (const t of iface.types.values()) {
        if (r.types[t].kind.tag === "resource") add(t);
      }
    } else if (item.tag === "function") fn(item.func);
    else add(item.id);
  }
  for (const item of world.exports.values()) {
    if (item.tag === "interface") {
      const iface = r.interfaces[item.id];
      for (const f of iface.functions.values()) fn(f);
      for (const t of iface.types.values()) add(t);
    } else if (item.tag === "function") fn(item.func);
    else add(item.id);
  }
  while (stack.length > 0) {
    const k = r.types[stack.pop()!].kind;
    switch (k.tag) {
      case "record":
        for (const f of k.fields) add(f.type);
        break;
      case "variant":
        for (const c of k.cases) add(c.type);
        break;
      case "tuple":
        for (const t of k.types) add(t);
        break;
      case "option":
      case "type":
        add(k.type);
        break;
      case "list":
      case "fixed-length-list":
        add(k.element);
        break;
      case "map":
        add(k.key);
        add(k.value);
        break;
      case "result":
        add(k.ok);
        add(k.err);
        break;
      case "handle":
        add(k.resource);
        break;
      case "future":
      case "stream":
        add(k.type);
        break;
    }
  }
  return live;
}
