/**
 * A reader for the `.wast` scripts of the component-model test suite: top-level commands, each
 * with the component it carries as bytes (`binary` strings), as text (`quote` strings or inline
 * s-expressions) and what the script expects (valid, invalid, malformed).
 */

/** One command of a script that concerns validation. */
export interface WastCase {
  /** 1-based line of the command. */
  line: number;
  expect: "valid" | "invalid" | "malformed";
  /** The failure message the script expects (for invalid/malformed). */
  message?: string;
  /** The component as bytes (binary form) or as WAT text (quote and inline forms). */
  module: { binary: Uint8Array } | { text: string; quoted: boolean };
}

type Node = { kind: "list"; items: Node[]; start: number; end: number } | {
  kind: "atom";
  text: string;
  start: number;
  end: number;
} | { kind: "string"; bytes: Uint8Array; start: number; end: number };

function tokenizeAndParse(src: string): Node[] {
  let i = 0;
  const out: Node[] = [];
  const stack: { items: Node[]; start: number }[] = [];
  const push = (n: Node) => (stack.length ? stack[stack.length - 1].items : out).push(n);
  while (i < src.length) {
    const c = src[i];
    if (c === ";" && src[i + 1] === ";") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "(" && src[i + 1] === ";") {
      let depth = 1;
      i += 2;
      while (i < src.length && depth > 0) {
        if (src[i] === "(" && src[i + 1] === ";") {
          depth++;
          i += 2;
        } else if (src[i] === ";" && src[i + 1] === ")") {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "(") {
      stack.push({ items: [], start: i });
      i++;
    } else if (c === ")") {
      const top = stack.pop()!;
      push({ kind: "list", items: top.items, start: top.start, end: i + 1 });
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      const bytes: number[] = [];
      const enc = new TextEncoder();
      while (src[i] !== '"') {
        if (src[i] === "\\") {
          const n = src[i + 1];
          if (/[0-9a-fA-F]/.test(n)) {
            bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
            i += 3;
          } else if (n === "u") {
            const close = src.indexOf("}", i);
            bytes.push(...enc.encode(String.fromCodePoint(parseInt(src.slice(i + 3, close), 16))));
            i = close + 1;
          } else {
            const map: Record<string, string> = {
              n: "\n",
              t: "\t",
              r: "\r",
              '"': '"',
              "'": "'",
              "\\": "\\",
            };
            bytes.push(...enc.encode(map[n] ?? n));
            i += 2;
          }
        } else {
          const cp = src.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          bytes.push(...enc.encode(ch));
          i += ch.length;
        }
      }
      i++;
      push({ kind: "string", bytes: new Uint8Array(bytes), start, end: i });
    } else if (/\s/.test(c)) {
      i++;
    } else {
      const start = i;
      while (i < src.length && !/[\s()";]/.test(src[i])) i++;
      push({ kind: "atom", text: src.slice(start, i), start, end: i });
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function moduleOf(src: string, n: Node): WastCase["module"] | undefined {
  if (n.kind !== "list" || n.items[0]?.kind !== "atom" || n.items[0].text !== "component") {
    return undefined;
  }
  let k = 1;
  const at = (j: number) => n.items[j];
  const isAtom = (j: number, t?: string) => {
    const x = at(j);
    return x?.kind === "atom" && (t === undefined || x.text === t);
  };
  if (isAtom(k, "definition") || isAtom(k, "instance")) k++;
  if (isAtom(k) && (at(k) as { text: string }).text.startsWith("$")) k++;
  if (isAtom(k, "binary")) {
    return {
      binary: concat(
        n.items.slice(k + 1).filter((x) => x.kind === "string").map((x) =>
          (x as { bytes: Uint8Array }).bytes
        ),
      ),
    };
  }
  if (isAtom(k, "quote")) {
    const text = n.items.slice(k + 1).map((x) =>
      new TextDecoder().decode((x as { bytes: Uint8Array }).bytes)
    ).join(" ");
    return { text: `(component ${text})`, quoted: true };
  }
  // Inline text: the source of the fields after the header.
  const first = at(k);
  const body = first === undefined ? "" : src.slice(first.start, n.end - 1);
  const id = isAtom(k - 1) && (at(k - 1) as { text: string }).text.startsWith("$")
    ? (at(k - 1) as { text: string }).text
    : "";
  return { text: `(component ${id} ${body})`, quoted: false };
}

/** The validation commands of a `.wast` script. */
export function readWast(src: string): WastCase[] {
  const line = (pos: number) => src.slice(0, pos).split("\n").length;
  const out: WastCase[] = [];
  for (const n of tokenizeAndParse(src)) {
    if (n.kind !== "list" || n.items[0]?.kind !== "atom") continue;
    const head = n.items[0].text;
    if (head === "component") {
      const m = moduleOf(src, n);
      if (m) out.push({ line: line(n.start), expect: "valid", module: m });
    } else if (head === "assert_invalid" || head === "assert_malformed") {
      const m = moduleOf(src, n.items[1]);
      const msg = n.items[2];
      if (!m) continue;
      out.push({
        line: line(n.start),
        expect: head === "assert_invalid" ? "invalid" : "malformed",
        message: msg?.kind === "string" ? new TextDecoder().decode(msg.bytes) : undefined,
        module: m,
      });
    }
  }
  return out;
}
