/**
 * The pages of the web index as pure functions: a view (plain data read from the storage and
 * the precomputed version documents) in, a whole HTML page out. Nothing here reads storage or
 * decodes anything; registry/web/_handlers.ts gathers the views. Golden tests render fixed views.
 */
import { type Change, CHANGE_KIND_TEXT, type CompatReport } from "../../lib/compat/mod.ts";
import type { ItemDoc, VersionDocument } from "../_document.ts";
import type { PackageDocument, VersionResponse } from "../_reads.ts";
import type { ResolvedWorld, SearchResult } from "../_search.ts";
import { type CapabilitySummary, summarizeCapabilities } from "./_capabilities.ts";
import { type ComposedFromDoc, composedFromSvg } from "./_composed_svg.ts";
import { externalHref, type Html, join, markup } from "./_html.ts";
import { page } from "./_layout.ts";
import { diffLines, hunks } from "./_line_diff.ts";
import {
  diffHref,
  downloadHref,
  packageHref,
  searchHref,
  type SearchParams,
  witHref,
} from "./_urls.ts";
import { type HighlightedWit, highlightWit, lexWit, type WitLinks } from "./_wit_highlight.ts";

// ---------------------------------------------------------------------------------------------
// Small formatters

/** A size in bytes as people read it: `6.4 KiB`, `17.4 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A count with its noun: `1 version`, `3 versions`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A timestamp as a `<time>` showing its date (UTC). */
function date(iso: string): Html {
  return markup`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

/**
 * A doc comment as prose: paragraphs at blank lines, `code spans` in backticks. Everything is
 * escaped; nothing else of Markdown is interpreted.
 */
export function prose(text: string | undefined | null, cls?: string): Html {
  if (text === undefined || text === null || text.trim() === "") return markup``;
  const paragraphs = text.trim().split(/\n\s*\n/);
  return join(
    paragraphs.map((p) => {
      const parts = p.split("`");
      // An odd number of backticks: the last one is text, not the start of code.
      if (parts.length % 2 === 0) {
        const last = parts.pop()!;
        parts[parts.length - 1] += `\`${last}`;
      }
      const body = parts.map((s, i) => (i % 2 === 1 ? markup`<code>${s}</code>` : s));
      return cls === undefined ? markup`<p>${body}</p>` : markup`<p class="${cls}">${body}</p>`;
    }),
    "\n",
  );
}

function kindBadge(kind: string): Html {
  return kind === "component"
    ? markup`<span class="badge component">component</span>`
    : markup`<span class="badge wit-package">WIT package</span>`;
}

function kindWords(kind: string): string {
  return kind === "component" ? "Component" : "WIT package";
}

/** A link to a package (or plain text when the name is not valid). */
function packageLink(pkg: string, version?: string | null, text?: string): Html {
  const href = packageHref(pkg, version);
  const label = text ?? (version ? `${pkg}@${version}` : pkg);
  return href === undefined
    ? markup`<code>${label}</code>`
    : markup`<a href="${href}">${label}</a>`;
}

// ---------------------------------------------------------------------------------------------
// Home

/** What the home page shows. */
export interface HomeView {
  totals: { packages: number; versions: number; namespaces: number; bytes: number };
  recent: {
    name: string;
    kind: string;
    description: string;
    latestVersion: string | null;
    updatedAt: string;
  }[];
}

function plural(n: number, one: string): string {
  return n === 1 ? one : `${one}s`;
}

/** `/`: a search box, the totals, the packages published most recently. */
export function renderHome(view: HomeView): Html {
  const t = view.totals;
  const items = view.recent.map((p) => {
    const version = p.latestVersion === null
      ? ""
      : markup` <span class="muted">${p.latestVersion}</span>`;
    const about = p.description === "" ? "" : markup`<p>${p.description}</p>`;
    return markup`<li><a class="name" href="${packageHref(p.name) ?? "/"}">${p.name}</a> ${
      kindBadge(p.kind)
    }${version} · ${date(p.updatedAt)}${about}</li>`;
  });
  const recent = view.recent.length === 0
    ? markup`<p class="muted">Nothing is published yet. Publish with <code>wreg publish</code>.</p>`
    : markup`<ul class="results">${join(items, "\n")}</ul>`;
  return page({
    title: "WebAssembly components and WIT packages",
    description:
      "Find WebAssembly components by the interfaces they use and the worlds they implement.",
    bareHeader: true,
    body: markup`<section class="hero">
<h1>WebAssembly components, by what they do</h1>
<p class="lead">Find components and WIT packages by name, by the interfaces they import and export, or by the world they implement. Read their WIT, see what they need from the host and what changed between versions.</p>
<form action="/search" method="get" role="search">
<label class="sr-only" for="q">Search packages</label>
<input type="search" id="q" name="q" placeholder="Search packages, for example: logger" autocomplete="off" autofocus>
<button type="submit">Search</button>
</form>
<p class="note">Or <a href="/search">search by interface or world</a>.</p>
</section>
<ul class="totals" aria-label="Totals">
<li><b>${t.packages}</b><span>${plural(t.packages, "package")}</span></li>
<li><b>${t.versions}</b><span>${plural(t.versions, "version")}</span></li>
<li><b>${t.namespaces}</b><span>${plural(t.namespaces, "namespace")}</span></li>
<li><b>${formatBytes(t.bytes)}</b><span>published</span></li>
</ul>
<h2>Recently published</h2>
${recent}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Search

/** What the search page shows. */
export interface SearchView {
  params: SearchParams;
  /** The answer, when a query was given and valid. */
  results?: SearchResult[];
  /** The world a world filter was resolved to. */
  world?: ResolvedWorld;
  /** Why the query was refused (an invalid interface name, an unknown world). */
  error?: string;
}

function filterField(
  name: keyof SearchParams,
  label: string,
  hint: string,
  value: string | undefined,
  placeholder: string,
): Html {
  return markup`<label for="f-${name}">${label}
<input type="text" id="f-${name}" name="${name}" value="${
    value ?? ""
  }" placeholder="${placeholder}" autocomplete="off" spellcheck="false">
<span class="hint">${hint}</span></label>`;
}

function option(value: string, text: string, selected: boolean): Html {
  const attr = selected ? markup` selected` : "";
  return markup`<option value="${value}"${attr}>${text}</option>`;
}

function describeQuery(p: SearchParams): string {
  const parts: string[] = [];
  if (p.q) parts.push(`“${p.q}”`);
  if (p.exports) parts.push(`exports ${p.exports}`);
  if (p.imports) parts.push(`imports ${p.imports}`);
  if (p.world) parts.push(`implements ${p.world}`);
  if (p.kind) parts.push(p.kind === "component" ? "components only" : "WIT packages only");
  return parts.join(", ");
}

function searchForm(p: SearchParams): Html {
  const kinds = [
    option("", "any", !p.kind),
    option("component", "components", p.kind === "component"),
    option("wit-package", "WIT packages", p.kind === "wit-package"),
  ];
  const hosts = [
    option("wasi", "WASI", p.host !== "none"),
    option("none", "nothing", p.host === "none"),
  ];
  return markup`<form class="filters" action="/search" method="get" role="search" aria-label="Search with filters">
${filterField("q", "Words", "in the name or the description", p.q, "logger")}
${
    filterField(
      "exports",
      "Exports interface",
      "packages that provide it",
      p.exports,
      "wasi:http/incoming-handler@0.2.0",
    )
  }
${
    filterField(
      "imports",
      "Imports interface",
      "packages that need it",
      p.imports,
      "docs:processor/logger",
    )
  }
${
    filterField(
      "world",
      "Implements world",
      "components that export all it exports and import no more",
      p.world,
      "docs:processor/processor@0.1.0",
    )
  }
<label for="f-kind">Kind
<select id="f-kind" name="kind">${kinds}</select>
<span class="hint">components or WIT packages</span></label>
<label for="f-host">The host provides
<select id="f-host" name="host">${hosts}</select>
<span class="hint">for a world: imports a component may add</span></label>
<div class="actions"><button type="submit">Search</button></div>
</form>`;
}

function resultItem(r: SearchResult): Html {
  const href = packageHref(r.package, r.version === r.latest ? null : r.version) ?? "/";
  const version = r.version === null ? "" : markup` <span class="muted">${r.version}</span>`;
  const about = r.description === "" ? "" : markup`<p>${r.description}</p>`;
  const via = r.matched === undefined || r.matched.length === 0
    ? ""
    : markup`<p class="muted matched">matched by ${
      join(r.matched.map((m) => markup`<code>${m}</code>`), ", ")
    }</p>`;
  return markup`<li><a class="name" href="${href}">${r.package}</a> ${
    kindBadge(r.kind)
  }${version}${about}${via}</li>`;
}

/** `/search`: the form with every filter, and the results. */
export function renderSearch(view: SearchView): Html {
  const p = view.params;
  let body: Html;
  if (view.error !== undefined) {
    body = markup`<div class="callout warn" role="alert"><p>${view.error}</p></div>`;
  } else if (view.results === undefined) {
    body =
      markup`<p class="muted">Search by words, or by what packages do: the interfaces they export or import (<code>namespace:package/interface</code>, with an optional <code>@version</code>, which stands for its semver series: the types decide) and the world a component implements.</p>`;
  } else {
    const w = view.world;
    const world = w === undefined
      ? ""
      : markup`<p class="note">Checked against the world <a href="${
        packageHref(w.package, w.version) ?? "/"
      }#${w.name}">${w.id}</a> (from ${w.package} ${w.version}).</p>\n`;
    const list = view.results.length === 0
      ? markup`<p>No package matches. Try fewer words, or an interface without its version.</p>`
      : markup`<ul class="results">${join(view.results.map(resultItem), "\n")}</ul>`;
    body = markup`<h2>${count(view.results.length, "result")} <span class="muted">for ${
      describeQuery(p)
    }</span></h2>
${world}${list}`;
  }
  return page({
    title: view.results === undefined ? "Search" : `Search: ${describeQuery(p)}`,
    query: p.q,
    body: markup`<h1>Search packages</h1>
${searchForm(p)}
${body}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Package and version

/** A package found by a lookup (an implementation, a dependent). */
export interface Found {
  package: string;
  version: string;
}

/** What a package page shows. */
export interface PackageView {
  /** The package document (as the API serves it). */
  pkg: PackageDocument;
  /** The version shown, with its document. */
  version: VersionResponse;
  /** Whether the URL named the version (`/ns/name@1.2.3`). */
  pinned: boolean;
  /** The packages published here (`ns:name`): references to these are links. */
  known: ReadonlySet<string>;
  /** For a WIT package: the components that export each interface (by interface name). */
  implementations: Record<string, Found[]>;
  /** For a WIT package: the components that implement each world (by world name). */
  targets: Record<string, Found[]>;
  /** The packages whose latest version depends on this one. */
  dependents: Found[];
  /** For a package of a mirrored namespace: the upstream it is mirrored from, and changes seen. */
  mirror?: MirrorNote;
  /** The version's OCI reference and the `wkg get` / `oras pull` lines (registry/oci). */
  oci?: { reference: string; wkg: string; oras: string };
}

/** Where a mirrored package comes from, and the upstream tags that changed after mirroring. */
export interface MirrorNote {
  /** The upstream registry (`oci://host/prefix/` or a registry name). */
  from: string;
  /** Versions whose upstream tag now points at other bytes (not served here). */
  changed: { version: string; reference: string; mirrored: string; upstream: string }[];
}

/** The "mirrored from …" callout of a mirrored package's pages. */
function mirrorCallout(m: MirrorNote | undefined, version?: string): Html | "" {
  if (m === undefined) return "";
  const changed = m.changed.filter((c) => version === undefined || c.version === version);
  const warnings = changed.map((c) =>
    markup`<p><strong>The upstream tag ${c.reference} changed</strong> after ${c.version} was mirrored: it now points at <code>${c.upstream}</code>. This registry keeps serving the bytes it first mirrored, <code>${c.mirrored}</code>.</p>`
  );
  return markup`<div class="callout${
    changed.length > 0 ? " warn" : ""
  }" role="note"><p>Mirrored from <code>${m.from}</code>: fetched from the upstream, verified and kept here; it is published there, not here.</p>${
    join(warnings, "\n")
  }</div>`;
}

function witLinks(known: ReadonlySet<string>): WitLinks {
  return {
    packageHref: (pkg, version) => (known.has(pkg) ? packageHref(pkg, version) : undefined),
  };
}

function foundList(found: readonly Found[] | undefined, none: Html): Html {
  if (found === undefined || found.length === 0) return none;
  return join(found.map((f) => packageLink(f.package, f.version)), ", ");
}

function codeBlock(code: Html): Html {
  return markup`<pre class="wit"><code>${code}</code></pre>`;
}

function interfaceSection(
  iface: VersionDocument["interfaces"][number],
  code: Html | undefined,
  users: readonly Found[] | undefined,
): Html {
  const fallback = markup`<ul class="plain">${[
    ...iface.types.map((t) => markup`<li><code>${t.kind} ${t.name}</code></li>`),
    ...iface.functions.map((f) => markup`<li><code>${f.signature}</code></li>`),
  ]}</ul>`;
  const none = markup`<span class="muted">no component here exports it yet</span>`;
  return markup`<section class="item" aria-labelledby="h-i-${iface.name}">
<h3 id="h-i-${iface.name}"><span class="kind">interface</span> ${iface.name}</h3>
${prose(iface.docs)}
${code === undefined ? fallback : codeBlock(code)}
<p class="users"><b>Implemented by:</b> ${foundList(users, none)} · <a href="${
    searchHref({ exports: iface.id })
  }">search for <code>${iface.id}</code></a></p>
</section>`;
}

function worldSection(
  world: VersionDocument["worlds"][number],
  code: Html | undefined,
  users: readonly Found[] | undefined,
): Html {
  const fallback = markup`<ul class="plain">${[
    ...world.imports.map((i) => markup`<li>import <code>${i.signature ?? i.name}</code></li>`),
    ...world.exports.map((i) => markup`<li>export <code>${i.signature ?? i.name}</code></li>`),
  ]}</ul>`;
  const none = markup`<span class="muted">none published here yet</span>`;
  return markup`<section class="item" aria-labelledby="h-w-${world.name}">
<h3 id="h-w-${world.name}"><span class="kind">world</span> ${world.name}</h3>
${prose(world.docs)}
${code === undefined ? fallback : codeBlock(code)}
<p class="users"><b>Components that target it:</b> ${foundList(users, none)} · <a href="${
    searchHref({ world: world.id ?? world.name })
  }">search</a> <span class="muted">(the host providing WASI)</span></p>
</section>`;
}

/**
 * A world's imports or exports: interfaces grouped by the package (and version) that defines
 * them, each linked to its definition when that package is published here; functions with their
 * signatures. Types are left out (they come with the interfaces).
 */
function itemList(items: readonly ItemDoc[], known: ReadonlySet<string>, none: string): Html {
  const groups = new Map<string, { pkg: string; version: string | null; names: string[] }>();
  const others: ItemDoc[] = [];
  for (const item of items) {
    if (item.kind === "type") continue;
    const i = item.interface;
    if (item.kind !== "interface" || i === undefined) {
      others.push(item);
      continue;
    }
    const key = `${i.package}@${i.version ?? ""}`;
    const g = groups.get(key) ?? { pkg: i.package, version: i.version, names: [] };
    g.names.push(i.name);
    groups.set(key, g);
  }
  if (groups.size === 0 && others.length === 0) return markup`<p class="muted">${none}</p>`;
  const lines = [...groups.values()].map((g) => {
    const href = known.has(g.pkg) ? packageHref(g.pkg, g.version) : undefined;
    const names = g.names.map((n) =>
      href === undefined
        ? markup`<code>${n}</code>`
        : markup`<a href="${href}#${n}"><code>${n}</code></a>`
    );
    const pkg = href === undefined
      ? markup`<code class="pkgname" title="not published in this registry">${g.pkg}</code>`
      : markup`<a class="pkgname" href="${href}">${g.pkg}</a>`;
    const version = g.version === null ? "" : markup` <span class="muted">${g.version}</span>`;
    return markup`<li>${pkg}${version}: ${join(names, ", ")}</li>`;
  });
  const fns = others.map((i) =>
    markup`<li><code>${i.kind === "function" ? (i.signature ?? i.name) : i.name}</code></li>`
  );
  return markup`<ul class="plain items">${join([...lines, ...fns], "\n")}</ul>`;
}

function capabilityItems(caps: CapabilitySummary["needs"]): Html {
  return join(
    caps.map((c) =>
      markup`<li data-cap="${c.key}"><strong>${c.label}</strong><small>${
        join(c.via, ", ")
      }</small></li>`
    ),
    "\n",
  );
}

function capabilityList(s: CapabilitySummary): Html {
  const needs = s.pure
    ? markup`<li class="pure"><strong>Needs nothing from the host.</strong> No files, network, clocks or randomness: it only computes.</li>`
    : capabilityItems(s.needs);
  const provides = s.provides.length === 0 ? "" : markup`<h3>What it provides</h3>
<ul class="caps">${capabilityItems(s.provides)}</ul>`;
  return markup`<h3>What it needs from the host</h3>
<ul class="caps">${needs}</ul>
${provides}`;
}

function versionList(view: PackageView): Html {
  const { pkg } = view;
  const items = pkg.versions.map((v, i) => {
    const previous = pkg.versions[i + 1];
    const current = v.version === view.version.version
      ? markup` class="current" aria-current="page"`
      : "";
    const badges = [
      v.yanked ? markup` <span class="badge yanked">yanked</span>` : "",
      v.prerelease ? markup` <span class="badge pre">pre-release</span>` : "",
      v.version === pkg.latest ? markup` <span class="badge ok">latest</span>` : "",
    ];
    const changes = previous === undefined
      ? ""
      : markup` <a class="changes" href="${
        diffHref(pkg.name, previous.version, v.version) ?? "/"
      }" title="What changed since ${previous.version}">changes</a>`;
    return markup`<li${current}><a href="${
      packageHref(pkg.name, v.version) ?? "/"
    }">${v.version}</a>${badges}${changes} ${date(v.publishedAt)}</li>`;
  });
  return markup`<ul class="versions">${join(items, "\n")}</ul>`;
}

function dependencyList(deps: VersionDocument["dependencies"], known: ReadonlySet<string>): Html {
  if (deps.length === 0) return markup`<p class="muted">None.</p>`;
  const items = deps.map((d) => {
    const name = known.has(d.package)
      ? packageLink(d.package, d.version, d.package)
      : markup`<code title="not published in this registry">${d.package}</code>`;
    return markup`<li>${name} <span class="muted">${d.range}</span></li>`;
  });
  return markup`<ul class="plain">${join(items, "\n")}</ul>`;
}

function composedFromOf(doc: VersionDocument): ComposedFromDoc | undefined {
  const cf = (doc as { composedFrom?: unknown }).composedFrom;
  if (typeof cf !== "object" || cf === null) return undefined;
  const c = cf as ComposedFromDoc;
  return Array.isArray(c.components) && Array.isArray(c.fills) ? c : undefined;
}

function witPackageMain(view: PackageView, highlighted: HighlightedWit): Html {
  const doc = view.version;
  const ifaces = doc.interfaces.map((i) =>
    interfaceSection(i, highlighted.items.get(i.name), view.implementations[i.name])
  );
  const worlds = doc.worlds.map((w) =>
    worldSection(w, highlighted.items.get(w.name), view.targets[w.name])
  );
  const none = markup`<p class="muted">None.</p>`;
  return markup`<h2 id="sec-interfaces">Interfaces <span class="muted">(${doc.interfaces.length})</span></h2>
${ifaces.length === 0 ? none : join(ifaces, "\n")}
<h2 id="sec-worlds">Worlds <span class="muted">(${doc.worlds.length})</span></h2>
${worlds.length === 0 ? none : join(worlds, "\n")}
<p class="note">The whole package as one file: <a href="${
    witHref(view.pkg.name, doc.version) ?? "/"
  }">WIT text</a>.</p>`;
}

function componentMain(view: PackageView, highlighted: HighlightedWit): Html {
  const doc = view.version;
  const world = doc.worlds[0] ?? { name: "root", id: null, imports: [], exports: [] };
  const composed = composedFromOf(doc);
  const worldCode = highlighted.items.get(world.name);
  const composition = composed === undefined ? "" : markup`<h2 id="sec-composed">Composed from</h2>
<p>This component was made by composing ${
    count(composed.components.length, "component")
  }: each arrow is an import filled by another component.</p>
${composedFromSvg(composed)}\n`;
  const nested = highlighted.nested;
  const uses = worldCode === undefined || nested.length === 0 ? "" : markup`<details class="deps">
<summary>The WIT of the ${count(nested.length, "package")} it uses: ${
    join(nested.map((n) => n.name), ", ")
  }</summary>
${codeBlock(join(nested.map((n) => n.html), "\n\n"))}
</details>\n`;
  return markup`<h2 id="sec-world">Its world</h2>
<div class="world">
<section aria-labelledby="h-imports"><h3 id="h-imports">Imports</h3>${
    itemList(world.imports, view.known, "It imports nothing.")
  }</section>
<section aria-labelledby="h-exports"><h3 id="h-exports">Exports</h3>${
    itemList(world.exports, view.known, "It exports nothing.")
  }</section>
</div>
<h2 id="sec-capabilities">Capabilities</h2>
${capabilityList(summarizeCapabilities(world))}
${composition}<h2 id="sec-wit">WIT</h2>
${codeBlock(worldCode ?? highlighted.html)}
${uses}<p class="note">The whole world as one file: <a href="${
    witHref(view.pkg.name, doc.version) ?? "/"
  }">WIT text</a>.</p>`;
}

function aboutPackage(view: PackageView): Html {
  const { pkg, version: doc } = view;
  const meta = doc.metadata as Record<string, unknown>;
  const facts: Html[] = [
    markup`<dt>Kind</dt><dd>${kindWords(doc.kind)}</dd>`,
    markup`<dt>Version</dt><dd>${doc.version}</dd>`,
    markup`<dt>Published</dt><dd>${date(doc.publishedAt)} by ${doc.publisher}</dd>`,
    markup`<dt>Size</dt><dd>${formatBytes(doc.size)}</dd>`,
    markup`<dt>Digest</dt><dd><code>${doc.digest}</code></dd>`,
  ];
  if (doc.signature !== undefined) {
    facts.push(
      doc.signature
        ? markup`<dt>Signed</dt><dd>signed by <code title="publisher key ID">${doc.signature.keyId}</code> <a href="/api/v1/packages/${pkg.namespace}/${
          pkg.name.slice(pkg.namespace.length + 1)
        }/${doc.version}/signature">bundle</a></dd>`
        : markup`<dt>Signed</dt><dd class="muted">unsigned</dd>`,
    );
  }
  if (doc.log) {
    facts.push(
      markup`<dt>Log</dt><dd>entry <a href="/log">#${doc.log.index}</a> <a href="/api/v1/packages/${pkg.namespace}/${
        pkg.name.slice(pkg.namespace.length + 1)
      }/${doc.version}/log-proof">proof</a></dd>`,
    );
  }
  if (typeof meta.licenses === "string") {
    facts.push(markup`<dt>License</dt><dd>${meta.licenses}</dd>`);
  }
  if (typeof meta.authors === "string") {
    facts.push(markup`<dt>Authors</dt><dd>${meta.authors}</dd>`);
  }
  for (const [key, label] of [["homepage", "Homepage"], ["source", "Source"]] as const) {
    const href = externalHref(meta[key]);
    if (href !== undefined) {
      facts.push(
        markup`<dt>${label}</dt><dd><a href="${href}" rel="nofollow noopener noreferrer">${href}</a></dd>`,
      );
    }
  }
  facts.push(
    markup`<dt>Owners</dt><dd>${pkg.owners.length === 0 ? "none" : join(pkg.owners, ", ")}</dd>`,
  );
  const href = downloadHref(pkg.name, doc.version);
  const file = `${pkg.name.replace(":", "-")}-${doc.version}.wasm`;
  const download = href === undefined
    ? ""
    : markup`<p><a href="${href}" download="${file}">Download ${
      doc.kind === "component" ? "the component" : "the WIT package"
    }</a> <span class="muted">(.wasm, ${formatBytes(doc.size)})</span></p>\n`;
  const dependents = view.dependents.length === 0
    ? markup`<p class="muted">No package here depends on it.</p>`
    : markup`<ul class="plain">${
      join(view.dependents.map((d) => markup`<li>${packageLink(d.package, d.version)}</li>`), "\n")
    }</ul>`;
  return markup`<aside aria-label="About this package">
<h2>About</h2>
<dl class="facts">
${join(facts, "\n")}
</dl>
${download}<h2>Versions <span class="muted">(${pkg.versions.length})</span></h2>
${versionList(view)}
<h2>Dependencies</h2>
${dependencyList(doc.dependencies, view.known)}
<h2>Dependents</h2>
${dependents}
</aside>`;
}

/** `/ns/name` and `/ns/name@version`: everything about a package at one version. */
export function renderPackage(view: PackageView): Html {
  const { pkg, version: doc } = view;
  const highlighted = highlightWit(doc.wit, witLinks(view.known));
  const isLatest = doc.version === pkg.latest;
  const description = doc.description ?? (pkg.description === "" ? null : pkg.description);
  const notes: Html[] = [];
  const mirrored = mirrorCallout(view.mirror, doc.version);
  if (mirrored !== "") notes.push(mirrored);
  if (doc.yanked) {
    const since = doc.yankedAt === null ? "" : markup` (since ${date(doc.yankedAt)})`;
    notes.push(
      markup`<div class="callout warn" role="note"><p><strong>This version is yanked</strong>${since}: resolvers skip it; it stays downloadable for lock files that name it.</p></div>`,
    );
  }
  if (!isLatest && pkg.latest !== null) {
    notes.push(
      markup`<div class="callout" role="note"><p>You are reading ${doc.version}. The latest version is <a href="${
        packageHref(pkg.name) ?? "/"
      }">${pkg.latest}</a>.</p></div>`,
    );
  }
  if (doc.compat !== null) {
    const c = doc.compat;
    const verdict = c.compatible
      ? markup`<span class="badge ok">compatible</span>`
      : markup`<span class="badge breaking">breaking</span>`;
    notes.push(
      markup`<p class="note">Compared with ${c.against}: ${verdict} (a ${c.bump} change) · <a href="${
        diffHref(pkg.name, c.against, doc.version) ?? "/"
      }">see what changed</a></p>`,
    );
  }
  const main = doc.kind === "wit-package"
    ? witPackageMain(view, highlighted)
    : componentMain(view, highlighted);
  const [ns, name] = pkg.name.split(":");
  const badges = [
    kindBadge(doc.kind),
    markup` <span class="badge">${doc.version}</span>`,
    isLatest ? markup` <span class="badge ok">latest</span>` : "",
    doc.yanked ? markup` <span class="badge yanked">yanked</span>` : "",
  ];
  const install = view.pinned && !isLatest ? `${pkg.name}@${doc.version}` : pkg.name;
  return page({
    title: view.pinned ? `${pkg.name}@${doc.version}` : pkg.name,
    description: description ?? `${kindWords(doc.kind)} ${pkg.name} on wreg`,
    body: markup`<p class="crumbs"><a href="/">wreg</a> / ${ns} / <a href="${
      packageHref(pkg.name) ?? "/"
    }">${name}</a></p>
<h1>${pkg.name}</h1>
<p>${badges}</p>
${prose(description, "lead")}
<div class="install"><pre><code>wreg add ${install}</code></pre><span>to use it in a project</span></div>
${ociLines(view)}${join(notes, "\n")}
<div class="layout">
<div class="main">
${main}
</div>
${aboutPackage(view)}
</div>`,
  });
}

/** The OCI reference of the version and the commands of OCI clients that fetch it. */
function ociLines(view: PackageView): Html | string {
  if (view.oci === undefined) return "";
  const { reference, wkg, oras } = view.oci;
  return markup`<div class="install oci"><pre><code>${wkg}
${oras}</code></pre><span>with OCI clients: <code>${reference}</code></span></div>
`;
}

// ---------------------------------------------------------------------------------------------
// Diff

/** What the diff page shows. */
export interface DiffView {
  /** `ns:name`. */
  package: string;
  kind: string;
  /** Every version, highest first (for the pickers). */
  versions: string[];
  from: { version: string; wit: string };
  to: { version: string; wit: string };
  /** lib/compat's report from `from` to `to`. */
  report: CompatReport;
  /** For a package of a mirrored namespace. */
  mirror?: MirrorNote;
}

function category(c: Change): "added" | "removed" | "changed" {
  if (c.kind.startsWith("added-")) return "added";
  if (c.kind.startsWith("removed-")) return "removed";
  return "changed";
}

const CATEGORY_WORD = { added: "Added", removed: "Removed", changed: "Changed" } as const;

function changeItem(c: Change): Html {
  const cat = category(c);
  const badge = c.breaking
    ? markup`<span class="badge breaking">breaking</span>`
    : markup`<span class="badge">${c.bump}</span>`;
  const reason = c.reason === undefined ? "" : markup` <span class="muted">${c.reason}</span>`;
  const old = c.old === undefined || c.old === ""
    ? ""
    : markup`<pre class="old" aria-label="before"><code>${highlightLine(c.old)}</code></pre>`;
  const neu = c.new === undefined || c.new === ""
    ? ""
    : markup`<pre class="new" aria-label="after"><code>${highlightLine(c.new)}</code></pre>`;
  return markup`<li class="${cat}"><span class="what">${
    CATEGORY_WORD[cat]
  }</span> <code>${c.path}</code> — ${
    CHANGE_KIND_TEXT[c.kind] ?? c.kind
  } ${badge}${reason}${old}${neu}</li>`;
}

const LINE_CLASS: Partial<Record<string, string>> = {
  keyword: "w-kw",
  builtin: "w-ty",
  doc: "w-doc",
  comment: "w-doc",
  pkgref: "w-pkg",
  annotation: "w-ann",
};

/** A line of WIT, highlighted on its own (no links: a line has no scope). */
function highlightLine(text: string): Html {
  return join(
    lexWit(text).map((t) => {
      const cls = LINE_CLASS[t.kind];
      return cls === undefined ? t.text : markup`<span class="${cls}">${t.text}</span>`;
    }),
  );
}

function textDiff(from: string, to: string): Html {
  const lines = diffLines(from, to);
  if (lines === undefined) {
    return markup`<p class="muted">The two texts are too large to compare line by line here.</p>`;
  }
  if (lines.every((l) => l.kind === "same")) {
    return markup`<p class="muted">The WIT text is the same.</p>`;
  }
  const rows = hunks(lines).map((h) => {
    if (h.kind === "fold") {
      return markup`<tr class="fold"><td colspan="3">${count(h.count, "unchanged line")}</td></tr>`;
    }
    return join(
      h.lines.map((l) =>
        markup`<tr class="${l.kind}"><td class="n">${l.oldLine ?? ""}</td><td class="n">${
          l.newLine ?? ""
        }</td><td class="t">${highlightLine(l.text)}</td></tr>`
      ),
      "\n",
    );
  });
  return markup`<div class="difftext"><table aria-label="WIT line diff"><tbody>
${join(rows, "\n")}
</tbody></table></div>`;
}

function verdictOf(view: DiffView): Html {
  const { report } = view;
  if (report.compatible) {
    const what = report.changes.length === 0
      ? "no API changes: a patch release"
      : report.bump === "minor"
      ? "additions only: a minor release"
      : "documentation or annotations only: a patch release";
    return markup`<div class="verdict ok" role="status"><strong>Compatible</strong> <span>${what}</span> <span class="badge ok">${report.bump}</span></div>`;
  }
  const breaking = report.changes.filter((c) => c.breaking).length;
  return markup`<div class="verdict breaking" role="status"><strong>Breaking</strong> <span>${
    count(breaking, "breaking change")
  }: what worked with ${view.from.version} may not work with ${view.to.version}; this needs a new semver series (a major release)</span> <span class="badge breaking">${report.bump}</span></div>`;
}

/** `/ns/name/diff/a...b`: lib/compat's verdict, the changes by kind, and the WIT line diff. */
export function renderDiff(view: DiffView): Html {
  const { report } = view;
  const by = { added: [] as Change[], removed: [] as Change[], changed: [] as Change[] };
  for (const c of report.changes) by[category(c)].push(c);
  const picker = (name: string, label: string, selected: string) =>
    markup`<label for="p-${name}">${label}<select id="p-${name}" name="${name}">${
      view.versions.map((v) => option(v, v, v === selected))
    }</select></label>`;
  const base = packageHref(view.package) ?? "/";
  const sections = (["added", "removed", "changed"] as const).flatMap((k) =>
    by[k].length === 0 ? [] : [
      markup`<h3>${CATEGORY_WORD[k]} <span class="muted">(${by[k].length})</span></h3>
<ul class="changes">${join(by[k].map(changeItem), "\n")}</ul>`,
    ]
  );
  const what = view.kind === "component" ? "the component's world" : "the WIT package";
  return page({
    title: `${view.package} ${view.from.version}...${view.to.version}`,
    description:
      `What changed in ${view.package} between ${view.from.version} and ${view.to.version}`,
    body:
      markup`<p class="crumbs"><a href="/">wreg</a> / <a href="${base}">${view.package}</a> / diff</p>
<h1>${view.package}: ${view.from.version} → ${view.to.version}</h1>
<p class="muted">What changed in the API (${what}) from <a href="${
        packageHref(view.package, view.from.version) ?? "/"
      }">${view.from.version}</a> to <a href="${
        packageHref(view.package, view.to.version) ?? "/"
      }">${view.to.version}</a>.</p>
${mirrorCallout(view.mirror)}${verdictOf(view)}
<form class="pick" action="${base}/diff" method="get" aria-label="Compare other versions">
${picker("from", "From", view.from.version)}
${picker("to", "To", view.to.version)}
<button type="submit">Compare</button>
</form>
<h2>What changed <span class="muted">(${count(report.changes.length, "change")})</span></h2>
${report.changes.length === 0 ? markup`<p>Nothing in the API changed.</p>` : join(sections, "\n")}
<h2>The WIT, line by line</h2>
${textDiff(view.from.wit, view.to.wit)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Not found

/** What the 404 page says. */
export interface NotFoundView {
  /** What was not found, as a sentence. */
  message: string;
  /** Packages with similar names. */
  suggestions: string[];
  /** A search to offer, prefilled. */
  query: string;
}

/** The 404 page: what is missing, similar package names, a search box. */
export function renderNotFound(view: NotFoundView): Html {
  const suggestions = view.suggestions.length === 0 ? "" : markup`<h2>Did you mean</h2>
<ul class="plain">${
    join(view.suggestions.map((s) => markup`<li>${packageLink(s)}</li>`), "\n")
  }</ul>
`;
  return page({
    title: "Not found",
    body: markup`<div class="notfound">
<h1>Not found</h1>
<p>${view.message}</p>
${suggestions}<h2>Search instead</h2>
<form action="/search" method="get" role="search">
<label class="sr-only" for="nf-q">Search packages</label>
<input type="search" id="nf-q" name="q" value="${view.query}" autocomplete="off">
<button type="submit">Search</button>
</form>
<p><a href="/">Home</a> · <a href="/search">Search by interface or world</a></p>
</div>`,
  });
}

/** What the log page shows. */
export interface LogView {
  /** The log's URL (`<origin>/log`). */
  url: string;
  /** The note verifier key clients pin. */
  verifierKey: string;
  /** The latest signed checkpoint. */
  checkpoint: { size: number; note: string };
  /** The newest entries, newest first. */
  recent: { index: number; entry: string }[];
}

/** `/log`: the transparency log's size, latest checkpoint, newest entries and how to verify. */
export function renderLog(view: LogView): Html {
  const recent = view.recent.length === 0
    ? markup`<p class="muted">The log is empty.</p>`
    : markup`<ol class="plain">${
      join(
        view.recent.map((e) => markup`<li><code>#${e.index} ${e.entry.trimEnd()}</code></li>`),
        "\n",
      )
    }</ol>`;
  return page({
    title: "Transparency log",
    body: markup`<h1>Transparency log</h1>
<p>Every release, yank, unyank and publisher key of this registry is an entry of an append-only
Merkle tree (RFC 6962). The registry signs its checkpoints; anyone can check that a release is in
the log and that the log only grows, with this registry's tools or with Go's
<code>golang.org/x/mod/sumdb</code>.</p>
<dl class="facts">
<dt>Entries</dt><dd>${view.checkpoint.size}</dd>
<dt>Log URL</dt><dd><code>${view.url}</code></dd>
<dt>Verifier key</dt><dd><code>${view.verifierKey}</code></dd>
</dl>
<h2>Latest checkpoint</h2>
<pre><code>${view.checkpoint.note}</code></pre>
<h2>How to verify</h2>
<ul class="plain">
<li><code>wreg add</code>, <code>install</code> and <code>update</code> check each package's entry against a signed checkpoint and that each new checkpoint extends the last one seen; <code>wreg verify</code> checks a project offline.</li>
<li>Pin the verifier key above (it is also in <a href="/.well-known/wreg.json">/.well-known/wreg.json</a>).</li>
<li>The checkpoint is at <a href="/log/checkpoint">/log/checkpoint</a>, tiles under <code>/log/tile/</code> (c2sp.org/tlog-tiles); a release's proof is <code>GET /api/v1/packages/{namespace}/{name}/{version}/log-proof</code> (c2sp.org/tlog-proof@v1).</li>
</ul>
<h2>Newest entries</h2>
${recent}`,
  });
}
