/**
 * "Did you mean": package names close to what someone typed, for the 404 page. Pure: a wanted
 * text and the candidate names in, the closest few out. It runs on the request path, so its work
 * is bounded whatever it is given: the wanted text is cut to the longest valid name, candidates
 * longer than that are skipped, the edit distance is computed in a band of `max` cells around the
 * diagonal, and all comparisons of one call share a budget of {@link SUGGESTION_WORK} cells.
 */

/** Longest text compared: a namespace and a name of 64 characters each, and the ":". */
const MAX_COMPARED = 129;

/** Most edit-distance cells one call of {@link similarNames} computes. */
export const SUGGESTION_WORK = 400_000;

/** Cells computed so far (shared by the comparisons of one call). */
export interface Work {
  cells: number;
}

/**
 * Edit distance (insertions, deletions, substitutions), or `max + 1` when it is larger than
 * `max`. Only cells within `max` of the diagonal are computed (O(length · max)).
 */
export function editDistance(a: string, b: string, max = Infinity, work?: Work): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  const band = Math.min(max, Math.max(n, m));
  const big = band + 1;
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j <= band ? j : big;
  for (let i = 1; i <= n; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(m, i + band);
    cur[0] = i <= band ? i : big;
    if (from > 1) cur[from - 1] = big;
    if (to < m) cur[to + 1] = big;
    let best = from > 1 ? big : cur[0];
    for (let j = from; j <= to; j++) {
      const v = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1),
      );
      cur[j] = v > big ? big : v;
      if (v < best) best = v;
    }
    if (work !== undefined) work.cells += to - from + 1;
    if (best > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[m] > max ? max + 1 : prev[m];
}

/**
 * The candidates closest to `wanted` (a `ns:name`, a name, or any text from a URL), best first:
 * those within a few edits of the whole name or of its name part, or containing it. `work`
 * receives the number of cells computed.
 *
 * @example
 * ```ts
 * import { similarNames } from "./_suggest.ts";
 * const names = ["docs:processor", "docs:logger-js", "acme:http-router"];
 * console.assert(similarNames("docs:procesor", names)[0] === "docs:processor");
 * ```
 */
export function similarNames(
  wanted: string,
  candidates: readonly string[],
  limit = 5,
  work: Work = { cells: 0 },
): string[] {
  const w = wanted.slice(0, MAX_COMPARED + 1).toLowerCase().replace(/@.*$/, "").replace(
    /^\/+/,
    "",
  );
  // Longer than any valid name: nothing is a few edits away.
  if (w === "" || w.length > MAX_COMPARED) return [];
  const wName = w.includes(":") ? w.slice(w.indexOf(":") + 1) : w;
  const max = Math.min(6, Math.max(2, Math.floor(Math.max(w.length, 4) / 3)));
  const scored: [number, string][] = [];
  const start = work.cells;
  for (const c of new Set(candidates)) {
    if (c.length > MAX_COMPARED) continue;
    if (work.cells - start >= SUGGESTION_WORK - 2 * MAX_COMPARED * (2 * max + 1)) break;
    const name = c.slice(c.indexOf(":") + 1);
    const whole = editDistance(w, c, max, work);
    const part = editDistance(wName, name, max, work);
    let score = Math.min(whole, part);
    if (score > max) {
      if (wName.length >= 3 && (name.includes(wName) || wName.includes(name))) score = max;
      else continue;
    }
    scored.push([score, c]);
  }
  scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return scored.slice(0, limit).map(([, c]) => c);
}
