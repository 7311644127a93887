/**
 * wreg's WASI host against wasmtime's, on the same component: a C program (testdata/probe.c,
 * built with wasi-libc and the WASI preview1 adapter into a component exporting `wasi:cli/run`)
 * that exercises one part of WASI per command. Each scenario runs in wasmtime (Python package)
 * and through wreg's lean glue with this host; standard output, standard error, the exit code and
 * the files left behind must be the same.
 *
 * Then what only this host has to prove: a grant the program cannot back with Deno's permissions
 * fails inside the component (EACCES), without a prompt or an exception in the program.
 */
import assert from "node:assert/strict";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { generateBindings } from "../lib/bindings/mod.ts";
import { tempProject, writeFiles } from "./bindings_fixtures.ts";
import { runComponent, type WasiConfig } from "./support/wasmtime.ts";
import { CORPUS } from "./component_support.ts";

const ADAPTER =
  `${CORPUS}jco/packages/jco-transpile/test/fixtures/wasi_snapshot_preview1.reactor.wasm`;
const RUN = "wasi:cli/run@0.2.0#run";

const PROBE_WIT = `package wreg:probe;
world probe {
  export wasi:cli/run@0.2.0;
}
package wasi:cli@0.2.0 {
  interface run { run: func() -> result; }
}
`;

let probe: Promise<Uint8Array> | undefined;

/** Builds testdata/probe.c into a component (clang for wasm32-wasi, then the adapter). */
function buildProbe(): Promise<Uint8Array> {
  probe ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "wreg-wasi-probe-" });
    try {
      const src = new URL("../wasi/testdata/probe.c", import.meta.url).pathname;
      const out = await new Deno.Command("clang", {
        args: ["--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-o", `${dir}/p.wasm`, src],
        stderr: "piped",
      }).output();
      assert.equal(
        out.code,
        0,
        `clang failed (node tools/setup.mjs installs clang and wasi-libc): ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
      const embedded = await componentEmbed({
        binary: await Deno.readFile(`${dir}/p.wasm`),
        witSource: PROBE_WIT,
        world: "probe",
      });
      return await componentNew(embedded, [[
        "wasi_snapshot_preview1",
        await Deno.readFile(ADAPTER),
      ]]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return probe;
}

let lean: Promise<{ dir: string; mod: Record<string, unknown> }> | undefined;

/** The probe's lean bindings, imported in this process (`@wreg/wasi/` maps to this module). */
function leanBindings() {
  lean ??= (async () => {
    const b = await generateBindings(await buildProbe(), { name: "wreg:probe" });
    assert.equal(b.glue, "lean", b.reason);
    assert.equal(b.wasiHost, "@wreg/wasi");
    assert.deepEqual(b.permissions, []);
    const dir = await Deno.makeTempDir({ prefix: "wreg-wasi-lean-" });
    await writeFiles(dir, b.files);
    return { dir, mod: await import(`file://${dir}/mod.ts`) };
  })();
  return lean;
}

interface Outcome {
  stdout: string;
  stderr: string;
  /** `ok`, `err` (run returned an error), `exit N`, or `trap`. */
  status: string;
}

interface Scenario {
  argv: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Preopens: guest path → files to create in a fresh host folder, and whether it is writable. */
  dirs?: Record<string, { files: Record<string, string>; mutable: boolean }>;
}

async function makeDirs(s: Scenario) {
  const root = await Deno.makeTempDir({ prefix: "wreg-wasi-dirs-" });
  const preopens: { host: string; guest: string; mutable: boolean }[] = [];
  for (const [guest, d] of Object.entries(s.dirs ?? {})) {
    const host = `${root}${guest}`;
    await Deno.mkdir(host, { recursive: true });
    for (const [name, text] of Object.entries(d.files)) {
      await Deno.writeTextFile(`${host}/${name}`, text);
    }
    preopens.push({ host, guest, mutable: d.mutable });
  }
  return { root, preopens };
}

/** The files under a folder: path → contents (a symbolic link as `-> target`). */
async function tree(dir: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(`${dir}${rel}`)) {
    const p = `${rel}/${e.name}`;
    if (e.isSymlink) out[p] = `-> ${await Deno.readLink(`${dir}${p}`)}`;
    else if (e.isDirectory) Object.assign(out, { [`${p}/`]: "" }, await tree(dir, p));
    else out[p] = await Deno.readTextFile(`${dir}${p}`);
  }
  return out;
}

async function inWasmtime(
  s: Scenario,
): Promise<{ outcome: Outcome; files: Record<string, string> }> {
  const { root, preopens } = await makeDirs(s);
  try {
    const config: WasiConfig = { argv: s.argv, env: s.env ?? {}, preopens };
    if (s.stdin !== undefined) config.stdin = s.stdin;
    let outcome: Outcome;
    try {
      const r = await runComponent(await buildProbe(), [{ export: RUN }], { wasiConfig: config });
      const status = r.exitCode !== null && r.exitCode !== undefined
        ? `exit ${r.exitCode}`
        : (r.results[0] as { tag: string }).tag;
      outcome = { stdout: r.stdout, stderr: r.stderr, status };
    } catch (e) {
      const response = (e as { response?: Record<string, unknown> }).response ?? {};
      assert.match(String(response.message), /wasm trap|unreachable/, String(e));
      outcome = {
        stdout: String(response.stdout ?? ""),
        stderr: String(response.stderr ?? ""),
        status: "trap",
      };
    }
    return { outcome, files: await tree(root) };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function inLean(s: Scenario): Promise<{ outcome: Outcome; files: Record<string, string> }> {
  const { mod } = await leanBindings();
  const { root, preopens } = await makeDirs(s);
  try {
    const out: Uint8Array[] = [], err: Uint8Array[] = [];
    const instantiate = mod.instantiate as (i: unknown, o: unknown) => {
      run: { run(): void };
    };
    const inst = instantiate({}, {
      wasi: {
        args: s.argv,
        env: s.env ?? {},
        preopens: Object.fromEntries(
          preopens.map((p) => [p.guest, { path: p.host, readonly: !p.mutable }]),
        ),
        stdout: (b: Uint8Array) => out.push(b),
        stderr: (b: Uint8Array) => err.push(b),
        ...(s.stdin !== undefined ? { stdin: new TextEncoder().encode(s.stdin) } : {}),
      },
    });
    let status: string;
    try {
      inst.run.run();
      status = "ok";
    } catch (e) {
      const ce = e as Error & { code?: string; exitCode?: number };
      assert.ok(e instanceof (mod.ComponentError as typeof Error), String(e));
      status = ce.code === "exit" ? `exit ${ce.exitCode}` : ce.code === "error" ? "err" : "trap";
    }
    const text = (parts: Uint8Array[]) => new TextDecoder().decode(concat(parts));
    return { outcome: { stdout: text(out), stderr: text(err), status }, files: await tree(root) };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const DATA = { "/data": { files: { "a.txt": "aaa\n" }, mutable: true } };
const DIRS = { ...DATA, "/ro": { files: { "b.txt": "bbb\n" }, mutable: false } };

const SCENARIOS: Record<string, { scenario: Scenario; expect: RegExp }> = {
  "wasi:cli/environment get-arguments": {
    scenario: { argv: ["probe", "args", "x", "two words", "ü"] },
    expect: /5 arguments\n\[probe\]\n\[args\]\n\[x\]\n\[two words\]\n\[ü\]/,
  },
  "wasi:cli/environment get-environment (granted)": {
    scenario: { argv: ["probe", "env"], env: { A: "1", B: "two words" } },
    expect: /2 variables\nA=1\nB=two words\nHOME=\(unset\)/,
  },
  "wasi:cli/environment: nothing unless granted": {
    scenario: { argv: ["probe", "env"] },
    expect: /^0 variables\nHOME=\(unset\)\n$/,
  },
  "wasi:cli/stdout and stderr": {
    scenario: { argv: ["probe", "stdio"] },
    expect: /^to stdout\n$/,
  },
  "wasi:cli/stdin": {
    scenario: { argv: ["probe", "stdin"], stdin: "hello from stdin\n" },
    expect: /HELLO FROM STDIN\n\n17 bytes from stdin/,
  },
  "wasi:cli/stdin: empty unless given": {
    scenario: { argv: ["probe", "stdin"] },
    expect: /^\n0 bytes from stdin\n$/,
  },
  "wasi:cli/exit": {
    scenario: { argv: ["probe", "exit", "7"] },
    expect: /exiting with 7/,
  },
  "wasi:cli/run returning an error": {
    scenario: { argv: ["probe", "fail"] },
    expect: /^$/,
  },
  "wasi:clocks monotonic-clock (subscribe-duration, poll) and wall-clock": {
    scenario: { argv: ["probe", "clocks"] },
    expect: /slept at least 20 ms: 1\nrealtime after 2024: 1\nresolution positive: 1/,
  },
  "wasi:random": {
    scenario: { argv: ["probe", "random"] },
    expect: /random: 64 bytes, some nonzero 1, differs 1/,
  },
  "wasi:filesystem with preopens (one read-only), confined": {
    scenario: { argv: ["probe", "files"], dirs: DIRS },
    expect: /\/data\/\.\.\/outside\.txt: Operation not permitted[^]*\/ro\/b\.txt: 4 bytes: bbb/,
  },
  "wasi:filesystem: no directories unless granted": {
    scenario: { argv: ["probe", "read", "/data/a.txt", "a.txt"] },
    expect: /^\/data\/a\.txt: .+\na\.txt: .+\n$/,
  },
  "a trap": {
    scenario: { argv: ["probe", "trap"] },
    expect: /^$/,
  },
};

for (const [name, { scenario, expect }] of Object.entries(SCENARIOS)) {
  Deno.test(`WASI host vs wasmtime: ${name}`, async () => {
    const w = await inWasmtime(scenario);
    const l = await inLean(scenario);
    assert.deepEqual(l.outcome, w.outcome, "stdout, stderr and status as in wasmtime");
    assert.deepEqual(l.files, w.files, "the files left behind as in wasmtime");
    assert.match(w.outcome.stdout, expect, "the probe did what the scenario is about");
  });
}

Deno.test("WASI host vs wasmtime: the statuses are what each scenario makes", async () => {
  const statuses: Record<string, string> = {};
  for (const k of ["wasi:cli/exit", "wasi:cli/run returning an error", "a trap"]) {
    statuses[k] = (await inLean(SCENARIOS[k].scenario)).outcome.status;
  }
  assert.deepEqual(statuses, {
    // The preview1 adapter reports any non-zero exit as `exit(err)`: status 1 on every host.
    "wasi:cli/exit": "exit 1",
    "wasi:cli/run returning an error": "err",
    "a trap": "trap",
  });
});

Deno.test("a grant Deno's permissions do not back fails inside the component, without a prompt", async () => {
  const b = await generateBindings(await buildProbe(), { name: "wreg:probe", wasiHost: "./_wasi" });
  const root = await Deno.makeTempDir({ prefix: "wreg-wasi-denied-" });
  try {
    await Deno.writeTextFile(`${root}/secret.txt`, "secret\n");
    await using project = await tempProject({
      imports: {},
      files: {
        "main.ts": `import { instantiate } from "./probe/mod.ts";
const { run } = instantiate({}, { wasi: {
  args: ["probe", "read", "/data/secret.txt", "/data/../secret.txt", "/etc/passwd"],
  preopens: { "/data": ${JSON.stringify(root)} },
} });
run.run();
// The environment and files nobody granted, in a process that may not read either itself.
instantiate({}, { wasi: { args: ["probe", "env"] } }).run.run();
instantiate({}, { wasi: { args: ["probe", "read", "/etc/passwd", "secret.txt"] } }).run.run();
console.log("the program goes on");
`,
      },
    });
    await writeFiles(`${project.dir}/probe`, b.files);
    const wasiDir = new URL("../wasi/", import.meta.url).pathname;
    for await (const e of Deno.readDir(wasiDir)) {
      if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        await Deno.mkdir(`${project.dir}/probe/_wasi`, { recursive: true });
        await Deno.copyFile(`${wasiDir}${e.name}`, `${project.dir}/probe/_wasi/${e.name}`);
      }
    }
    // No --allow-read at all: the program granted a directory it cannot read itself.
    const run = await project.deno(["run", "--no-prompt", "main.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      "/data/secret.txt: Permission denied\n" +
        // Outside the preopen: refused inside the component (wasi-libc's ENOTCAPABLE), Deno never asked.
        "/data/../secret.txt: Operation not permitted\n/etc/passwd: Capabilities insufficient\n" +
        "0 variables\nHOME=(unset)\n" +
        "/etc/passwd: Capabilities insufficient\nsecret.txt: Capabilities insufficient\n" +
        "the program goes on\n",
      "errors inside the component, then the program continues",
    );
    assert.doesNotMatch(run.stderr, /NotCapable|Requires (read|env) access|prompt/);
    // With the permission, the same program reads the file.
    const allowed = await project.deno(["run", "--no-prompt", `--allow-read=${root}`, "main.ts"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /\/data\/secret\.txt: 7 bytes: secret/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the environment the program has is not the component's unless granted", async () => {
  const { mod } = await leanBindings();
  const out: Uint8Array[] = [];
  const instantiate = mod.instantiate as (i: unknown, o: unknown) => { run: { run(): void } };
  instantiate({}, { wasi: { args: ["probe", "env"], stdout: (b: Uint8Array) => out.push(b) } })
    .run.run();
  assert.ok(Deno.env.get("PATH") !== undefined, "this process has an environment");
  assert.equal(new TextDecoder().decode(concat(out)), "0 variables\nHOME=(unset)\n");
});

// ---------------------------------------------------------------------------------------------
// wasi:http/outgoing-handler: a component (testdata/http_client.wat, the Canonical ABI by hand)
// sends requests to a local server in another process, in wasmtime (with wasi:http linked) and
// through lean glue with wreg's WASI host (`fetch` in the I/O worker).

const HTTP = `${CORPUS}wasi-http/v0.2.0/wit/`;

/** WIT files as one nested package `name` (their own package lines dropped). */
async function nestedPackage(name: string, files: string[]): Promise<string> {
  const texts = await Promise.all(files.map((f) => Deno.readTextFile(f)));
  return `package ${name} {\n${
    texts.map((t) => t.replace(/^package [^;]+;/m, "")).join("\n")
  }\n}\n`;
}

/** The `.wit` files of a folder, sorted. */
async function witFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".wit")) files.push(`${dir}/${e.name}`);
  }
  return files.sort();
}

const clients = new Map<string, Promise<Uint8Array>>();

/**
 * wasi/testdata/<name>.wat as a component of world `client` (its WIT: <name>.wit, then `deps` as
 * nested packages), built once per run.
 */
function buildClient(name: string, deps: () => Promise<string>): Promise<Uint8Array> {
  let client = clients.get(name);
  if (client === undefined) {
    client = (async () => {
      const testdata = (ext: string) =>
        Deno.readTextFile(new URL(`../wasi/testdata/${name}.${ext}`, import.meta.url).pathname);
      const embedded = await componentEmbed({
        binary: await parse(await testdata("wat")),
        witSource: (await testdata("wit")) + await deps(),
        world: "client",
      });
      return await componentNew(embedded, []);
    })();
    clients.set(name, client);
  }
  return client;
}

/** The HTTP client, with wasi:http@0.2.0 and its dependencies as nested packages. */
function buildHttpClient(): Promise<Uint8Array> {
  return buildClient("http_client", async () => {
    let src = await nestedPackage("wasi:http@0.2.0", [`${HTTP}types.wit`, `${HTTP}handler.wit`]);
    for (const [name, dir] of [["wasi:io@0.2.0", "io"], ["wasi:clocks@0.2.0", "clocks"]]) {
      src += await nestedPackage(name, await witFiles(`${HTTP}deps/${dir}`));
    }
    return src;
  });
}

/**
 * A server in a child process: GET /hello/… answers 200 with the path, POST echoes in 201,
 * /missing is 404 and /moved a 302 to /hello/there.
 */
async function withServer(f: (authority: string) => Promise<void>) {
  const script =
    `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) },
  async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/missing") return new Response("no", { status: 404 });
    if (url.pathname === "/moved") {
      return new Response("see /hello/there", { status: 302, headers: { location: "/hello/there" } });
    }
    if (req.method === "POST") return new Response("got " + await req.text(), { status: 201 });
    return new Response("hello " + url.pathname + url.search + " x-test=" + req.headers.get("x-test"));
  });`;
  await withChild(script, (port) => f(`127.0.0.1:${port}`));
}

/** Runs `script` in a child process (`deno eval`) while `f` runs, with its first line of output. */
async function withChild(script: string, f: (firstLine: string) => Promise<void>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    await f(new TextDecoder().decode(value).trim());
  } finally {
    child.kill();
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
}

/** The case of `wasi:http/types.error-code` by name, as the client prints it. */
async function errorCodeIndex(name: string): Promise<number> {
  const text = await Deno.readTextFile(`${HTTP}types.wit`);
  const body = text.slice(text.indexOf("variant error-code {"));
  const cases = body.slice(body.indexOf("{") + 1, body.indexOf("}")).split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trim()).filter((l) => l !== "")
    .map((l) => l.replace(/[(,].*$/, ""));
  const i = cases.indexOf(name);
  assert.ok(i >= 0, name);
  return i;
}

Deno.test("wasi:http outgoing-handler: the same answers as wasmtime's, from a real server", async () => {
  const bytes = await buildHttpClient();
  const b = await generateBindings(bytes, { name: "wreg:http-client" });
  assert.equal(b.glue, "lean", b.reason);
  const dir = await Deno.makeTempDir({ prefix: "wreg-http-client-" });
  try {
    await writeFiles(dir, b.files);
    const mod = await import(`file://${dir}/mod.ts`);
    await withServer(async (authority) => {
      // A port nothing listens on (fetch refuses some well-known ports outright, like 1).
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const closed = `127.0.0.1:${(probe.addr as Deno.NetAddr).port}`;
      probe.close();
      const calls: [number, string, string, string][] = [
        [0, authority, "/hello/world?q=1", ""],
        [2, authority, "/echo", "a body ✓"],
        [0, authority, "/missing", ""],
        [0, closed, "/", ""],
        [0, authority, "/moved", ""],
      ];
      const wasmtime = await runComponent(
        bytes,
        calls.map((args) => ({ export: "fetch", args })),
        { wasiHttp: true },
      );
      const inst = mod.instantiate({}, { wasi: { network: ["127.0.0.1"] } });
      const lean = calls.map((args) => inst.fetch(...args));
      assert.deepEqual(lean, wasmtime.results);
      assert.equal(lean[0], `200\nhello /hello/world?q=1 x-test=null`);
      assert.equal(lean[1], "201\ngot a body ✓");
      assert.equal(lean[2], "404\nno");
      assert.equal(lean[3], `error 12 ${await errorCodeIndex("connection-refused")}`);
      // A redirect is the component's to follow (fetch would follow it by itself).
      assert.equal(lean[4], "302\nsee /hello/there");

      // Without a network grant, or to a host not granted, the request is denied inside.
      const denied = `error 9 ${await errorCodeIndex("HTTP-request-denied")}`;
      assert.equal(mod.instantiate({}).fetch(0, authority, "/", ""), denied);
      const other = mod.instantiate({}, { wasi: { network: ["example.com"] } });
      assert.equal(other.fetch(0, authority, "/", ""), denied);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a wasmCloud HTTP component serves requests through Deno.serve and serveIncoming", async () => {
  const bytes = await Deno.readFile(`${CORPUS}wasmCloud/tests/fixtures/http_hello_world_rust.wasm`);
  const b = await generateBindings(bytes, { name: "wasmcloud:hello" });
  assert.equal(b.glue, "lean", b.reason);
  assert.equal(b.ready, true);
  await using project = await tempProject({
    imports: { "wasmcloud:hello": "./hello/mod.ts" },
    files: {
      "main.ts": `import { incomingHandler, serveIncoming } from "wasmcloud:hello";
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (req) => serveIncoming(incomingHandler, req),
);
const res = await fetch(\`http://127.0.0.1:\${server.addr.port}/hi\`);
console.log(res.status, await res.text());
await server.shutdown();
`,
    },
  });
  await writeFiles(`${project.dir}/hello`, b.files);
  assert.equal((await project.deno(["check", "main.ts"])).code, 0);
  const run = await project.deno(["run", "--no-prompt", "--allow-net=127.0.0.1", "main.ts"]);
  assert.equal(run.code, 0, run.stderr);
  // The component ends its body with a newline of its own.
  assert.equal(run.stdout, "200 Hello from Rust!\n\n");
});

// ---------------------------------------------------------------------------------------------
// wasi:sockets TCP: a client component (testdata/tcp_client.wat, the Canonical ABI by hand)
// connects, writes and reads back from an echo server in another process. wasmtime's Python
// package grants no network (its WasiConfig has no such option), so beside wasmtime only the
// refusals are compared; the connection itself runs through lean glue with a network grant.

const SOCKETS = `${HTTP}deps/`;

/** The TCP client, with wasi:sockets@0.2.0 and its dependencies as nested packages. */
function buildTcpClient(): Promise<Uint8Array> {
  return buildClient("tcp_client", async () => {
    let src = "";
    for (
      const [name, dir] of [
        ["wasi:sockets@0.2.0", "sockets"],
        ["wasi:io@0.2.0", "io"],
        ["wasi:clocks@0.2.0", "clocks"],
      ]
    ) {
      src += await nestedPackage(name, await witFiles(`${SOCKETS}${dir}`));
    }
    return src;
  });
}

/** A TCP echo server in a child process; its port. */
async function withEchoServer(f: (port: number) => Promise<void>) {
  const script = `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(l.addr.port);
for await (const c of l) c.readable.pipeTo(c.writable).catch(() => {});`;
  await withChild(script, (port) => f(Number(port)));
}

/** The case of `wasi:sockets/network.error-code` by name, as the client prints it. */
async function socketErrorIndex(name: string): Promise<number> {
  const text = await Deno.readTextFile(`${SOCKETS}sockets/network.wit`);
  const body = text.slice(text.indexOf("enum error-code {"));
  const cases = body.slice(body.indexOf("{") + 1, body.indexOf("}")).split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trim()).filter((l) => l !== "")
    .map((l) => l.replace(/,.*$/, ""));
  const i = cases.indexOf(name);
  assert.ok(i >= 0, name);
  return i;
}

Deno.test("wasi:sockets TCP: refusals as in wasmtime; with a grant, a real connection through lean glue", async () => {
  const bytes = await buildTcpClient();
  const b = await generateBindings(bytes, { name: "wreg:tcp-client" });
  assert.equal(b.glue, "lean", b.reason);
  const dir = await Deno.makeTempDir({ prefix: "wreg-tcp-client-" });
  try {
    await writeFiles(dir, b.files);
    const mod = await import(`file://${dir}/mod.ts`);
    await withEchoServer(async (port) => {
      const calls: [number, number, number, number, number, string][] = [
        [127, 0, 0, 1, port, "hello ✓"],
        [10, 0, 0, 1, port, "x"],
      ];
      const wasmtime = await runComponent(
        bytes,
        calls.map((args) => ({ export: "connect", args })),
      );
      const denied = mod.instantiate({});
      const lean = calls.map((args) => denied.connect(...args));
      assert.deepEqual(lean, wasmtime.results);
      // Without a network, no socket: create-tcp-socket is access-denied on both hosts.
      const access = await socketErrorIndex("access-denied");
      assert.deepEqual(lean, [`error 1 ${access}`, `error 1 ${access}`]);

      // Granted 127.0.0.1: the echo comes back; another host stays denied; a closed port is
      // refused when the connection finishes.
      const granted = mod.instantiate({}, { wasi: { network: ["127.0.0.1"] } });
      assert.equal(granted.connect(127, 0, 0, 1, port, "hello ✓"), "hello ✓");
      assert.equal(granted.connect(127, 0, 0, 1, port, "x".repeat(20_000)), "x".repeat(20_000));
      assert.equal(granted.connect(10, 0, 0, 1, port, "x"), `error 2 ${access}`);
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const closed = (probe.addr as Deno.NetAddr).port;
      probe.close();
      assert.equal(
        granted.connect(127, 0, 0, 1, closed, "x"),
        `error 3 ${await socketErrorIndex("connection-refused")}`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
