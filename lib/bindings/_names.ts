/**
 * JavaScript names for WIT names, the same ones jco uses: `scrub-pii` → `scrubPii` (functions,
 * fields, flags, import/export keys), `dark-green` → `DarkGreen` (types). Reserved words get a `$`
 * suffix. Keys of the `Imports`/`Exports` objects are the interface's name (`logger`), qualified
 * with its package only when two would collide.
 */

const RESERVED = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export " +
    "extends false finally for function if implements import in instanceof interface let new " +
    "null package private protected public return static super switch this throw true try " +
    "typeof var void while with yield arguments eval undefined NaN Infinity"
  ).split(" "),
);

function words(name: string): string[] {
  return name.replace(/^%/, "").split("-").filter((w) => w.length > 0);
}

function cap(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
}

/** `scrub-pii` → `scrubPii`, `HTTP-request` → `httpRequest` (jco's lower camel case). */
export function camelCase(name: string): string {
  const ws = words(name);
  if (ws.length === 0) return "_";
  return ws[0].toLowerCase() + ws.slice(1).map(cap).join("");
}

/** `dark-green` → `DarkGreen`. */
export function pascalCase(name: string): string {
  const ws = words(name);
  return ws.length === 0 ? "_" : ws.map(cap).join("");
}

/** A camel-case name made safe as a JavaScript identifier (`delete` → `delete$`). */
export function jsIdent(name: string): string {
  const c = camelCase(name);
  return RESERVED.has(c) ? `${c}$` : c;
}

/** A JavaScript string literal. */
export function str(s: string): string {
  return JSON.stringify(s);
}

/** A property access: `.name` when `name` is an identifier, `["na-me"]` otherwise. */
export function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${str(name)}]`;
}

/** A property key in an object literal or type. */
export function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : str(name);
}

/** An extern name split into the parts keys are made of. */
export interface ExternNameParts {
  /** The full extern name (`docs:processor/logger@0.1.0`, `scrub-pii`). */
  name: string;
  /** `interface` for `ns:pkg/iface@v` names, `plain` for everything else. */
  kind: "interface" | "plain";
  namespace?: string;
  package?: string;
  /** The interface name, or the plain name. */
  base: string;
  version?: string;
}

/** Splits `ns:pkg/iface@1.0.0` (or a plain name) into its parts. */
export function externParts(name: string): ExternNameParts {
  const m =
    /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)*)\/([a-z][a-z0-9-]*)(?:@(.+))?$/i
      .exec(name);
  if (m === null) return { name, kind: "plain", base: name };
  return {
    name,
    kind: "interface",
    namespace: m[1],
    package: m[2],
    base: m[3],
    ...(m[4] !== undefined ? { version: m[4] } : {}),
  };
}

/**
 * Assigns each extern name a unique JavaScript key: `logger` for `docs:processor/logger@0.1.0`,
 * `docsProcessorLogger` when another `logger` interface is there too, with the version appended
 * when even that is ambiguous; plain names in camel case. Keys in `reserved` are avoided (with a
 * `$` suffix). Deterministic: depends only on the list.
 */
export function assignKeys(names: string[], reserved: Iterable<string> = []): Map<string, string> {
  const parts = names.map(externParts);
  const candidates = (p: ExternNameParts): string[] => {
    if (p.kind === "plain") return [jsIdent(p.base)];
    const qualified = `${p.namespace}-${p.package!.replaceAll(":", "-")}-${p.base}`;
    const out = [jsIdent(p.base), jsIdent(qualified)];
    if (p.version !== undefined) {
      out.push(jsIdent(`${qualified}-${p.version.replace(/[^A-Za-z0-9]+/g, "-")}`));
    }
    return out;
  };
  const taken = new Set(reserved);
  const all = parts.map(candidates);
  const out = new Map<string, string>();
  // A level is used for a name only if no other name wants the same key at that level.
  for (let i = 0; i < parts.length; i++) {
    let chosen: string | undefined;
    for (let level = 0; level < all[i].length; level++) {
      const k = all[i][level];
      const clash = all.some((c, j) => j !== i && c.slice(0, level + 1).includes(k));
      if (!clash && !taken.has(k)) {
        chosen = k;
        break;
      }
    }
    let k = chosen ?? all[i][all[i].length - 1];
    while (taken.has(k)) k = `${k}$`;
    taken.add(k);
    out.set(parts[i].name, k);
  }
  return out;
}
