/**
 * The WIT parser: the tokens of one file → its syntax tree ({@link PackageFile}). Follows
 * wit-parser's grammar and its error messages ("expected …, found …") and spans.
 */
import type {
  AstItem,
  AstType,
  Attribute,
  Docs,
  ExternKind,
  Func,
  Id,
  Include,
  Interface,
  InterfaceItem,
  NamedFunc,
  PackageFile,
  PackageName,
  ResourceFunc,
  ToplevelUse,
  TypeDef,
  Use,
  UsePath,
  VersionText,
  World,
  WorldItem,
} from "./_ast.ts";
import { type SourceMap, WitError } from "./_error.ts";
import { checkId, describeToken, readStringLiteral, T, tokenize, type Tokens } from "./_lexer.ts";
import { checkVersion } from "./_semver.ts";
import type { PrimitiveType } from "./model.ts";

const MAX_ITEM_DEPTH = 100;
const MAX_TYPE_DEPTH = 100;

const NO_DOCS: Docs = Object.freeze({ comments: [], start: -1, end: -1 }) as Docs;

const PRIMS: Partial<Record<T, PrimitiveType>> = {
  [T.U8]: "u8",
  [T.U16]: "u16",
  [T.U32]: "u32",
  [T.U64]: "u64",
  [T.S8]: "s8",
  [T.S16]: "s16",
  [T.S32]: "s32",
  [T.S64]: "s64",
  [T.F32]: "f32",
  [T.F64]: "f64",
  [T.Char]: "char",
  [T.Bool]: "bool",
  [T.String]: "string",
  [T.ErrorContext]: "error-context",
};

/** Parses the file `text` (registered in `sm` at `base`) into its syntax tree. */
export function parseFile(sm: SourceMap, text: string, base: number): PackageFile {
  return new Parser(sm, tokenize(text, base)).parseFile();
}

class Parser {
  private pos = 0;
  private readonly kinds: Uint8Array;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly text: string;
  private readonly base: number;

  constructor(private readonly sm: SourceMap, private readonly toks: Tokens) {
    this.kinds = toks.kinds;
    this.starts = toks.starts;
    this.ends = toks.ends;
    this.text = toks.text;
    this.base = toks.base;
  }

  // ---- token access -------------------------------------------------------------------------

  /** Index of the next non-comment token at or after `i`; throws on a lexing error. */
  private skip(i: number): number {
    const kinds = this.kinds;
    while (kinds[i] === T.Comment) i++;
    if (kinds[i] === T.Error) this.throwLex();
    return i;
  }

  private throwLex(): never {
    const at = this.toks.errorAt!;
    throw this.sm.error("lex", this.toks.errorMessage!, at, at + 1);
  }

  private peek(): T {
    return this.kinds[this.skip(this.pos)];
  }

  /** Consumes the next token; returns its index. */
  private next(): number {
    const i = this.skip(this.pos);
    if (this.kinds[i] !== T.Eof) this.pos = i + 1;
    else this.pos = i;
    return i;
  }

  private eat(kind: T): boolean {
    const i = this.skip(this.pos);
    if (this.kinds[i] === kind) {
      this.pos = i + 1;
      return true;
    }
    return false;
  }

  /** Consumes a token of `kind`; returns its index. */
  private expect(kind: T): number {
    const i = this.next();
    const found = this.kinds[i];
    if (found === kind) return i;
    const at = this.starts[i];
    throw this.sm.error(
      "syntax",
      `expected ${describeToken(kind)}, found ${describeToken(found as T)}`,
      at,
      at + 1,
    );
  }

  private slice(i: number): string {
    return this.text.slice(this.starts[i] - this.base, this.ends[i] - this.base);
  }

  private errExpected(expected: string, i: number): WitError {
    const kind = this.kinds[i] as T;
    return this.sm.error(
      "syntax",
      `expected ${expected}, found ${describeToken(kind)}`,
      this.starts[i],
      this.ends[i],
    );
  }

  private syntax(message: string, start: number, end: number): WitError {
    return this.sm.error("syntax", message, start, end);
  }

  private parseDocs(): Docs {
    const kinds = this.kinds;
    let i = this.pos;
    if (kinds[i] !== T.Comment) {
      if (kinds[i] === T.Error) this.throwLex();
      return NO_DOCS;
    }
    const comments: string[] = [];
    const start = this.starts[i];
    let end = start;
    while (kinds[i] === T.Comment) {
      const c = this.slice(i);
      comments.push(c);
      let trailing = 0;
      while (trailing < c.length && isAsciiWhitespace(c.charCodeAt(c.length - 1 - trailing))) {
        trailing++;
      }
      end = this.ends[i] - trailing;
      i++;
    }
    if (kinds[i] === T.Error) this.throwLex();
    this.pos = i;
    return { comments, start, end };
  }

  private parseId(): Id {
    const i = this.next();
    const kind = this.kinds[i];
    if (kind === T.Id || kind === T.ExplicitId) {
      const start = this.starts[i], end = this.ends[i];
      const raw = this.slice(i);
      const name = kind === T.ExplicitId ? raw.slice(1) : raw;
      const bad = checkId(name);
      if (bad) throw this.sm.error("lex", bad, start, start + 1);
      return { name, start, end };
    }
    throw this.errExpected("an identifier or string", i);
  }

  // ---- files and packages -------------------------------------------------------------------

  parseFile(): PackageFile {
    const save = this.pos;
    const docs = this.parseDocs();
    let packageId: PackageName | undefined;
    if (this.eat(T.Package)) {
      const name = this.parsePackageName(docs);
      if (this.eat(T.Semicolon)) packageId = name;
      else this.pos = save;
    } else {
      this.pos = save;
    }
    const items = this.parseDeclList(undefined, 0);
    return { packageId, items };
  }

  private parseNested(docs: Docs, attributes: Attribute[], depth: number): PackageFile {
    const i = this.expect(T.Package);
    if (attributes.length > 0) {
      throw this.syntax("cannot place attributes on nested packages", this.starts[i], this.ends[i]);
    }
    if (depth >= MAX_ITEM_DEPTH) {
      throw this.syntax("package nesting too deep", this.starts[i], this.ends[i]);
    }
    const packageId = this.parsePackageName(docs);
    this.expect(T.LeftBrace);
    const items = this.parseDeclList(T.RightBrace, depth + 1);
    return { packageId, items };
  }

  private parseDeclList(end: T | undefined, depth: number): AstItem[] {
    const items: AstItem[] = [];
    let docs = this.parseDocs();
    for (;;) {
      if (end !== undefined) {
        if (this.eat(end)) break;
      } else if (this.peek() === T.Eof) {
        break;
      }
      items.push(this.parseAstItem(docs, depth));
      docs = this.parseDocs();
    }
    return items;
  }

  private parseAstItem(docs: Docs, depth: number): AstItem {
    const attributes = this.parseAttributes();
    const i = this.skip(this.pos);
    switch (this.kinds[i]) {
      case T.Interface:
        return { kind: "interface", value: this.parseInterface(docs, attributes) };
      case T.World:
        return { kind: "world", value: this.parseWorld(docs, attributes) };
      case T.Use:
        return { kind: "use", value: this.parseToplevelUse(attributes) };
      case T.Package:
        return { kind: "package", value: this.parseNested(docs, attributes, depth) };
      default:
        throw this.errExpected("`world`, `interface` or `use`", i);
    }
  }

  private parsePackageName(docs: Docs): PackageName {
    const namespace = this.parseId();
    this.expect(T.Colon);
    const name = this.parseId();
    const version = this.parseOptVersion();
    return {
      docs,
      start: namespace.start,
      end: version ? version.end : name.end,
      namespace,
      name,
      version,
    };
  }

  private parseToplevelUse(attributes: Attribute[]): ToplevelUse {
    const i = this.expect(T.Use);
    const item = this.parseUsePath();
    const as = this.eat(T.As) ? this.parseId() : undefined;
    this.expect(T.Semicolon);
    return { start: this.starts[i], end: this.ends[i], attributes, item, as };
  }

  // ---- worlds -------------------------------------------------------------------------------

  private parseWorld(docs: Docs, attributes: Attribute[]): World {
    this.expect(T.World);
    const name = this.parseId();
    this.expect(T.LeftBrace);
    const items: WorldItem[] = [];
    for (;;) {
      const docs = this.parseDocs();
      if (this.eat(T.RightBrace)) break;
      const attributes = this.parseAttributes();
      items.push(this.parseWorldItem(docs, attributes));
    }
    return { docs, attributes, name, items };
  }

  private parseWorldItem(docs: Docs, attributes: Attribute[]): WorldItem {
    const i = this.skip(this.pos);
    switch (this.kinds[i]) {
      case T.Import:
      case T.Export: {
        const kind = this.kinds[i] === T.Import ? "import" : "export";
        this.next();
        return { kind, docs, attributes, extern: this.parseExternKind() };
      }
      case T.Use:
        return this.parseUse(attributes);
      case T.Type:
        return this.parseTypeDef(docs, attributes);
      case T.Flags:
        return this.parseFlags(docs, attributes);
      case T.Resource:
        return this.parseResource(docs, attributes);
      case T.Record:
        return this.parseRecord(docs, attributes);
      case T.Variant:
        return this.parseVariant(docs, attributes);
      case T.Enum:
        return this.parseEnum(docs, attributes);
      case T.Include:
        return this.parseInclude(attributes);
      default:
        throw this.errExpected(
          "`import`, `export`, `include`, `use`, or type definition",
          i,
        );
    }
  }

  private parseExternKind(): ExternKind {
    const save = this.pos;
    const id = this.parseId();
    if (this.eat(T.Colon)) {
      const k = this.peek();
      if (k === T.Func || k === T.Async) {
        const func = this.parseFunc();
        this.expect(T.Semicolon);
        return { kind: "func", name: id, func };
      }
      if (this.eat(T.Interface)) {
        return { kind: "interface", name: id, items: this.parseInterfaceItems() };
      }
      const afterColon = this.pos;
      let qualified = false;
      try {
        this.parseId();
        qualified = this.eat(T.Slash);
      } catch {
        qualified = false;
      }
      this.pos = afterColon;
      if (!qualified) {
        const path = this.parseUsePath();
        this.expect(T.Semicolon);
        return { kind: "named-path", name: id, path };
      }
    }
    this.pos = save;
    const path = this.parseUsePath();
    this.expect(T.Semicolon);
    return { kind: "path", path };
  }

  private parseInclude(attributes: Attribute[]): Include {
    this.expect(T.Include);
    const from = this.parseUsePath();
    let names: { name: Id; as: Id }[] = [];
    if (this.eat(T.With)) {
      names = this.parseList(T.LeftBrace, T.RightBrace, () => {
        const name = this.parseId();
        this.expect(T.As);
        const as = this.parseId();
        return { name, as };
      });
    } else {
      this.expect(T.Semicolon);
    }
    return { kind: "include", from, attributes, names };
  }

  // ---- interfaces ---------------------------------------------------------------------------

  private parseInterface(docs: Docs, attributes: Attribute[]): Interface {
    this.expect(T.Interface);
    const name = this.parseId();
    const items = this.parseInterfaceItems();
    return { docs, attributes, name, items };
  }

  private parseInterfaceItems(): InterfaceItem[] {
    this.expect(T.LeftBrace);
    const items: InterfaceItem[] = [];
    for (;;) {
      const docs = this.parseDocs();
      if (this.eat(T.RightBrace)) break;
      const attributes = this.parseAttributes();
      items.push(this.parseInterfaceItem(docs, attributes));
    }
    return items;
  }

  private parseInterfaceItem(docs: Docs, attributes: Attribute[]): InterfaceItem {
    const i = this.skip(this.pos);
    switch (this.kinds[i]) {
      case T.Type:
        return this.parseTypeDef(docs, attributes);
      case T.Flags:
        return this.parseFlags(docs, attributes);
      case T.Enum:
        return this.parseEnum(docs, attributes);
      case T.Variant:
        return this.parseVariant(docs, attributes);
      case T.Resource:
        return this.parseResource(docs, attributes);
      case T.Record:
        return this.parseRecord(docs, attributes);
      case T.Id:
      case T.ExplicitId:
        return this.parseNamedFunc(docs, attributes);
      case T.Use:
        return this.parseUse(attributes);
      default:
        throw this.errExpected("`type`, `resource` or `func`", i);
    }
  }

  private parseUsePath(): UsePath {
    const id = this.parseId();
    if (this.eat(T.Colon)) {
      const pkgName = this.parseId();
      this.expect(T.Slash);
      const name = this.parseId();
      const version = this.parseOptVersion();
      return {
        kind: "package",
        pkg: {
          docs: NO_DOCS,
          start: id.start,
          end: pkgName.end,
          namespace: id,
          name: pkgName,
          version,
        },
        name,
      };
    }
    return { kind: "id", id };
  }

  private parseUse(attributes: Attribute[]): Use {
    this.expect(T.Use);
    const from = this.parseUsePath();
    this.expect(T.Period);
    this.expect(T.LeftBrace);
    const names: { name: Id; as?: Id }[] = [];
    while (!this.eat(T.RightBrace)) {
      const name = this.parseId();
      const as = this.eat(T.As) ? this.parseId() : undefined;
      names.push({ name, as });
      if (!this.eat(T.Comma)) {
        this.expect(T.RightBrace);
        break;
      }
    }
    this.expect(T.Semicolon);
    return { kind: "use", attributes, from, names };
  }

  // ---- type definitions ---------------------------------------------------------------------

  private parseTypeDef(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Type);
    const name = this.parseId();
    this.expect(T.Equals);
    const ty = this.parseType(0);
    this.expect(T.Semicolon);
    return { kind: "typedef", docs, attributes, name, ty };
  }

  private parseFlags(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Flags);
    const name = this.parseId();
    const flags = this.parseList(T.LeftBrace, T.RightBrace, (docs) => ({
      docs,
      name: this.parseId(),
    }));
    return {
      kind: "typedef",
      docs,
      attributes,
      name,
      ty: { k: "flags", flags, start: name.start, end: name.end },
    };
  }

  private parseResource(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Resource);
    const name = this.parseId();
    const funcs: ResourceFunc[] = [];
    if (this.eat(T.LeftBrace)) {
      while (!this.eat(T.RightBrace)) {
        const docs = this.parseDocs();
        const attributes = this.parseAttributes();
        funcs.push(this.parseResourceFunc(docs, attributes));
      }
    } else {
      this.expect(T.Semicolon);
    }
    return {
      kind: "typedef",
      docs,
      attributes,
      name,
      ty: { k: "resource", funcs, start: name.start, end: name.end },
    };
  }

  private parseResourceFunc(docs: Docs, attributes: Attribute[]): ResourceFunc {
    const i = this.skip(this.pos);
    switch (this.kinds[i]) {
      case T.Constructor: {
        this.expect(T.Constructor);
        const start = this.starts[i], end = this.ends[i];
        this.expect(T.LeftParen);
        const params = this.parseParams();
        const result = this.eat(T.RArrow) ? this.parseType(0) : undefined;
        this.expect(T.Semicolon);
        return {
          kind: "constructor",
          func: {
            kind: "func",
            docs,
            attributes,
            name: { name: "constructor", start, end },
            func: { start, end, async: false, params, result },
          },
        };
      }
      case T.Id:
      case T.ExplicitId: {
        const name = this.parseId();
        this.expect(T.Colon);
        const kind = this.eat(T.Static) ? "static" : "method";
        const func = this.parseFunc();
        this.expect(T.Semicolon);
        return { kind, func: { kind: "func", docs, attributes, name, func } };
      }
      default:
        throw this.errExpected("`constructor` or identifier", i);
    }
  }

  private parseRecord(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Record);
    const name = this.parseId();
    const fields = this.parseList(T.LeftBrace, T.RightBrace, (docs) => {
      const name = this.parseId();
      this.expect(T.Colon);
      const ty = this.parseType(0);
      return { docs, name, ty };
    });
    return {
      kind: "typedef",
      docs,
      attributes,
      name,
      ty: { k: "record", fields, start: name.start, end: name.end },
    };
  }

  private parseVariant(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Variant);
    const name = this.parseId();
    const cases = this.parseList(T.LeftBrace, T.RightBrace, (docs) => {
      const name = this.parseId();
      let ty: AstType | undefined;
      if (this.eat(T.LeftParen)) {
        ty = this.parseType(0);
        this.expect(T.RightParen);
      }
      return { docs, name, ty };
    });
    return {
      kind: "typedef",
      docs,
      attributes,
      name,
      ty: { k: "variant", cases, start: name.start, end: name.end },
    };
  }

  private parseEnum(docs: Docs, attributes: Attribute[]): TypeDef {
    this.expect(T.Enum);
    const name = this.parseId();
    const cases = this.parseList(T.LeftBrace, T.RightBrace, (docs) => ({
      docs,
      name: this.parseId(),
    }));
    return {
      kind: "typedef",
      docs,
      attributes,
      name,
      ty: { k: "enum", cases, start: name.start, end: name.end },
    };
  }

  // ---- functions ----------------------------------------------------------------------------

  private parseNamedFunc(docs: Docs, attributes: Attribute[]): NamedFunc {
    const name = this.parseId();
    this.expect(T.Colon);
    const func = this.parseFunc();
    this.expect(T.Semicolon);
    return { kind: "func", docs, attributes, name, func };
  }

  private parseFunc(): Func {
    const isAsync = this.eat(T.Async);
    const i = this.expect(T.Func);
    this.expect(T.LeftParen);
    const params = this.parseParams();
    const result = this.eat(T.RArrow) ? this.parseType(0) : undefined;
    return { start: this.starts[i], end: this.ends[i], async: isAsync, params, result };
  }

  private parseParams(): [Id, AstType][] {
    return this.parseListTrailer(T.RightParen, () => {
      const name = this.parseId();
      this.expect(T.Colon);
      return [name, this.parseType(0)] as [Id, AstType];
    });
  }

  // ---- types --------------------------------------------------------------------------------

  private parseType(depth: number): AstType {
    const i = this.next();
    const kind = this.kinds[i] as T;
    const start = this.starts[i], end = this.ends[i];
    if (depth >= MAX_TYPE_DEPTH) throw this.syntax("type nesting too deep", start, end);
    const prim = PRIMS[kind];
    if (prim !== undefined) return { k: "prim", prim, start, end };
    switch (kind) {
      case T.Tuple: {
        const types = this.parseList(T.LessThan, T.GreaterThan, () => this.parseType(depth + 1));
        return { k: "tuple", types, start, end };
      }
      case T.List: {
        this.expect(T.LessThan);
        const ty = this.parseType(depth + 1);
        if (this.eat(T.Comma)) {
          const n = this.next();
          if (this.kinds[n] !== T.Integer) throw this.errExpected("fixed-length", n);
          const digits = this.slice(n);
          if (digits.replace(/^0+(?=.)/, "").length > 10 || Number(digits) > 0xffffffff) {
            throw this.syntax(
              "invalid list size: number too large to fit in target type",
              this.starts[n],
              this.ends[n],
            );
          }
          this.expect(T.GreaterThan);
          return { k: "fixed-list", ty, size: Number(digits), start, end };
        }
        this.expect(T.GreaterThan);
        return { k: "list", ty, start, end };
      }
      case T.Map: {
        this.expect(T.LessThan);
        const key = this.parseType(depth + 1);
        this.expect(T.Comma);
        const value = this.parseType(depth + 1);
        this.expect(T.GreaterThan);
        return { k: "map", key, value, start, end };
      }
      case T.Option: {
        this.expect(T.LessThan);
        const ty = this.parseType(depth + 1);
        this.expect(T.GreaterThan);
        return { k: "option", ty, start, end };
      }
      case T.Result: {
        let ok: AstType | undefined, err: AstType | undefined;
        if (this.eat(T.LessThan)) {
          if (this.eat(T.Underscore)) {
            this.expect(T.Comma);
            err = this.parseType(depth + 1);
          } else {
            ok = this.parseType(depth + 1);
            if (this.eat(T.Comma)) err = this.parseType(depth + 1);
          }
          this.expect(T.GreaterThan);
        }
        return { k: "result", ok, err, start, end };
      }
      case T.Future:
      case T.Stream: {
        let ty: AstType | undefined;
        if (this.eat(T.LessThan)) {
          ty = this.parseType(depth + 1);
          this.expect(T.GreaterThan);
        }
        return { k: kind === T.Future ? "future" : "stream", ty, start, end };
      }
      case T.Own:
      case T.Borrow: {
        this.expect(T.LessThan);
        const resource = this.parseId();
        this.expect(T.GreaterThan);
        return {
          k: "handle",
          handle: kind === T.Own ? "own" : "borrow",
          resource,
          start: resource.start,
          end: resource.end,
        };
      }
      case T.Id:
      case T.ExplicitId: {
        const raw = this.slice(i);
        const name = kind === T.ExplicitId ? raw.slice(1) : raw;
        const bad = checkId(name);
        if (bad) throw this.sm.error("lex", bad, start, start + 1);
        return { k: "name", id: { name, start, end }, start, end };
      }
      default:
        throw this.errExpected("a type", i);
    }
  }

  // ---- lists, versions, attributes ----------------------------------------------------------

  private parseList<R>(open: T, close: T, item: (docs: Docs) => R): R[] {
    this.expect(open);
    return this.parseListTrailer(close, item);
  }

  private parseListTrailer<R>(close: T, item: (docs: Docs) => R): R[] {
    const items: R[] = [];
    for (;;) {
      const docs = this.parseDocs();
      if (this.eat(close)) break;
      items.push(item(docs));
      if (!this.eat(T.Comma)) {
        this.expect(close);
        break;
      }
    }
    return items;
  }

  private parseOptVersion(): VersionText | undefined {
    return this.eat(T.At) ? this.parseVersion() : undefined;
  }

  private parseVersion(): VersionText {
    const start = this.starts[this.expect(T.Integer)];
    this.expect(T.Period);
    this.expect(T.Integer);
    this.expect(T.Period);
    let end = this.ends[this.expect(T.Integer)];
    end = this.eatVersionIds(T.Minus, end);
    end = this.eatVersionIds(T.Plus, end);
    const text = this.text.slice(start - this.base, end - this.base);
    const bad = checkVersion(text);
    if (bad) throw this.syntax(bad, start, end);
    return { text, start, end };
  }

  private eatVersionIds(prefix: T, end: number): number {
    if (!this.eat(prefix)) return end;
    for (;;) {
      let i = this.skip(this.pos);
      let k = this.kinds[i];
      if (k === T.Period) {
        i = this.skip(i + 1);
        k = this.kinds[i];
        if (k !== T.Id && k !== T.Integer && k !== T.Minus) return end;
      } else if (k !== T.Id && k !== T.Integer && k !== T.Minus) {
        return end;
      }
      end = this.ends[i];
      this.pos = i + 1;
    }
  }

  private parseAttributes(): Attribute[] {
    const attrs: Attribute[] = [];
    while (this.eat(T.At)) {
      const id = this.parseId();
      const { start, end } = id;
      switch (id.name) {
        case "since":
        case "deprecated": {
          this.expect(T.LeftParen);
          this.eatId("version");
          this.expect(T.Equals);
          const version = this.parseVersion().text;
          this.expect(T.RightParen);
          attrs.push({ kind: id.name, start, end, version });
          break;
        }
        case "unstable": {
          this.expect(T.LeftParen);
          this.eatId("feature");
          this.expect(T.Equals);
          const feature = this.parseId().name;
          this.expect(T.RightParen);
          attrs.push({ kind: "unstable", start, end, feature });
          break;
        }
        case "external-id": {
          this.expect(T.LeftParen);
          const s = this.expect(T.StringLiteral);
          this.expect(T.RightParen);
          const r = readStringLiteral(this.text, this.starts[s] - this.base + 1);
          if (r.value === undefined) {
            throw this.sm.error("lex", r.message, this.base + r.at, this.base + r.at + 1);
          }
          attrs.push({ kind: "external-id", start, end, id: r.value });
          break;
        }
        default:
          throw this.syntax(`unknown attribute \`${id.name}\``, start, end);
      }
    }
    return attrs;
  }

  private eatId(expected: string): void {
    const id = this.parseId();
    if (id.name !== expected) {
      throw this.syntax(`expected \`${expected}\`, found \`${id.name}\``, id.start, id.end);
    }
  }
}

function isAsciiWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}
