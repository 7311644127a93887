/**
 * "Did you mean": package names close to what someone typed, for the 404 page. Pure: a wanted
 * text and the candidate names in, the closest few out.
 */

/** Edit distance (insertions, deletions, substitutions), stopping early past `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidates closest to `wanted` (a `ns:name`, a name, or any text from a URL), best first:
 * those within a few edits of the whole name or of its name part, or containing it.
 *
 * @example
 * ```ts
 * import { similarNames } from "./_suggest.ts";
 * const names = ["docs:processor", "docs:logger-js", "acme:http-router"];
 * console.assert(similarNames("docs:procesor", names)[0] === "docs:processor");
 * ```
 */
export function similarNames(wanted: string, candidates: readonly string[], limit = 5): string[] {
  const w = wanted.toLowerCase().replace(/@.*$/, "").replace(/^\/+/, "");
  if (w === "") return [];
  const wName = w.includes(":") ? w.slice(w.indexOf(":") + 1) : w;
  const scored: [number, string][] = [];
  for (const c of new Set(candidates)) {
    const name = c.slice(c.indexOf(":") + 1);
    const max = Math.max(2, Math.floor(Math.max(w.length, 4) / 3));
    const whole = editDistance(w, c, max);
    const part = editDistance(wName, name, max);
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
