/**
 * What a component needs from its host, in plain words: its world's imports mapped onto
 * capabilities people recognize (files, network, HTTP, clocks, randomness, environment, standard
 * input and output…), and what it provides from its exports (serves HTTP, runs as a command…).
 * Pure: a world document in, a list out.
 */
import type { ItemDoc } from "../_document.ts";

/** One capability, with the interfaces that give it. */
export interface Capability {
  /** A stable key (`files`, `network`, `http-out`…), for tests and CSS. */
  key: string;
  /** What it means, in plain words ("Reads and writes files"). */
  label: string;
  /** The imports (or exports) behind it, as written in the world. */
  via: string[];
}

/** A component's capability summary. */
export interface CapabilitySummary {
  /** What it needs from the host or other components, in a fixed order. */
  needs: Capability[];
  /** What it provides, in a fixed order. */
  provides: Capability[];
  /** Whether it imports nothing at all (pure computation). */
  pure: boolean;
}

interface Rule {
  key: string;
  label: string;
  /** `ns:pkg` or `ns:pkg/iface` (any version). */
  match: string[];
}

/** WASI and well-known interfaces a component may import, in the order they are shown. */
const NEEDS: readonly Rule[] = [
  {
    key: "files",
    label: "Reads and writes files (in the directories the host gives it)",
    match: ["wasi:filesystem"],
  },
  {
    key: "network",
    label: "Opens network connections (TCP or UDP sockets)",
    match: [
      "wasi:sockets/network",
      "wasi:sockets/instance-network",
      "wasi:sockets/tcp",
      "wasi:sockets/tcp-create-socket",
      "wasi:sockets/udp",
      "wasi:sockets/udp-create-socket",
      "wasi:sockets/types",
    ],
  },
  { key: "dns", label: "Looks up host names (DNS)", match: ["wasi:sockets/ip-name-lookup"] },
  { key: "http-out", label: "Makes outgoing HTTP requests", match: ["wasi:http/outgoing-handler"] },
  { key: "http-types", label: "Uses HTTP requests and responses", match: ["wasi:http/types"] },
  {
    key: "wall-clock",
    label: "Reads the current date and time",
    match: ["wasi:clocks/wall-clock", "wasi:clocks/timezone"],
  },
  {
    key: "monotonic-clock",
    label: "Measures elapsed time and waits (timers)",
    match: ["wasi:clocks/monotonic-clock"],
  },
  {
    key: "random",
    label: "Gets secure random numbers",
    match: ["wasi:random/random"],
  },
  {
    key: "insecure-random",
    label: "Gets non-cryptographic random numbers",
    match: ["wasi:random/insecure", "wasi:random/insecure-seed"],
  },
  {
    key: "environment",
    label: "Reads environment variables and command-line arguments",
    match: ["wasi:cli/environment"],
  },
  { key: "stdin", label: "Reads standard input", match: ["wasi:cli/stdin"] },
  {
    key: "stdout",
    label: "Writes to standard output and standard error",
    match: ["wasi:cli/stdout", "wasi:cli/stderr"],
  },
  {
    key: "terminal",
    label: "Checks whether it runs in a terminal",
    match: [
      "wasi:cli/terminal-input",
      "wasi:cli/terminal-output",
      "wasi:cli/terminal-stdin",
      "wasi:cli/terminal-stdout",
      "wasi:cli/terminal-stderr",
    ],
  },
  { key: "exit", label: "Can end the program with an exit code", match: ["wasi:cli/exit"] },
  { key: "keyvalue", label: "Reads and writes a key-value store", match: ["wasi:keyvalue"] },
  { key: "blobstore", label: "Reads and writes blob storage", match: ["wasi:blobstore"] },
  { key: "config", label: "Reads runtime configuration", match: ["wasi:config"] },
  { key: "logging", label: "Writes log messages to the host", match: ["wasi:logging"] },
  { key: "messaging", label: "Sends and receives messages", match: ["wasi:messaging"] },
  { key: "nn", label: "Runs machine-learning inference", match: ["wasi:nn"] },
  {
    key: "io",
    label: "Uses streams, errors and polling (the plumbing of the interfaces above)",
    match: ["wasi:io"],
  },
];

/** Well-known exports, in the order they are shown. */
const PROVIDES: readonly Rule[] = [
  { key: "http-server", label: "Serves HTTP requests", match: ["wasi:http/incoming-handler"] },
  { key: "command", label: "Runs as a command (a main function)", match: ["wasi:cli/run"] },
];

function pathOf(item: ItemDoc): { pkg: string; iface: string } | undefined {
  if (item.kind !== "interface" || item.interface === undefined) return undefined;
  return { pkg: item.interface.package, iface: `${item.interface.package}/${item.interface.name}` };
}

function classify(
  items: readonly ItemDoc[],
  rules: readonly Rule[],
  other: (item: ItemDoc) => Capability | undefined,
): Capability[] {
  const found = new Map<string, Capability>();
  const rest: Capability[] = [];
  for (const item of items) {
    const p = pathOf(item);
    const rule = p === undefined
      ? undefined
      : rules.find((r) => r.match.includes(p.iface) || r.match.includes(p.pkg));
    if (rule !== undefined) {
      const cap = found.get(rule.key) ?? { key: rule.key, label: rule.label, via: [] };
      cap.via.push(item.name);
      found.set(rule.key, cap);
      continue;
    }
    const c = other(item);
    if (c !== undefined) rest.push(c);
  }
  const known = rules.flatMap((r) => found.get(r.key) ?? []);
  return [...known, ...mergeOthers(rest)];
}

/** Other interfaces, grouped by package; functions one by one. */
function mergeOthers(caps: Capability[]): Capability[] {
  const out: Capability[] = [];
  const byKey = new Map<string, Capability>();
  for (const c of caps) {
    const seen = byKey.get(c.key);
    if (seen !== undefined) {
      seen.via.push(...c.via);
      continue;
    }
    byKey.set(c.key, c);
    out.push(c);
  }
  return out;
}

/**
 * The capability summary of a component's world: its imports as needs (WASI interfaces in plain
 * words; other interfaces by package, to be given by the host or another component; imported
 * functions one by one), its exports as what it provides. Imported types are not needs.
 *
 * @example
 * ```ts
 * import { summarizeCapabilities } from "./_capabilities.ts";
 * const s = summarizeCapabilities({
 *   imports: [{
 *     name: "wasi:filesystem/types@0.2.0",
 *     kind: "interface",
 *     interface: { package: "wasi:filesystem", name: "types", version: "0.2.0" },
 *   }],
 *   exports: [],
 * });
 * console.assert(s.needs[0].key === "files");
 * ```
 */
export function summarizeCapabilities(
  world: { imports: readonly ItemDoc[]; exports: readonly ItemDoc[] },
): CapabilitySummary {
  const needs = classify(world.imports, NEEDS, (item) => {
    if (item.kind === "type") return undefined;
    if (item.kind === "function") {
      return {
        key: `function:${item.name}`,
        label: `Calls the host function ${item.name}`,
        via: [item.name],
      };
    }
    const p = pathOf(item);
    if (p === undefined) {
      return { key: `interface:${item.name}`, label: `Imports ${item.name}`, via: [item.name] };
    }
    return {
      key: `package:${p.pkg}`,
      label: p.pkg.startsWith("wasi:")
        ? `Uses ${p.pkg} (a WASI interface)`
        : `Needs ${p.pkg}, from the host or another component`,
      via: [item.name],
    };
  });
  const provides = classify(world.exports, PROVIDES, (item) => {
    if (item.kind === "type") return undefined;
    if (item.kind === "function") {
      return { key: "functions", label: "Exports functions", via: [item.name] };
    }
    const p = pathOf(item);
    return {
      key: p === undefined ? `interface:${item.name}` : `package:${p.pkg}`,
      label: p === undefined ? `Exports ${item.name}` : `Implements ${p.pkg}`,
      via: [item.name],
    };
  });
  const pure = !world.imports.some((i) => i.kind !== "type");
  return { needs, provides, pure };
}
