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
import { externalHref, type Html, html, join } from "./_html.ts";
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
import { highlightWit, lexWit, type WitLinks } from "./_wit_highlight.ts";

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
  return html`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

/**
 * A doc comment as prose: paragraphs at blank lines, `code spans` in backticks. Everything is
 * escaped; nothing else of Markdown is interpreted.
 */
export function prose(text: string | undefined | null, cls?: string): Html {
  if (text === undefined || text === null || text.trim() === "") return html``;
  const paragraphs = text.trim().split(/\n\s*\n/);
  return join(
    paragraphs.map((p) => {
      const parts = p.split("`");
      // An odd number of backticks: the last one is text, not the start of code.
      if (parts.length % 2 === 0) {
        const last = parts.pop()!;
        parts[parts.length - 1] += `\`${last}`;
      }
      const body = parts.map((s, i) => (i % 2 === 1 ? html`<code>${s}</code>` : s));
      return cls === undefined ? html`<p>${body}</p>` : html`<p class="${cls}">${body}</p>`;
    }),
    "\n",
  );
}

function kindBadge(kind: string): Html {
  return kind === "component"
    ? html`<span class="badge component">component</span>`
    : html`<span class="badge wit-package">WIT package</span>`;
}

function kindWords(kind: string): string {
  return kind === "component" ? "Component" : "WIT package";
}

/** A link to a package (or plain text when the name is not valid). */
function packageLink(pkg: string, version?: string | null, text?: string): Html {
  const href = packageHref(pkg, version);
  const label = text ?? (version ? `${pkg}@${version}` : pkg);
  return href === undefined ? html`<code>${label}</code>` : html`<a href="${href}">${label}</a>`;
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

/** `/`: a search box, the totals, the packages published most recently. */
export function renderHome(view: HomeView): Html {
  const t = view.totals;
  const recent = view.recent.length === 0
    ? html`<p class="muted">Nothing is published yet. Publish with <code>wreg publish</code>.</p>`
    : html`<ul class="results">${
      view.recent.map((p) =>
        html`<li><a class="name" href="${packageHref(p.name) ?? "/"}">${p.name}</a> ${
          kindBadge(p.kind)
        } ${
          p.latestVersion === null ? "" : html`<span class="muted">${p.latestVersion}</span>`
        } · ${date(p.updatedAt)}${p.description === "" ? "" : html`<p>${p.description}</p>`}</li>`
      )
    }</ul>`;
  return page({
    title: "WebAssembly components and WIT packages",
    description:
      "Find WebAssembly components by the interfaces they use and the worlds they implement.",
    bareHeader: true,
    body: html`
      <section class="hero">
        <h1>WebAssembly components, by what they do</h1>
        <p
          class="lead">Find components and WIT packages by name, by the interfaces they import and export, or by the world they implement. Read their WIT, see what they need from the host and what changed between versions.</p>
        <form action="/search" method="get" role="search">
          <label class="sr-only" for="q">Search packages</label>
          <input type="search" id="q" name="q" placeholder="Search packages, for example: logger"
            autocomplete="off" autofocus>
          <button type="submit">Search</button>
        </form>
        <p class="note">Or <a href="/search">search by interface or world</a>.</p>
      </section>
      <ul class="totals" aria-label="Totals">
        <li><b>${t.packages}</b><span>${t.packages === 1 ? "package" : "packages"}</span></li>
        <li><b>${t.versions}</b><span>${t.versions === 1 ? "version" : "versions"}</span></li>
        <li><b>${t.namespaces}</b><span>${t.namespaces === 1
          ? "namespace"
          : "namespaces"}</span></li>
        <li><b>${formatBytes(t.bytes)}</b><span>published</span></li>
      </ul>
      <h2>Recently published</h2>
      ${recent}
    `,
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
  return html`<label for="f-${name}">${label}
<input type="text" id="f-${name}" name="${name}" value="${
    value ?? ""
  }" placeholder="${placeholder}" autocomplete="off" spellcheck="false">
<span class="hint">${hint}</span></label>`;
}

function option(value: string, text: string, selected: boolean): Html {
  return html`
    <option value="${value}" ${selected
      ? html`
        selected
      `
      : ""}>${text}</option>
  `;
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

/** `/search`: the form with every filter, and the results. */
export function renderSearch(view: SearchView): Html {
  const p = view.params;
  const form =
    html`<form class="filters" action="/search" method="get" role="search" aria-label="Search with filters">
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
<select id="f-kind" name="kind">${option("", "any", !p.kind)}${
      option("component", "components", p.kind === "component")
    }${option("wit-package", "WIT packages", p.kind === "wit-package")}</select>
<span class="hint">components or WIT packages</span></label>
<label for="f-host">The host provides
<select id="f-host" name="host">${option("wasi", "WASI", p.host !== "none")}${
      option("none", "nothing", p.host === "none")
    }</select>
<span class="hint">for a world: imports a component may add</span></label>
<div class="actions"><button type="submit">Search</button></div>
</form>`;
  let body: Html;
  if (view.error !== undefined) {
    body = html`
      <div class="callout warn" role="alert">
        <p>${view.error}</p>
      </div>
    `;
  } else if (view.results === undefined) {
    body = html`
      <p
        class="muted">Search by words, or by what packages do: the interfaces they export or import (<code>namespace:package/interface</code>, with an optional <code>@version</code>; any compatible version matches) and the world a component implements.</p>
    `;
  } else {
    const world = view.world === undefined ? "" : html`
      <p
        class="note">Checked against the world <a href="${packageHref(
          view.world.package,
          view.world.version,
        ) ?? "/"}#${view.world.name}">${view.world.id}</a> (from ${view.world.package} ${view.world
          .version}).</p>
    `;
    const list = view.results.length === 0
      ? html`<p>No package matches. Try fewer words, or an interface without its version.</p>`
      : html`<ul class="results">${
        view.results.map((r) =>
          html`<li><a class="name" href="${
            packageHref(r.package, r.version === r.latest ? null : r.version) ?? "/"
          }">${r.package}</a> ${kindBadge(r.kind)} ${
            r.version === null ? "" : html`<span class="muted">${r.version}</span>`
          }${r.description === "" ? "" : html`<p>${r.description}</p>`}</li>`
        )
      }</ul>`;
    body = html`<h2>${count(view.results.length, "result")} <span class="muted">for ${
      describeQuery(p)
    }</span></h2>
${world}${list}`;
  }
  const title = view.results === undefined ? "Search" : `Search: ${describeQuery(p)}`;
  return page({
    title,
    query: p.q,
    body: html`<h1>Search packages</h1>
${form}
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

function interfaceSection(
  iface: VersionDocument["interfaces"][number],
  code: Html | undefined,
  users: readonly Found[] | undefined,
): Html {
  const fallback = html`<ul class="plain">${[
    ...iface.types.map((t) => html`<li><code>${t.kind} ${t.name}</code></li>`),
    ...iface.functions.map((f) => html`<li><code>${f.signature}</code></li>`),
  ]}</ul>`;
  const search = searchHref({ exports: iface.id });
  return html`<section class="item" aria-labelledby="h-i-${iface.name}">
<h3 id="h-i-${iface.name}"><span class="kind">interface</span> ${iface.name}</h3>
${prose(iface.docs)}
${code === undefined ? fallback : html`<pre class="wit"><code>${code}</code></pre>`}
<p class="users"><b>Implemented by:</b> ${
    foundList(users, html`<span class="muted">no component here exports it yet</span>`)
  } · <a href="${search}">search for <code>${iface.id}</code></a></p>
</section>`;
}

function worldSection(
  world: VersionDocument["worlds"][number],
  code: Html | undefined,
  users: readonly Found[] | undefined,
): Html {
  const fallback = html`<ul class="plain">${[
    ...world.imports.map((i) => html`<li>import <code>${i.signature ?? i.name}</code></li>`),
    ...world.exports.map((i) => html`<li>export <code>${i.signature ?? i.name}</code></li>`),
  ]}</ul>`;
  const id = world.id ?? world.name;
  return html`<section class="item" aria-labelledby="h-w-${world.name}">
<h3 id="h-w-${world.name}"><span class="kind">world</span> ${world.name}</h3>
${prose(world.docs)}
${code === undefined ? fallback : html`<pre class="wit"><code>${code}</code></pre>`}
<p class="users"><b>Components that target it:</b> ${
    foundList(users, html`<span class="muted">none published here yet</span>`)
  } · <a href="${
    searchHref({ world: id })
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
  if (groups.size === 0 && others.length === 0) return html`<p class="muted">${none}</p>`;
  const lines = [...groups.values()].map((g) => {
    const href = known.has(g.pkg) ? packageHref(g.pkg, g.version) : undefined;
    const names = g.names.map((n) =>
      href === undefined
        ? html`<code>${n}</code>`
        : html`<a href="${href}#${n}"><code>${n}</code></a>`
    );
    return html`<li>${
      href === undefined
        ? html`<code class="pkgname" title="not published in this registry">${g.pkg}</code>`
        : html`<a class="pkgname" href="${href}">${g.pkg}</a>`
    }${
      g.version === null ? "" : html`
        <span class="muted">${g.version}</span>
      `
    }: ${join(names, ", ")}</li>`;
  });
  const fns = others.map((i) =>
    html`<li><code>${i.kind === "function" ? (i.signature ?? i.name) : i.name}</code></li>`
  );
  return html`<ul class="plain items">${join([...lines, ...fns], "\n")}</ul>`;
}

function capabilityList(s: CapabilitySummary): Html {
  const needs = s.pure
    ? html`
      <li
        class="pure"><strong>Needs nothing from the host.</strong> No files, network, clocks or randomness: it only computes.</li>
    `
    : join(
      s.needs.map((c) =>
        html`<li data-cap="${c.key}"><strong>${c.label}</strong><small>${
          join(c.via, ", ")
        }</small></li>`
      ),
      "\n",
    );
  const provides = s.provides.length === 0 ? "" : html`<h3>What it provides</h3>
<ul class="caps">${
    join(
      s.provides.map((c) =>
        html`<li data-cap="${c.key}"><strong>${c.label}</strong><small>${
          join(c.via, ", ")
        }</small></li>`
      ),
      "\n",
    )
  }</ul>`;
  return html`<h3>What it needs from the host</h3>
<ul class="caps">${needs}</ul>
${provides}`;
}

function versionList(view: PackageView): Html {
  const { pkg } = view;
  const items = pkg.versions.map((v, i) => {
    const previous = pkg.versions[i + 1];
    const current = v.version === view.version.version;
    const changes = previous === undefined ? "" : html`
      <a class="changes" href="${diffHref(pkg.name, previous.version, v.version) ??
        "/"}" title="What changed since ${previous.version}">changes</a>
    `;
    return html`<li${
      current
        ? html`
          class="current" aria-current="page"
        `
        : ""
    }><a href="${packageHref(pkg.name, v.version) ?? "/"}">${v.version}</a>${
      v.yanked
        ? html`
          <span class="badge yanked">yanked</span>
        `
        : ""
    }${
      v.prerelease
        ? html`
          <span class="badge pre">pre-release</span>
        `
        : ""
    }${
      v.version === pkg.latest
        ? html`
          <span class="badge ok">latest</span>
        `
        : ""
    }${changes} ${date(v.publishedAt)}</li>`;
  });
  return html`<ul class="versions">${join(items, "\n")}</ul>`;
}

function dependencyList(deps: VersionDocument["dependencies"], known: ReadonlySet<string>): Html {
  if (deps.length === 0) return html`<p class="muted">None.</p>`;
  return html`<ul class="plain">${
    deps.map((d) =>
      html`<li>${
        known.has(d.package)
          ? packageLink(d.package, d.version, d.package)
          : html`<code title="not published in this registry">${d.package}</code>`
      } <span class="muted">${d.range}</span></li>`
    )
  }</ul>`;
}

function composedFromOf(doc: VersionDocument): ComposedFromDoc | undefined {
  const cf = (doc as { composedFrom?: unknown }).composedFrom;
  if (typeof cf !== "object" || cf === null) return undefined;
  const c = cf as ComposedFromDoc;
  return Array.isArray(c.components) && Array.isArray(c.fills) ? c : undefined;
}

/** `/ns/name` and `/ns/name@version`: everything about a package at one version. */
export function renderPackage(view: PackageView): Html {
  const { pkg, version: doc, known } = view;
  const links = witLinks(known);
  const highlighted = highlightWit(doc.wit, links);
  const isLatest = doc.version === pkg.latest;
  const description = doc.description ?? (pkg.description === "" ? null : pkg.description);
  const notes: Html[] = [];
  if (doc.yanked) {
    notes.push(
      html`
        <div class="callout warn" role="note">
          <p><strong>This version is yanked</strong>${doc.yankedAt === null ? "" : html`
            (since ${date(doc.yankedAt)})
          `}: resolvers skip it; it stays downloadable for lock files that name it.</p>
        </div>
      `,
    );
  }
  if (!isLatest && pkg.latest !== null) {
    notes.push(
      html`
        <div class="callout" role="note">
          <p>You are reading ${doc
            .version}. The latest version is <a href="${packageHref(pkg.name) ?? "/"}">${pkg
            .latest}</a>.</p>
        </div>
      `,
    );
  }
  const compat = doc.compat === null ? "" : html`
    <p
      class="note">Compared with ${doc.compat.against}: ${doc.compat.compatible
        ? html`<span class="badge ok">compatible</span>`
        : html`<span class="badge breaking">breaking</span>`} (a ${doc.compat
        .bump} change) · <a href="${diffHref(pkg.name, doc.compat.against, doc.version) ??
        "/"}">see what changed</a></p>
  `;
  let main: Html;
  if (doc.kind === "wit-package") {
    const ifaces = doc.interfaces.map((i) =>
      interfaceSection(i, highlighted.items.get(i.name), view.implementations[i.name])
    );
    const worlds = doc.worlds.map((w) =>
      worldSection(w, highlighted.items.get(w.name), view.targets[w.name])
    );
    main = html`${compat}
<h2 id="sec-interfaces">Interfaces <span class="muted">(${doc.interfaces.length})</span></h2>
${ifaces.length === 0 ? html`<p class="muted">None.</p>` : join(ifaces, "\n")}
<h2 id="sec-worlds">Worlds <span class="muted">(${doc.worlds.length})</span></h2>
${worlds.length === 0 ? html`<p class="muted">None.</p>` : join(worlds, "\n")}
<p class="note">The whole package as one file: <a href="${
      witHref(pkg.name, doc.version) ?? "/"
    }">WIT text</a>.</p>`;
  } else {
    const world = doc.worlds[0] ?? { name: "root", id: null, imports: [], exports: [] };
    const composed = composedFromOf(doc);
    const worldCode = highlighted.items.get(world.name);
    main = html`
      ${compat}
      <h2 id="sec-world">Its world</h2>
      <div class="world">
        <section aria-labelledby="h-imports"><h3 id="h-imports">Imports</h3>${itemList(
          world.imports,
          known,
          "It imports nothing.",
        )}</section>
        <section aria-labelledby="h-exports"><h3 id="h-exports">Exports</h3>${itemList(
          world.exports,
          known,
          "It exports nothing.",
        )}</section>
      </div>
      <h2 id="sec-capabilities">Capabilities</h2>
      ${capabilityList(summarizeCapabilities(world))}
      ${composed === undefined ? "" : html`<h2 id="sec-composed">Composed from</h2>
<p>This component was made by composing ${
        count(composed.components.length, "component")
      }: each arrow is an import filled by another component.</p>
${composedFromSvg(composed)}`}
      <h2 id="sec-wit">WIT</h2>
      ${worldCode === undefined
        ? html`<pre class="wit"><code>${highlighted.html}</code></pre>`
        : html`<pre class="wit"><code>${worldCode}</code></pre>
${
          highlighted.nested.length === 0 ? "" : html`
            <details class="deps">
              <summary>The WIT of the ${count(
                highlighted.nested.length,
                "package",
              )} it uses: ${join(highlighted.nested.map((n) => n.name), ", ")}</summary>
              <pre class="wit"><code>${join(
                highlighted.nested.map((n) => n.html),
                "\n\n",
              )}</code></pre>
            </details>
          `
        }`}
      <p class="note">The whole world as one file: <a href="${witHref(pkg.name, doc.version) ??
        "/"}">WIT text</a>.</p>
    `;
  }
  const meta = doc.metadata as Record<string, unknown>;
  const homepage = externalHref(meta.homepage);
  const source = externalHref(meta.source);
  const download = downloadHref(pkg.name, doc.version);
  const fileName = `${pkg.name.replace(":", "-")}-${doc.version}.wasm`;
  const aside = html`<aside aria-label="About this package">
<h2>About</h2>
<dl class="facts">
<dt>Kind</dt><dd>${kindWords(doc.kind)}</dd>
<dt>Version</dt><dd>${doc.version}</dd>
<dt>Published</dt><dd>${date(doc.publishedAt)} by ${doc.publisher}</dd>
<dt>Size</dt><dd>${formatBytes(doc.size)}</dd>
<dt>Digest</dt><dd><code>${doc.digest}</code></dd>
${typeof meta.licenses === "string" ? html`<dt>License</dt><dd>${meta.licenses}</dd>\n` : ""}${
    typeof meta.authors === "string" ? html`<dt>Authors</dt><dd>${meta.authors}</dd>\n` : ""
  }${
    homepage === undefined
      ? ""
      : html`<dt>Homepage</dt><dd><a href="${homepage}" rel="nofollow noopener noreferrer">${homepage}</a></dd>\n`
  }${
    source === undefined
      ? ""
      : html`<dt>Source</dt><dd><a href="${source}" rel="nofollow noopener noreferrer">${source}</a></dd>\n`
  }<dt>Owners</dt><dd>${pkg.owners.length === 0 ? "none" : join(pkg.owners, ", ")}</dd>
</dl>
${
    download === undefined
      ? ""
      : html`<p><a href="${download}" download="${fileName}">Download ${
        doc.kind === "component" ? "the component" : "the WIT package"
      }</a> <span class="muted">(.wasm, ${formatBytes(doc.size)})</span></p>`
  }
<h2>Versions <span class="muted">(${pkg.versions.length})</span></h2>
${versionList(view)}
<h2>Dependencies</h2>
${dependencyList(doc.dependencies, known)}
<h2>Dependents</h2>
${
    view.dependents.length === 0
      ? html`<p class="muted">No package here depends on it.</p>`
      : html`<ul class="plain">${
        view.dependents.map((d) => html`<li>${packageLink(d.package, d.version)}</li>`)
      }</ul>`
  }
</aside>`;
  const [ns, name] = pkg.name.split(":");
  const title = view.pinned ? `${pkg.name}@${doc.version}` : pkg.name;
  return page({
    title,
    description: description ?? `${kindWords(doc.kind)} ${pkg.name} on wreg`,
    body: html`
      <p class="crumbs"><a href="/">wreg</a> / ${ns} / <a href="${packageHref(pkg.name) ??
        "/"}">${name}</a></p>
      <h1>${pkg.name}</h1>
      <p>${kindBadge(doc.kind)} <span class="badge">${doc.version}</span>${isLatest
        ? html`
          <span class="badge ok">latest</span>
        `
        : ""}${doc.yanked
        ? html`
          <span class="badge yanked">yanked</span>
        `
        : ""}</p>
      ${prose(description, "lead")}
      <div
        class="install"><pre><code>wreg add ${pkg.name}${view.pinned && !isLatest
          ? `@${doc.version}`
          : ""}</code></pre><span>to use it in a project</span></div>
      ${notes}
      <div class="layout">
      <div class="main">
      ${main}
      </div>
      ${aside}
      </div>
    `,
  });
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
}

function category(c: Change): "added" | "removed" | "changed" {
  if (c.kind.startsWith("added-")) return "added";
  if (c.kind.startsWith("removed-")) return "removed";
  return "changed";
}

const CATEGORY_WORD = { added: "Added", removed: "Removed", changed: "Changed" } as const;

function changeItem(c: Change): Html {
  const cat = category(c);
  return html`
    <li
      class="${cat}"><span class="what">${CATEGORY_WORD[cat]}</span> <code>${c
        .path}</code> — ${CHANGE_KIND_TEXT[c.kind] ?? c.kind} ${c.breaking
        ? html`<span class="badge breaking">breaking</span>`
        : html`<span class="badge">${c.bump}</span>`}${c.reason === undefined ? "" : html`
        <span class="muted">${c.reason}</span>
      `}${c.old === undefined || c.old === ""
        ? ""
        : html`<pre class="old" aria-label="before"><code>${
          highlightLine(c.old)
        }</code></pre>`}${c.new === undefined || c.new === ""
        ? ""
        : html`<pre class="new" aria-label="after"><code>${highlightLine(c.new)}</code></pre>`}</li>
  `;
}

/** A line of WIT, highlighted on its own (no links: a line has no scope). */
function highlightLine(text: string): Html {
  return join(
    lexWit(text).map((t) => {
      const cls = t.kind === "keyword"
        ? "w-kw"
        : t.kind === "builtin"
        ? "w-ty"
        : t.kind === "doc" || t.kind === "comment"
        ? "w-doc"
        : t.kind === "pkgref"
        ? "w-pkg"
        : t.kind === "annotation"
        ? "w-ann"
        : undefined;
      return cls === undefined ? t.text : html`<span class="${cls}">${t.text}</span>`;
    }),
  );
}

function textDiff(from: string, to: string): Html {
  const lines = diffLines(from, to);
  if (lines === undefined) {
    return html`<p class="muted">The two texts are too large to compare line by line here.</p>`;
  }
  if (lines.every((l) => l.kind === "same")) {
    return html`<p class="muted">The WIT text is the same.</p>`;
  }
  const rows = hunks(lines).map((h) => {
    if (h.kind === "fold") {
      return html`
        <tr class="fold">
          <td colspan="3">${count(h.count, "unchanged line")}</td>
        </tr>
      `;
    }
    return join(
      h.lines.map((l) =>
        html`
          <tr class="${l.kind}">
            <td class="n">${l.oldLine ?? ""}</td>
            <td class="n">${l.newLine ?? ""}</td>
            <td class="t">${highlightLine(l.text)}</td>
          </tr>
        `
      ),
      "\n",
    );
  });
  return html`
    <div class="difftext">
      <table aria-label="WIT line diff">
        <tbody>
    ${join(rows, "\n")}
        </tbody>
      </table>
    </div>
  `;
}

/** `/ns/name/diff/a...b`: lib/compat's verdict, the changes by kind, and the WIT line diff. */
export function renderDiff(view: DiffView): Html {
  const { report } = view;
  const by = { added: [] as Change[], removed: [] as Change[], changed: [] as Change[] };
  for (const c of report.changes) by[category(c)].push(c);
  const breaking = report.changes.filter((c) => c.breaking).length;
  const verdict = report.compatible
    ? html`
      <div class="verdict ok"
        role="status"><strong>Compatible</strong> <span>${report.changes.length === 0
          ? "no API changes: a patch release"
          : report.bump === "minor"
          ? "additions only: a minor release"
          : "documentation or annotations only: a patch release"}</span> <span class="badge ok">${report
          .bump}</span></div>
    `
    : html`
      <div class="verdict breaking"
        role="status"><strong>Breaking</strong> <span>${count(
          breaking,
          "breaking change",
        )}: users of ${view.from.version} may not work with ${view.to
          .version}; this needs a major release (a new semver series)</span> <span class="badge breaking">${report
          .bump}</span></div>
    `;
  const picker = (name: string, label: string, selected: string) =>
    html`
      <label
        for="p-${name}">${label}<select id="p-${name}" name="${name}">${view.versions.map((v) =>
          option(v, v, v === selected)
        )}</select></label>
    `;
  const base = packageHref(view.package) ?? "/";
  const sections = (["added", "removed", "changed"] as const).map((k) =>
    by[k].length === 0
      ? ""
      : html`<h3>${CATEGORY_WORD[k]} <span class="muted">(${by[k].length})</span></h3>
<ul class="changes">${join(by[k].map(changeItem), "\n")}</ul>`
  );
  return page({
    title: `${view.package} ${view.from.version}...${view.to.version}`,
    description:
      `What changed in ${view.package} between ${view.from.version} and ${view.to.version}`,
    body: html`
      <p class="crumbs"><a href="/">wreg</a> / <a href="${base}">${view.package}</a> / diff</p>
      <h1>${view.package}: ${view.from.version} → ${view.to.version}</h1>
      <p
        class="muted">What changed in the API (${view.kind === "component"
          ? "the component's world"
          : "the WIT package"}) from <a href="${packageHref(view.package, view.from.version) ??
          "/"}">${view.from.version}</a> to <a href="${packageHref(view.package, view.to.version) ??
          "/"}">${view.to.version}</a>.</p>
      ${verdict}
      <form class="pick" action="${base}/diff" method="get" aria-label="Compare other versions">
      ${picker("from", "From", view.from.version)}
      ${picker("to", "To", view.to.version)}
      <button type="submit">Compare</button>
      </form>
      <h2>What changed <span class="muted">(${count(report.changes.length, "change")})</span></h2>
      ${report.changes.length === 0
        ? html`<p>Nothing in the API changed.</p>`
        : join(sections, "\n")}
      <h2>The WIT, line by line</h2>
      ${textDiff(view.from.wit, view.to.wit)}
    `,
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
  const suggestions = view.suggestions.length === 0 ? "" : html`<h2>Did you mean</h2>
<ul class="plain">${view.suggestions.map((s) => html`<li>${packageLink(s)}</li>`)}</ul>`;
  return page({
    title: "Not found",
    body: html`<div class="notfound">
<h1>Not found</h1>
<p>${view.message}</p>
${suggestions}
<h2>Search instead</h2>
<form action="/search" method="get" role="search">
<label class="sr-only" for="nf-q">Search packages</label>
<input type="search" id="nf-q" name="q" value="${view.query}" autocomplete="off">
<button type="submit">Search</button>
</form>
<p><a href="/">Home</a> · <a href="/search">Search by interface or world</a></p>
</div>`,
  });
}
