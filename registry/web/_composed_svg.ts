/**
 * "What it was composed from", as a picture: the components of a composed component's
 * `wreg:composed-from` record as boxes, each filled import as an arrow from the component that
 * fills it to the one that imports it, labelled with the import. Inline SVG made on the server
 * (no script, no inline style: colours come from the stylesheet's classes), with a text list
 * beside it for screen readers and for copying.
 */
import { type Html, join, markup } from "./_html.ts";
import { packageHref } from "./_urls.ts";

/** The `wreg:composed-from` record as the version document carries it (lib/compose's format). */
export interface ComposedFromDoc {
  format: number;
  components: { package: string | null; version: string | null; digest: string }[];
  fills: { into: number; import: string; by: number; export: string | null }[];
}

/** Most components drawn; a larger record is listed in text only past this. */
export const MAX_DRAWN = 24;

const BOX_H = 48;
const ROW_GAP = 28;
const COL_GAP = 150;
const PAD = 16;
const CHAR_W = 7.4;

/** A component's name as shown: `docs:logger-js@0.1.0`, or its short digest. */
export function componentLabel(c: ComposedFromDoc["components"][number]): string {
  if (c.package === null) return `component ${c.digest.slice(7, 19)}`;
  return c.version === null ? c.package : `${c.package}@${c.version}`;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * The layers of the picture: the component nothing else uses (the socket) first, then each
 * component one column further than the furthest component it fills. Cycles (which a valid
 * record does not have) are cut after `n` rounds.
 */
export function layerComponents(cf: ComposedFromDoc): number[] {
  const n = cf.components.length;
  const depth = new Array<number>(n).fill(0);
  const fills = cf.fills.filter((f) => f.into >= 0 && f.into < n && f.by >= 0 && f.by < n);
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (const f of fills) {
      if (f.by !== f.into && depth[f.by] < depth[f.into] + 1 && depth[f.into] + 1 < n) {
        depth[f.by] = depth[f.into] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

/**
 * The picture of a composition, as inline SVG markup with a caption list.
 *
 * @example
 * ```ts
 * import { composedFromSvg } from "./_composed_svg.ts";
 * const svg = composedFromSvg({
 *   format: 1,
 *   components: [
 *     { package: "docs:scrubber", version: "0.1.0", digest: "sha256:" + "a".repeat(64) },
 *     { package: "docs:logger", version: "0.1.0", digest: "sha256:" + "b".repeat(64) },
 *   ],
 *   fills: [{ into: 0, import: "docs:processor/logger@0.1.0", by: 1, export: null }],
 * });
 * console.assert(svg.value.includes("<svg") && svg.value.includes("docs:logger@0.1.0"));
 * ```
 */
export function composedFromSvg(cf: ComposedFromDoc): Html {
  const all = cf.components;
  const drawn = all.slice(0, MAX_DRAWN);
  const depth = layerComponents({ ...cf, components: drawn });
  const labels = drawn.map((c) => truncate(componentLabel(c), 40));
  const boxW = Math.min(
    340,
    Math.max(170, Math.ceil(Math.max(...labels.map((l) => l.length), 10) * CHAR_W) + 28),
  );
  const columns = new Map<number, number[]>();
  drawn.forEach((_, i) => {
    const col = columns.get(depth[i]) ?? [];
    col.push(i);
    columns.set(depth[i], col);
  });
  const pos: { x: number; y: number }[] = [];
  let maxRows = 1;
  for (const [d, members] of columns) {
    maxRows = Math.max(maxRows, members.length);
    members.forEach((i, row) => {
      pos[i] = { x: PAD + d * (boxW + COL_GAP), y: PAD + 18 + row * (BOX_H + ROW_GAP) };
    });
  }
  const cols = Math.max(...depth, 0) + 1;
  const width = PAD * 2 + cols * boxW + (cols - 1) * COL_GAP;
  const height = PAD * 2 + 18 + maxRows * (BOX_H + ROW_GAP) - ROW_GAP;

  // One arrow per (provider, consumer) pair, labelled with every import it fills.
  const edges = new Map<string, { by: number; into: number; imports: string[] }>();
  for (const f of cf.fills) {
    if (f.by >= drawn.length || f.into >= drawn.length || f.by < 0 || f.into < 0) continue;
    const key = `${f.by}>${f.into}`;
    const e = edges.get(key) ?? { by: f.by, into: f.into, imports: [] };
    e.imports.push(f.import);
    edges.set(key, e);
  }
  const arrows = [...edges.values()].map((e) => {
    const from = pos[e.by];
    const to = pos[e.into];
    const forward = from.x > to.x;
    const x1 = forward ? from.x : from.x + boxW;
    const x2 = (forward ? to.x + boxW : to.x) + (forward ? 6 : -6);
    const y1 = from.y + BOX_H / 2;
    const y2 = to.y + BOX_H / 2;
    const text = truncate(
      e.imports.map((i) => i.replace(/@[^@]*$/, "")).join(", "),
      Math.floor(COL_GAP / 6.2) + (forward ? 0 : 10),
    );
    const lx = (x1 + x2) / 2;
    const ly = (y1 + y2) / 2 - 6;
    return markup`<g class="cf-edge"><title>${
      e.imports.join(", ")
    }</title><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#cf-arrow)"></line><text x="${lx}" y="${ly}" text-anchor="middle">${text}</text></g>`;
  });
  const roots = new Set(drawn.map((_, i) => i).filter((i) => !cf.fills.some((f) => f.by === i)));
  const boxes = drawn.map((c, i) => {
    const { x, y } = pos[i];
    const href = c.package === null ? undefined : packageHref(c.package, c.version);
    const cls = roots.has(i) ? "cf-box cf-root" : "cf-box";
    const body = markup`<title>${
      componentLabel(c)
    }</title><rect x="${x}" y="${y}" width="${boxW}" height="${BOX_H}" rx="6"></rect><text x="${
      x + 12
    }" y="${y + 20}" class="cf-name">${labels[i]}</text><text x="${x + 12}" y="${
      y + 37
    }" class="cf-digest">${c.digest.slice(0, 19)}…</text>`;
    return href === undefined
      ? markup`<g class="${cls}">${body}</g>`
      : markup`<a href="${href}" class="${cls}">${body}</a>`;
  });
  const captions = cf.fills.flatMap((f) => {
    const into = all[f.into];
    const by = all[f.by];
    if (into === undefined || by === undefined) return [];
    const how = f.export !== null && f.export !== f.import
      ? markup` with <code>${f.export}</code>`
      : "";
    return [
      markup`<li><code>${componentLabel(by)}</code> fills <code>${f.import}</code> of <code>${
        componentLabel(into)
      }</code>${how}</li>`,
    ];
  });
  const more = all.length > drawn.length
    ? markup`<p class="note">${all.length - drawn.length} more components are not drawn.</p>`
    : "";
  return markup`<figure class="composed">
<svg class="cf" role="img" aria-labelledby="cf-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="cf-title">Composed from ${all.length} components</title>
<defs><marker id="cf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="cf-head"></path></marker></defs>
<text x="${PAD}" y="${
    PAD + 6
  }" class="cf-legend">arrows: a component fills an import of another</text>
${join(arrows, "\n")}
${join(boxes, "\n")}
</svg>
<figcaption><ul class="fills">${join(captions, "\n")}</ul>${more}</figcaption>
</figure>`;
}
