/**
 * Semantic versions and npm's range syntax, in this module instead of npm `semver`: loading that
 * CommonJS package (and Node's compatibility layer for it) was the largest single part of
 * starting the wreg CLI (BENCHMARKS.md, issue 14). The behaviour is npm semver 7's in strict
 * (not loose) mode, step for step: the same version grammar and precedence, and the same range
 * rewriting (hyphen ranges, operator spacing, `~`, `^`, x-ranges, `*`) into comparator sets,
 * tested against npm semver on generated input (semver_test.ts). One difference: a range text
 * longer than {@link MAX_RANGE_LENGTH} is refused (npm has no limit; no real range comes near).
 *
 * Private to lib/names: the rest of wreg uses the functions of `_version.ts` and `_matcher.ts`.
 */

/** The longest version text (npm's `MAX_LENGTH`). */
const MAX_LENGTH = 256;
/** The longest range text this module reads. */
export const MAX_RANGE_LENGTH = 4096;

// The grammar, as npm writes it (strict mode).
const NUM = "0|[1-9]\\d*";
const NONNUM = "\\d*[a-zA-Z-][a-zA-Z0-9-]*";
const PRE_ID = `(?:${NONNUM}|${NUM})`;
const PRERELEASE = `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))`;
const BUILD_ID = "[a-zA-Z0-9-]+";
const BUILD = `(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))`;
const MAIN = `(${NUM})\\.(${NUM})\\.(${NUM})`;
const FULLPLAIN = `v?${MAIN}${PRERELEASE}?${BUILD}?`;
const LOOSE_NUM = "\\d+";
const LOOSE_PRE_ID = `(?:${NONNUM}|${LOOSE_NUM})`;
const LOOSEPLAIN = `[v=\\s]*(${LOOSE_NUM})\\.(${LOOSE_NUM})\\.(${LOOSE_NUM})` +
  `(?:-?(${LOOSE_PRE_ID}(?:\\.${LOOSE_PRE_ID})*))?${BUILD}?`;
const GTLT = "((?:<|>)?=?)";
const XID = `${NUM}|x|X|\\*`;
const XRANGEPLAIN = `[v=\\s]*(${XID})(?:\\.(${XID})(?:\\.(${XID})(?:${PRERELEASE})?${BUILD}?)?)?`;

/**
 * npm's "safe" form of a pattern, which is what its parser runs: unbounded repeats of `\s`,
 * `\d` and identifier characters bounded (one blank, 256 digits, 250 identifier characters).
 */
function safe(source: string): string {
  for (const [token, max] of [["\\s", 1], ["\\d", MAX_LENGTH], ["[a-zA-Z0-9-]", 250]] as const) {
    source = source.split(`${token}*`).join(`${token}{0,${max}}`)
      .split(`${token}+`).join(`${token}{1,${max}}`);
  }
  return source;
}
const re = (source: string, flags?: string) => new RegExp(safe(source), flags);

const FULL = re(`^${FULLPLAIN}$`);
const COMPARATOR = re(`^${GTLT}\\s*(${FULLPLAIN})$|^$`);
const XRANGE = re(`^${GTLT}\\s*${XRANGEPLAIN}$`);
const TILDE = re(`^(?:~>?)${XRANGEPLAIN}$`);
const CARET = re(`^(?:\\^)${XRANGEPLAIN}$`);
const TILDETRIM = re("(\\s*)(?:~>?)\\s+", "g");
const CARETTRIM = re("(\\s*)(?:\\^)\\s+", "g");
const COMPARATORTRIM = re(`(\\s*)${GTLT}\\s*(${LOOSEPLAIN}|${XRANGEPLAIN})`, "g");
const HYPHENRANGE = re(`^\\s*(${XRANGEPLAIN})\\s+-\\s+(${XRANGEPLAIN})\\s*$`);
// Build metadata is stripped from the whole set with the unbounded pattern, then from each
// comparator with the bounded one, as npm does.
const BUILDSTRIP = new RegExp(BUILD, "g");
const BUILD_ONE = re(BUILD);
const STAR = re("(<|>)?=?\\s*\\*");
const GTE0 = re("^\\s*>=\\s*0\\.0\\.0\\s*$");
const GTE0PRE = re("^\\s*>=\\s*0\\.0\\.0-0\\s*$");
const NUMERIC = /^[0-9]+$/;

/** A parsed version: npm's `SemVer` (strict). */
export class SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers: numeric ones as numbers. */
  readonly prerelease: readonly (string | number)[];
  readonly build: readonly string[];
  /** `MAJOR.MINOR.PATCH[-pre]`, without build metadata. */
  readonly version: string;

  /** @throws {TypeError} when `text` is not a version (npm's message). */
  constructor(text: string) {
    if (text.length > MAX_LENGTH) {
      throw new TypeError(`version is longer than ${MAX_LENGTH} characters`);
    }
    const m = FULL.exec(text.trim());
    if (m === null) throw new TypeError(`Invalid Version: ${text}`);
    const part = (s: string, what: string) => {
      const n = +s;
      if (n > Number.MAX_SAFE_INTEGER || n < 0) throw new TypeError(`Invalid ${what} version`);
      return n;
    };
    this.major = part(m[1], "major");
    this.minor = part(m[2], "minor");
    this.patch = part(m[3], "patch");
    this.prerelease = m[4] === undefined ? [] : m[4].split(".").map((id) => {
      if (NUMERIC.test(id)) {
        const n = +id;
        if (n >= 0 && n < Number.MAX_SAFE_INTEGER) return n;
      }
      return id;
    });
    this.build = m[5] === undefined ? [] : m[5].split(".");
    this.version = `${this.major}.${this.minor}.${this.patch}` +
      (this.prerelease.length > 0 ? `-${this.prerelease.join(".")}` : "");
  }
}

/** `text` parsed, or `undefined` (npm's `semver.parse`). */
export function parseSemVer(text: string): SemVer | undefined {
  try {
    return new SemVer(text);
  } catch {
    return undefined;
  }
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
  const anum = NUMERIC.test(String(a));
  const bnum = NUMERIC.test(String(b));
  if (anum && bnum) {
    a = +a;
    b = +b;
  }
  return a === b ? 0 : anum && !bnum ? -1 : bnum && !anum ? 1 : a < b ? -1 : 1;
}

/** Precedence: negative, 0 or positive (build metadata ignored), as npm's `compare`. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const main = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (main !== 0) return main < 0 ? -1 : 1;
  const ap = a.prerelease, bp = b.prerelease;
  if (ap.length > 0 && bp.length === 0) return -1;
  if (ap.length === 0 && bp.length > 0) return 1;
  for (let i = 0;; i++) {
    const x = ap[i], y = bp[i];
    if (x === undefined && y === undefined) return 0;
    if (y === undefined) return 1;
    if (x === undefined) return -1;
    if (x === y) continue;
    return compareIdentifiers(x, y);
  }
}

/** One comparator of a range: an operator and a version, or anything (`semver` undefined). */
export interface Comparator {
  readonly operator: "" | "<" | "<=" | ">" | ">=";
  readonly semver?: SemVer;
  /** `operator + version`, or `""` for anything. */
  readonly value: string;
}

function comparator(text: string): Comparator {
  const comp = text.trim().split(/\s+/).join(" ");
  const m = COMPARATOR.exec(comp);
  if (m === null) throw new TypeError(`Invalid comparator: ${comp}`);
  let operator = (m[1] ?? "") as Comparator["operator"] | "=";
  if (operator === "=") operator = "";
  if (!m[2]) return { operator, value: "" };
  const semver = new SemVer(m[2]);
  return { operator, semver, value: operator + semver.version };
}

/** Whether `v` passes one comparator (npm's `Comparator.test`). */
export function testComparator(c: Comparator, v: SemVer): boolean {
  if (c.semver === undefined) return true;
  return passes(c.operator, compareSemVer(v, c.semver));
}

/**
 * Whether a version that orders `order` against a comparator's version (negative: below) passes
 * the comparator's `operator`.
 */
export function passes(operator: Comparator["operator"], order: number): boolean {
  switch (operator) {
    case "":
      return order === 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

const isX = (id: string | undefined) => !id || id.toLowerCase() === "x" || id === "*";

function replaceEach(comp: string, replace: (c: string) => string): string {
  return comp.trim().split(/\s+/).map(replace).join(" ");
}

function replaceTilde(comp: string, z: string): string {
  return comp.replace(TILDE, (_, M: string, m: string, p: string, pr: string) => {
    if (isX(M)) return "";
    if (isX(m)) return `>=${M}.0.0${z} <${+M + 1}.0.0-0`;
    if (isX(p)) return `>=${M}.${m}.0${z} <${M}.${+m + 1}.0-0`;
    if (pr) return `>=${M}.${m}.${p}-${pr} <${M}.${+m + 1}.0-0`;
    return `>=${M}.${m}.${p} <${M}.${+m + 1}.0-0`;
  });
}

function replaceCaret(comp: string, z: string): string {
  return comp.replace(CARET, (_, M: string, m: string, p: string, pr: string) => {
    if (isX(M)) return "";
    if (isX(m)) return `>=${M}.0.0${z} <${+M + 1}.0.0-0`;
    if (isX(p)) {
      return M === "0"
        ? `>=${M}.${m}.0${z} <${M}.${+m + 1}.0-0`
        : `>=${M}.${m}.0${z} <${+M + 1}.0.0-0`;
    }
    const from = pr ? `>=${M}.${m}.${p}-${pr}` : `>=${M}.${m}.${p}`;
    if (M === "0") {
      return m === "0" ? `${from} <${M}.${m}.${+p + 1}-0` : `${from} <${M}.${+m + 1}.0-0`;
    }
    return `${from} <${+M + 1}.0.0-0`;
  });
}

function replaceXRange(input: string, includePrerelease: boolean): string {
  const comp = input.trim();
  return comp.replace(
    XRANGE,
    (ret: string, gtlt: string, M: string, m: string | number, p: string | number) => {
      // An x followed by a number (`x.1`, `1.x.2`) is left as written (and refused later).
      if ((isX(M) && !isX(m as string)) || (isX(m as string) && p && !isX(p as string))) {
        return comp;
      }
      const xM = isX(M);
      const xm = xM || isX(m as string);
      const xp = xm || isX(p as string);
      if (gtlt === "=" && xp) gtlt = "";
      let pr = includePrerelease ? "-0" : "";
      let major: string | number = M;
      if (xM) return gtlt === ">" || gtlt === "<" ? "<0.0.0-0" : "*";
      if (gtlt && xp) {
        if (xm) m = 0;
        p = 0;
        if (gtlt === ">") {
          gtlt = ">=";
          if (xm) {
            major = +major + 1;
            m = 0;
            p = 0;
          } else {
            m = +m + 1;
            p = 0;
          }
        } else if (gtlt === "<=") {
          gtlt = "<";
          if (xm) major = +major + 1;
          else m = +m + 1;
        }
        if (gtlt === "<") pr = "-0";
        return `${gtlt + major}.${m}.${p}${pr}`;
      }
      if (xm) return `>=${M}.0.0${pr} <${+M + 1}.0.0-0`;
      if (xp) return `>=${M}.${m}.0${pr} <${M}.${+m + 1}.0-0`;
      return ret;
    },
  );
}

function hyphenReplace(includePrerelease: boolean) {
  return (
    _: string,
    from: string,
    fM: string,
    fm: string,
    fp: string,
    fpr: string,
    _fb: string,
    to: string,
    tM: string,
    tm: string,
    tp: string,
    tpr: string,
  ) => {
    const z = includePrerelease ? "-0" : "";
    if (isX(fM)) from = "";
    else if (isX(fm)) from = `>=${fM}.0.0${z}`;
    else if (isX(fp)) from = `>=${fM}.${fm}.0${z}`;
    else if (fpr) from = `>=${from}`;
    else from = `>=${from}${z}`;
    if (isX(tM)) to = "";
    else if (isX(tm)) to = `<${+tM + 1}.0.0-0`;
    else if (isX(tp)) to = `<${tM}.${+tm + 1}.0-0`;
    else if (tpr) to = `<=${tM}.${tm}.${tp}-${tpr}`;
    else if (includePrerelease) to = `<${tM}.${tm}.${+tp + 1}-0`;
    else to = `<=${to}`;
    return `${from} ${to}`.trim();
  };
}

const isNullSet = (c: Comparator) => c.value === "<0.0.0-0";
const isAny = (c: Comparator) => c.value === "";

function parseComparatorSet(input: string, includePrerelease: boolean): Comparator[] {
  const z = includePrerelease ? "-0" : "";
  let range = input.replace(BUILDSTRIP, "");
  range = range.replace(HYPHENRANGE, hyphenReplace(includePrerelease));
  range = range.replace(COMPARATORTRIM, "$1$2$3");
  range = range.replace(TILDETRIM, "$1~");
  range = range.replace(CARETTRIM, "$1^");
  const list = range.split(" ").map((comp) => {
    comp = comp.replace(BUILD_ONE, "");
    comp = replaceEach(comp, (c) => replaceCaret(c, z));
    comp = replaceEach(comp, (c) => replaceTilde(c, z));
    comp = comp.split(/\s+/).map((c) => replaceXRange(c, includePrerelease)).join(" ");
    return comp.trim().replace(STAR, "");
  }).join(" ").split(/\s+/).map((comp) =>
    comp.trim().replace(includePrerelease ? GTE0PRE : GTE0, "")
  );
  // Every comparator is parsed (an invalid one refuses the range) before a null set wins.
  const comparators = list.map(comparator);
  const byValue = new Map<string, Comparator>();
  for (const c of comparators) {
    if (isNullSet(c)) return [c];
    byValue.set(c.value, c);
  }
  if (byValue.size > 1 && byValue.has("")) byValue.delete("");
  return [...byValue.values()];
}

/** A parsed range: a union of comparator sets (npm's `Range`, strict). */
export class Range {
  /** Each set holds when all of its comparators do; the range holds when one set does. */
  readonly set: readonly (readonly Comparator[])[];
  readonly includePrerelease: boolean;

  /** @throws {TypeError} when `text` is not a range. */
  constructor(text: string, options: { includePrerelease?: boolean } = {}) {
    if (text.length > MAX_RANGE_LENGTH) {
      throw new TypeError(`range is longer than ${MAX_RANGE_LENGTH} characters`);
    }
    this.includePrerelease = options.includePrerelease === true;
    const raw = text.trim().replace(/\s+/g, " ");
    let set = raw.split("||").map((r) => parseComparatorSet(r.trim(), this.includePrerelease))
      .filter((c) => c.length > 0);
    if (set.length === 0) throw new TypeError(`Invalid SemVer Range: ${raw}`);
    if (set.length > 1) {
      const first = set[0];
      set = set.filter((c) => !isNullSet(c[0]));
      if (set.length === 0) set = [first];
      else if (set.length > 1) {
        for (const c of set) {
          if (c.length === 1 && isAny(c[0])) {
            set = [c];
            break;
          }
        }
      }
    }
    this.set = set;
  }

  /** Whether `version` is in the range (npm's `Range.test`). */
  test(version: SemVer | string): boolean {
    let v: SemVer;
    if (typeof version === "string") {
      const parsed = parseSemVer(version);
      if (parsed === undefined) return false;
      v = parsed;
    } else v = version;
    return this.set.some((set) => testSet(set, v, this.includePrerelease));
  }
}

function testSet(set: readonly Comparator[], v: SemVer, includePrerelease: boolean): boolean {
  for (const c of set) if (!testComparator(c, v)) return false;
  if (v.prerelease.length > 0 && !includePrerelease) {
    // A pre-release is in the set only when one of its comparators names a pre-release of the
    // same MAJOR.MINOR.PATCH.
    return set.some((c) =>
      c.semver !== undefined && c.semver.prerelease.length > 0 &&
      c.semver.major === v.major && c.semver.minor === v.minor && c.semver.patch === v.patch
    );
  }
  return true;
}

/** `text` parsed as a range, or `undefined` (npm's `validRange` returning null). */
export function tryRange(text: string, includePrerelease = false): Range | undefined {
  try {
    return new Range(text, { includePrerelease });
  } catch {
    return undefined;
  }
}
