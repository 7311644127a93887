import assert from "node:assert/strict";
import type { ItemDoc } from "../_document.ts";
import { summarizeCapabilities } from "./_capabilities.ts";

function iface(id: string): ItemDoc {
  const m = /^([^/]+)\/([^@]+)(?:@(.+))?$/.exec(id)!;
  return {
    name: id,
    kind: "interface",
    interface: { package: m[1], name: m[2], version: m[3] ?? null },
  };
}

function needs(...imports: ItemDoc[]): string[] {
  return summarizeCapabilities({ imports, exports: [] }).needs.map((c) => `${c.key}: ${c.label}`);
}

Deno.test("each WASI family maps to plain words", () => {
  const cases: [string, string][] = [
    [
      "wasi:filesystem/types@0.2.0",
      "files: Reads and writes files (in the directories the host gives it)",
    ],
    [
      "wasi:filesystem/preopens@0.2.3",
      "files: Reads and writes files (in the directories the host gives it)",
    ],
    ["wasi:sockets/tcp@0.2.0", "network: Opens network connections (TCP or UDP sockets)"],
    [
      "wasi:sockets/udp-create-socket@0.2.0",
      "network: Opens network connections (TCP or UDP sockets)",
    ],
    ["wasi:sockets/ip-name-lookup@0.2.0", "dns: Looks up host names (DNS)"],
    ["wasi:http/outgoing-handler@0.2.0", "http-out: Makes outgoing HTTP requests"],
    ["wasi:http/types@0.2.0", "http-types: Uses HTTP requests and responses"],
    ["wasi:clocks/wall-clock@0.2.0", "wall-clock: Reads the current date and time"],
    [
      "wasi:clocks/monotonic-clock@0.2.0",
      "monotonic-clock: Measures elapsed time and waits (timers)",
    ],
    ["wasi:random/random@0.2.0", "random: Gets secure random numbers"],
    ["wasi:random/insecure@0.2.0", "insecure-random: Gets non-cryptographic random numbers"],
    ["wasi:random/insecure-seed@0.2.0", "insecure-random: Gets non-cryptographic random numbers"],
    [
      "wasi:cli/environment@0.2.0",
      "environment: Reads environment variables and command-line arguments",
    ],
    ["wasi:cli/stdin@0.2.0", "stdin: Reads standard input"],
    ["wasi:cli/stdout@0.2.0", "stdout: Writes to standard output and standard error"],
    ["wasi:cli/stderr@0.2.0", "stdout: Writes to standard output and standard error"],
    ["wasi:cli/terminal-stdout@0.2.0", "terminal: Checks whether it runs in a terminal"],
    ["wasi:cli/exit@0.2.0", "exit: Can end the program with an exit code"],
    ["wasi:keyvalue/store@0.2.0-draft", "keyvalue: Reads and writes a key-value store"],
    ["wasi:config/store@0.2.0-draft", "config: Reads runtime configuration"],
    ["wasi:logging/logging@0.1.0-draft", "logging: Writes log messages to the host"],
    [
      "wasi:io/streams@0.2.0",
      "io: Uses streams, errors and polling (the plumbing of the interfaces above)",
    ],
    ["wasi:cli/run@0.2.0", "package:wasi:cli: Uses wasi:cli (a WASI interface)"],
    ["wasi:future/thing@0.9.0", "package:wasi:future: Uses wasi:future (a WASI interface)"],
    [
      "docs:processor/logger@0.1.0",
      "package:docs:processor: Needs docs:processor, from the host or another component",
    ],
  ];
  for (const [id, want] of cases) assert.deepEqual(needs(iface(id)), [want], id);
});

Deno.test("needs are grouped, listed in a fixed order, with the imports behind each", () => {
  const s = summarizeCapabilities({
    imports: [
      iface("wasi:io/streams@0.2.0"),
      iface("docs:processor/types@0.1.0"),
      iface("wasi:cli/stderr@0.2.0"),
      iface("wasi:filesystem/types@0.2.0"),
      iface("docs:processor/logger@0.1.0"),
      iface("wasi:cli/stdout@0.2.0"),
      { name: "metadata", kind: "type" },
      { name: "log", kind: "function", signature: "log: func(msg: string)" },
    ],
    exports: [],
  });
  assert.deepEqual(s.needs.map((c) => [c.key, c.via]), [
    ["files", ["wasi:filesystem/types@0.2.0"]],
    ["stdout", ["wasi:cli/stderr@0.2.0", "wasi:cli/stdout@0.2.0"]],
    ["io", ["wasi:io/streams@0.2.0"]],
    ["package:docs:processor", ["docs:processor/types@0.1.0", "docs:processor/logger@0.1.0"]],
    ["function:log", ["log"]],
  ]);
  assert.equal(s.needs.at(-1)!.label, "Calls the host function log");
  assert.equal(s.pure, false);
});

Deno.test("a component that imports nothing (or only types) is pure", () => {
  assert.equal(summarizeCapabilities({ imports: [], exports: [] }).pure, true);
  const typesOnly = summarizeCapabilities({ imports: [{ name: "t", kind: "type" }], exports: [] });
  assert.equal(typesOnly.pure, true);
  assert.deepEqual(typesOnly.needs, []);
});

Deno.test("exports say what it provides: HTTP serving, a command, functions, interfaces", () => {
  const s = summarizeCapabilities({
    imports: [],
    exports: [
      { name: "process", kind: "function" },
      iface("wasi:http/incoming-handler@0.2.0"),
      iface("docs:processor/logger@0.1.0"),
      iface("wasi:cli/run@0.2.0"),
      { name: "scrub", kind: "function" },
    ],
  });
  assert.deepEqual(s.provides.map((c) => [c.key, c.label, c.via]), [
    ["http-server", "Serves HTTP requests", ["wasi:http/incoming-handler@0.2.0"]],
    ["command", "Runs as a command (a main function)", ["wasi:cli/run@0.2.0"]],
    ["functions", "Exports functions", ["process", "scrub"]],
    ["package:docs:processor", "Implements docs:processor", ["docs:processor/logger@0.1.0"]],
  ]);
});

Deno.test("an inline (unnamed) interface import is listed by its name", () => {
  assert.deepEqual(needs({ name: "host", kind: "interface" }), ["interface:host: Imports host"]);
});
