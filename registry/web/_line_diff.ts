/**
 * A line diff of two texts (the WIT of two versions), for the diff page's "the WIT, line by
 * line" view beside lib/compat's semantic changes. Longest common subsequence after trimming the
 * common start and end; bounded, so a huge pair gives `undefined` instead of a slow page.
 */

/** One line of a diff. */
export interface DiffLine {
  kind: "same" | "add" | "del";
  text: string;
  /** 1-based line in the old text (`same`, `del`). */
  oldLine?: number;
  /** 1-based line in the new text (`same`, `add`). */
  newLine?: number;
}

/** A run of lines to show, or a run of unchanged lines folded away. */
export type DiffHunk = { kind: "lines"; lines: DiffLine[] } | { kind: "fold"; count: number };

/** Largest table (changed old lines × changed new lines) computed. */
export const MAX_DIFF_CELLS = 4_000_000;

/**
 * The line diff of `a` and `b`; `undefined` when the changed middle is too large to compare.
 *
 * @example
 * ```ts
 * import { diffLines } from "./_line_diff.ts";
 * const d = diffLines("a\nb\nc", "a\nx\nc")!;
 * console.assert(d.map((l) => l.kind).join() === "same,del,add,same");
 * ```
 */
export function diffLines(a: string, b: string): DiffLine[] | undefined {
  const x = a.split("\n");
  const y = b.split("\n");
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const n = endX - start;
  const m = endY - start;
  if (n * m > MAX_DIFF_CELLS) return undefined;
  // lcs[i][j]: length of the LCS of x[start+i..endX) and y[start+j..endY).
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[start + i] === y[start + j]
        ? lcs[(i + 1) * w + j + 1] + 1
        : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out: DiffLine[] = [];
  for (let k = 0; k < start; k++) {
    out.push({ kind: "same", text: x[k], oldLine: k + 1, newLine: k + 1 });
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[start + i] === y[start + j]) {
      out.push({
        kind: "same",
        text: x[start + i],
        oldLine: start + i + 1,
        newLine: start + j + 1,
      });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
      out.push({ kind: "add", text: y[start + j], newLine: start + j + 1 });
      j++;
    } else {
      out.push({ kind: "del", text: x[start + i], oldLine: start + i + 1 });
      i++;
    }
  }
  // Deletions before additions within a change, as people read diffs.
  for (let k = 0; k < x.length - endX; k++) {
    out.push({ kind: "same", text: x[endX + k], oldLine: endX + k + 1, newLine: endY + k + 1 });
  }
  return reorder(out);
}

function reorder(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    out.push(...dels, ...adds);
    dels = [];
    adds = [];
  };
  for (const l of lines) {
    if (l.kind === "del") dels.push(l);
    else if (l.kind === "add") adds.push(l);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out;
}

/** Groups a diff into hunks with `context` unchanged lines around each change. */
export function hunks(lines: readonly DiffLine[], context = 3): DiffHunk[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) {
      keep[k] = true;
    }
  });
  const out: DiffHunk[] = [];
  let i = 0;
  while (i < lines.length) {
    if (keep[i]) {
      const run: DiffLine[] = [];
      while (i < lines.length && keep[i]) run.push(lines[i++]);
      out.push({ kind: "lines", lines: run });
    } else {
      let count = 0;
      while (i < lines.length && !keep[i]) {
        count++;
        i++;
      }
      out.push({ kind: "fold", count });
    }
  }
  return out;
}
