/**
 * The web index's renderers as pure functions: fixed views in, whole pages out, compared with
 * the pages in tests/golden/web/ (refresh with `WREG_UPDATE_GOLDEN=1 deno test -A
 * tests/web_golden_test.ts` and review the diff; open them in a browser to look). Then every
 * interpolation path: each view again with every string in it poisoned with markup, which must
 * come out escaped on every page.
 */
import assert from "node:assert/strict";
import { checkPackageCompat } from "../lib/compat/mod.ts";
import { parseWit } from "../lib/wit/mod.ts";
import type { PackageDocument, VersionResponse } from "../registry/mod.ts";
import {
  type DiffView,
  type HomeView,
  type Html,
  type NotFoundView,
  type PackageView,
  renderDiff,
  renderHome,
  renderNotFound,
  renderPackage,
  renderSearch,
  type SearchView,
  STYLE_PATH,
} from "../registry/web/mod.ts";
import { greeterWit } from "./web_support.ts";

const GOLDEN = new URL("./golden/web/", import.meta.url).pathname;
const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";
const T = "2026-01-02T03:04:05.678Z";
const D = (c: string) => `sha256:${c.repeat(64)}`;

const HOME: HomeView = {
  totals: { packages: 3, versions: 5, namespaces: 2, bytes: 1_913_000 },
  recent: [
    {
      name: "acme:greeter",
      kind: "wit-package",
      description: "Greetings in a few languages.",
      latestVersion: "2.0.0",
      updatedAt: T,
    },
    {
      name: "docs:scrubber",
      kind: "component",
      description: "Redacts personal data; logs through `docs:processor/logger`",
      latestVersion: "0.1.0",
      updatedAt: T,
    },
    { name: "docs:empty", kind: "component", description: "", latestVersion: null, updatedAt: T },
  ],
};

const SEARCH_EMPTY: SearchView = { params: {} };

const SEARCH_RESULTS: SearchView = {
  params: { q: "scrub", world: "docs:processor/processor@0.1.0", host: "none" },
  world: {
    id: "docs:processor/processor@0.1.0",
    package: "docs:processor",
    version: "0.1.0",
    name: "processor",
  },
  results: [{
    package: "docs:scrubber",
    kind: "component",
    description: "Redacts personal data",
    latest: "0.2.0",
    version: "0.1.0",
    digest: D("a"),
    matched: ["docs:processor/scrub@0.1.0"],
    updatedAt: T,
  }],
};

const SEARCH_ERROR: SearchView = {
  params: { imports: "nope" },
  error: 'Invalid imports "nope": expected "namespace:package/name"',
};

function greeterPackage(): PackageDocument {
  return {
    name: "acme:greeter",
    namespace: "acme",
    kind: "wit-package",
    description: "Greetings in a few languages.",
    createdAt: T,
    updatedAt: T,
    latest: "2.0.0",
    owners: ["alice", "bob"],
    versions: ["2.0.0", "1.1.0", "1.0.0"].map((version) => ({
      version,
      digest: D(version[0]),
      size: 900,
      publishedAt: T,
      publisher: "alice",
      yanked: version === "1.0.0",
      yankedAt: version === "1.0.0" ? T : null,
      prerelease: false,
    })),
  };
}

const GREETER_1_1: VersionResponse = {
  schema: 1,
  package: "acme:greeter",
  version: "1.1.0",
  kind: "wit-package",
  digest: D("1"),
  size: 900,
  description: "Greetings in a few languages.",
  wit: greeterWit("1.1.0"),
  worlds: [{
    name: "app",
    id: "acme:greeter/app@1.1.0",
    docs: "An app that greets through the host's `greet`.",
    imports: [{
      name: "acme:greeter/greet@1.1.0",
      kind: "interface",
      interface: { package: "acme:greeter", name: "greet", version: "1.1.0" },
    }],
    exports: [{ name: "run", kind: "function", signature: "run: func() -> string" }],
  }],
  interfaces: [
    {
      name: "greet",
      id: "acme:greeter/greet@1.1.0",
      docs: "Greets people.",
      functions: [{ name: "hello", signature: "hello: func(name: string) -> string" }],
      types: [{ name: "language", kind: "enum" }],
    },
    {
      name: "farewell",
      id: "acme:greeter/farewell@1.1.0",
      docs: "Partings.",
      functions: [{ name: "wave", signature: "wave: func(times: u8) -> days" }],
      types: [{ name: "days", kind: "alias" }],
    },
  ],
  dependencies: [],
  compat: {
    against: "1.0.0",
    compatible: true,
    bump: "minor",
    changes: [{
      path: "acme:greeter/farewell",
      kind: "added-interface",
      breaking: false,
      bump: "minor",
      new: "interface farewell",
    }],
  },
  metadata: {},
  publishedAt: T,
  publisher: "alice",
  yanked: false,
  yankedAt: null,
};

const PACKAGE_WIT: PackageView = {
  pkg: greeterPackage(),
  version: GREETER_1_1,
  pinned: true,
  known: new Set(["acme:greeter"]),
  implementations: { greet: [{ package: "acme:hello", version: "1.2.0" }] },
  targets: {},
  dependents: [{ package: "acme:app", version: "0.3.0" }],
};

const COMPONENT_WIT = `package root:component;

world root {
  import docs:processor/logger@0.1.0;
  import wasi:cli/stdout@0.2.0;
  import wasi:filesystem/types@0.2.0;

  export scrub-pii: func(text: string) -> string;
}
package docs:processor@0.1.0 {
  interface logger {
    log: func(message: string);
  }
}
`;

function iface(pkg: string, name: string, version: string) {
  return {
    name: `${pkg}/${name}@${version}`,
    kind: "interface" as const,
    interface: { package: pkg, name, version },
  };
}

const PACKAGE_COMPONENT: PackageView = {
  oci: {
    reference: "wasm.example.com/acme/scrubber-composed:0.1.0",
    wkg: "wkg get --registry wasm.example.com acme:scrubber-composed@0.1.0",
    oras: "oras pull wasm.example.com/acme/scrubber-composed:0.1.0",
  },
  pkg: {
    name: "acme:scrubber-composed",
    namespace: "acme",
    kind: "component",
    description: "",
    createdAt: T,
    updatedAt: T,
    latest: "0.1.0",
    owners: ["alice"],
    versions: [{
      version: "0.1.0",
      digest: D("c"),
      size: 1_500_000,
      publishedAt: T,
      publisher: "alice",
      yanked: false,
      yankedAt: null,
      prerelease: false,
    }],
  },
  version: {
    schema: 1,
    package: "acme:scrubber-composed",
    version: "0.1.0",
    kind: "component",
    digest: D("c"),
    size: 1_500_000,
    description: "Redacts personal data, with a logger plugged in",
    wit: COMPONENT_WIT,
    worlds: [{
      name: "root",
      id: null,
      imports: [
        iface("docs:processor", "logger", "0.1.0"),
        iface("wasi:cli", "stdout", "0.2.0"),
        iface("wasi:filesystem", "types", "0.2.0"),
      ],
      exports: [{
        name: "scrub-pii",
        kind: "function",
        signature: "scrub-pii: func(text: string) -> string",
      }],
    }],
    interfaces: [],
    dependencies: [
      { package: "docs:processor", version: "0.1.0", range: "^0.1.0" },
      { package: "wasi:cli", version: "0.2.0", range: "^0.2.0" },
      { package: "wasi:filesystem", version: "0.2.0", range: "^0.2.0" },
    ],
    compat: null,
    metadata: {
      licenses: "Apache-2.0",
      homepage: "https://example.com/scrubber",
      source: "javascript:alert(1)",
    },
    composedFrom: {
      format: 1,
      components: [
        { package: "docs:scrubber-c", version: "0.1.0", digest: D("a") },
        { package: "docs:logger-js", version: "0.1.0", digest: D("b") },
      ],
      fills: [{
        into: 0,
        import: "docs:processor/logger@0.1.0",
        by: 1,
        export: "docs:processor/logger@0.1.0",
      }],
    },
    publishedAt: T,
    publisher: "alice",
    yanked: false,
    yankedAt: null,
  } as unknown as VersionResponse,
  pinned: false,
  known: new Set(["acme:scrubber-composed", "docs:processor", "docs:scrubber-c", "docs:logger-js"]),
  implementations: {},
  targets: {},
  dependents: [],
};

function diffView(): DiffView {
  const old = parseWit(greeterWit("1.1.0"));
  const neu = parseWit(greeterWit("2.0.0"));
  return {
    package: "acme:greeter",
    kind: "wit-package",
    versions: ["2.0.0", "1.1.0", "1.0.0"],
    from: { version: "1.1.0", wit: greeterWit("1.1.0") },
    to: { version: "2.0.0", wit: greeterWit("2.0.0") },
    report: checkPackageCompat(old.resolve, old.package, neu.resolve, neu.package),
  };
}

const NOT_FOUND: NotFoundView = {
  message: "There is no package docs:procesor here: nothing is published under that name.",
  suggestions: ["docs:processor"],
  query: "docs:procesor",
};

const PAGES: [string, () => Html][] = [
  ["home", () => renderHome(HOME)],
  ["search-empty", () => renderSearch(SEARCH_EMPTY)],
  ["search-results", () => renderSearch(SEARCH_RESULTS)],
  ["search-error", () => renderSearch(SEARCH_ERROR)],
  ["package-wit", () => renderPackage(PACKAGE_WIT)],
  ["package-component", () => renderPackage(PACKAGE_COMPONENT)],
  ["diff", () => renderDiff(diffView())],
  ["not-found", () => renderNotFound(NOT_FOUND)],
];

for (const [name, render] of PAGES) {
  Deno.test(`the ${name} page is the one in tests/golden/web/${name}.html`, async () => {
    // The stylesheet's name carries a hash of its content; a style change is not a page change.
    const actual = render().value.replaceAll(STYLE_PATH, "/-/style.HASH.css");
    const file = `${GOLDEN}${name}.html`;
    if (UPDATE) {
      await Deno.mkdir(GOLDEN, { recursive: true });
      await Deno.writeTextFile(file, actual);
    }
    const expected = await Deno.readTextFile(file);
    assert.equal(actual, expected, `${name}.html differs; refresh with WREG_UPDATE_GOLDEN=1`);
  });
}

// ---------------------------------------------------------------------------------------------
// Every interpolation path

const MARK = `<&"'>`;
const ESCAPED = "&lt;&amp;&quot;&#39;&gt;";

/** The view with MARK appended to every string in it (sets and booleans left alone). */
function poison<T>(value: T): T {
  if (typeof value === "string") return `${value}${MARK}` as T;
  if (Array.isArray(value)) return value.map(poison) as T;
  if (value instanceof Set) return value;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, poison(v)]),
    ) as T;
  }
  return value;
}

const POISONED: [string, () => Html][] = [
  ["home", () => renderHome(poison(HOME))],
  ["search-results", () => renderSearch(poison(SEARCH_RESULTS))],
  ["search-error", () => renderSearch(poison(SEARCH_ERROR))],
  ["package-wit", () => renderPackage(poison(PACKAGE_WIT))],
  ["package-component", () => renderPackage(poison(PACKAGE_COMPONENT))],
  [
    "package-component, known names kept",
    () => {
      // Names stay valid (so links are built) while every other string is poisoned.
      const v = poison(PACKAGE_COMPONENT);
      v.pkg.name = PACKAGE_COMPONENT.pkg.name;
      return renderPackage(v);
    },
  ],
  ["diff", () => renderDiff(poison(diffView()))],
  ["not-found", () => renderNotFound(poison(NOT_FOUND))],
];

for (const [name, render] of POISONED) {
  Deno.test(`every string of the ${name} view comes out escaped`, () => {
    const out = render().value;
    assert.ok(!out.includes(MARK), `an unescaped interpolation on the ${name} page`);
    assert.ok(out.split(ESCAPED).length > 2, `the poisoned strings are on the ${name} page`);
    // Nothing but the page's own markup: no script, no event handler, no inline style.
    assert.ok(!/<script|\son[a-z]+=|\sstyle=/i.test(out), name);
  });
}

Deno.test("the pages never link to a javascript: or data: address, even from metadata", () => {
  for (const [, render] of [...PAGES, ...POISONED]) {
    const out = render().value;
    for (const m of out.matchAll(/\shref="([^"]*)"/g)) {
      assert.match(m[1], /^(\/|#|https?:\/\/)/, m[1]);
    }
  }
});
