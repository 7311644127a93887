/**
 * Topological sort that keeps source order among independent items (the earliest declared ready
 * item goes first), as wit-parser orders types, interfaces and worlds. Unknown names and cycles
 * are reported at the reference that causes them.
 */
import type { Id } from "./_ast.ts";
import type { SourceMap } from "./_error.ts";

/**
 * Sorts the names of `deps` (name → the names it refers to, in declaration order) so that every
 * name comes after the names it refers to. `kind` names the items in errors (`type`, …).
 */
export function toposort(sm: SourceMap, kind: string, deps: Map<string, Id[]>): string[] {
  const names = [...deps.keys()];
  const index = new Map<string, number>();
  names.forEach((n, i) => index.set(n, i));
  const remaining = new Int32Array(names.length);
  const reverse: number[][] = names.map(() => []);
  let i = 0;
  for (const edges of deps.values()) {
    remaining[i] = edges.length;
    for (const e of edges) {
      const j = index.get(e.name);
      if (j === undefined) {
        throw sm.error("not-found", `${kind} \`${e.name}\` does not exist`, e.start, e.end);
      }
      reverse[j].push(i);
    }
    i++;
  }
  // A min-heap of ready indices: the earliest declared ready item is taken first.
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    let c = heap.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (heap[p] <= heap[c]) break;
      [heap[p], heap[c]] = [heap[c], heap[p]];
      c = p;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1, r = l + 1;
        let m = p;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === p) break;
        [heap[p], heap[m]] = [heap[m], heap[p]];
        p = m;
      }
    }
    return top;
  };
  for (let k = 0; k < names.length; k++) if (remaining[k] === 0) push(k);
  const order: string[] = [];
  while (heap.length > 0) {
    const k = pop();
    order.push(names[k]);
    for (const d of reverse[k]) if (--remaining[d] === 0) push(d);
    reverse[k] = [];
  }
  if (order.length === names.length) return order;
  let k = 0;
  for (const edges of deps.values()) {
    if (remaining[k] !== 0) {
      for (const e of edges) {
        if (remaining[index.get(e.name)!] === 0) continue;
        throw sm.error("cycle", `${kind} \`${e.name}\` depends on itself`, e.start, e.end);
      }
    }
    k++;
  }
  throw new Error("toposort: cycle not found");
}
