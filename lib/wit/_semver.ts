/**
 * Semver as wit-parser uses it: the checks (and messages) of Rust's `semver` crate for versions
 * written in WIT, and its total order (pre-release and build metadata included), which decides
 * the order packages are resolved in.
 */

const checked = new Map<string, string | undefined>();

/** The message of Rust's `semver` crate for an invalid version, or `undefined` when valid. */
export function checkVersion(text: string): string | undefined {
  if (checked.has(text)) return checked.get(text);
  const r = check(text);
  if (checked.size < 10_000) checked.set(text, r);
  return r;
}

function check(text: string): string | undefined {
  if (text === "") return "empty string, expected a semver version";
  const plus = text.indexOf("+");
  const main = plus < 0 ? text : text.slice(0, plus);
  const build = plus < 0 ? undefined : text.slice(plus + 1);
  const dash = main.indexOf("-");
  const core = dash < 0 ? main : main.slice(0, dash);
  const pre = dash < 0 ? undefined : main.slice(dash + 1);
  const parts = core.split(".");
  const names = ["major version number", "minor version number", "patch version number"];
  for (let i = 0; i < 3; i++) {
    const p = parts[i];
    if (p === undefined || p === "") return `unexpected end of input while parsing ${names[i]}`;
    if (!/^[0-9]+$/.test(p)) {
      return `unexpected character ${JSON.stringify(p.replace(/[0-9]/g, "")[0])} while parsing ${
        names[i]
      }`;
    }
    if (p.length > 1 && p[0] === "0") return `invalid leading zero in ${names[i]}`;
    if (BigInt(p) > 0xffffffffffffffffn) return `value of ${names[i]} exceeds u64::MAX`;
  }
  if (parts.length > 3) return `unexpected character '.' after patch version number`;
  if (pre !== undefined) {
    const m = checkIdentifiers(pre, "pre-release identifier", true);
    if (m) return m;
  }
  if (build !== undefined) {
    const m = checkIdentifiers(build, "build metadata", false);
    if (m) return m;
  }
  return undefined;
}

function checkIdentifiers(s: string, what: string, noLeadingZero: boolean): string | undefined {
  for (const id of s.split(".")) {
    if (id === "") return `empty identifier segment in ${what}`;
    const bad = id.match(/[^0-9A-Za-z-]/);
    if (bad) return `unexpected character ${JSON.stringify(bad[0])} while parsing ${what}`;
    if (noLeadingZero && /^[0-9]+$/.test(id) && id.length > 1 && id[0] === "0") {
      return `invalid leading zero in ${what}`;
    }
  }
  return undefined;
}

function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifierLists(a: string[], b: string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i], y = b[i];
    const xn = /^[0-9]+$/.test(x), yn = /^[0-9]+$/.test(y);
    let c: number;
    if (xn && yn) c = compareNumeric(x.replace(/^0+(?=.)/, ""), y.replace(/^0+(?=.)/, ""));
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Splits a valid version into core numbers, pre-release and build identifiers. */
function split(v: string): { core: string[]; pre: string[]; build: string[] } {
  const plus = v.indexOf("+");
  const main = plus < 0 ? v : v.slice(0, plus);
  const dash = main.indexOf("-");
  return {
    core: (dash < 0 ? main : main.slice(0, dash)).split("."),
    pre: dash < 0 ? [] : main.slice(dash + 1).split("."),
    build: plus < 0 ? [] : v.slice(plus + 1).split("."),
  };
}

const compared = new Map<string, number>();

/** Rust `semver::Version` ordering (build metadata breaks ties). */
export function compareSemver(a: string, b: string): number {
  if (a === b) return 0;
  const key = `${a} ${b}`;
  let c = compared.get(key);
  if (c === undefined) {
    c = compare(a, b);
    if (compared.size < 10_000) compared.set(key, c);
  }
  return c;
}

function compare(a: string, b: string): number {
  if (/^\d+\.\d+\.\d+$/.test(a) && /^\d+\.\d+\.\d+$/.test(b)) {
    const x = a.split("."), y = b.split(".");
    for (let i = 0; i < 3; i++) {
      const c = compareNumeric(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  }
  const x = split(a), y = split(b);
  for (let i = 0; i < 3; i++) {
    const c = compareNumeric(x.core[i], y.core[i]);
    if (c !== 0) return c;
  }
  if (x.pre.length === 0 && y.pre.length > 0) return 1;
  if (y.pre.length === 0 && x.pre.length > 0) return -1;
  const c = compareIdentifierLists(x.pre, y.pre);
  if (c !== 0) return c;
  if (x.build.length === 0 || y.build.length === 0) return x.build.length - y.build.length;
  return compareIdentifierLists(x.build, y.build);
}
