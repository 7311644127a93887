/**
 * wreg's WASI host on its own, called the way generated glue calls it (tests/wasi_host_test.ts
 * runs a real component on it against wasmtime): what an instance gets without grants, the
 * confinement of paths to preopened directories, Deno's permissions turned into WASI errors,
 * streams, pollables and exit.
 */
import assert from "node:assert/strict";
import { createWasi, Descriptor, InputStream, OutputStream, poll, setPreopens } from "./mod.ts";

type Fn = (...a: unknown[]) => unknown;
const hooks = { exit: (code: number) => new Error(`exit ${code}`) };

function iface(wasi: ReturnType<typeof createWasi>, name: string): Record<string, Fn> {
  return wasi.get(name) as Record<string, Fn>;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

Deno.test("without grants an instance has no arguments, environment, directories or stdin", () => {
  const wasi = createWasi(undefined, hooks);
  const env = iface(wasi, "wasi:cli/environment@0.2.0");
  assert.deepEqual(env.getArguments(), []);
  assert.deepEqual(env.getEnvironment(), []);
  assert.equal(env.initialCwd(), undefined);
  assert.deepEqual(iface(wasi, "wasi:filesystem/preopens@0.2.3").getDirectories(), []);
  const stdin = iface(wasi, "wasi:cli/stdin@0.2.0").getStdin() as InputStream;
  assert.deepEqual(thrown(() => stdin.blockingRead(10n)), { tag: "closed" });
});

Deno.test("what is granted is what the component sees", () => {
  const wasi = createWasi({ args: ["a", "b"], env: { X: "1" }, cwd: "/w" }, hooks);
  const env = iface(wasi, "wasi:cli/environment@0.2.6");
  assert.deepEqual(env.getArguments(), ["a", "b"]);
  assert.deepEqual(env.getEnvironment(), [["X", "1"]]);
  assert.equal(env.initialCwd(), "/w");
});

Deno.test("bad options are refused with a TypeError naming the option", () => {
  assert.throws(() => createWasi({ args: [1] as unknown as string[] }, hooks), /wasi\.args/);
  assert.throws(() => createWasi({ stdout: "file" as "inherit" }, hooks), /wasi\.stdout/);
  assert.throws(() => createWasi({ preopens: { "/": 3 as unknown as string } }, hooks), /preopens/);
  assert.throws(() => createWasi({ network: "yes" as unknown as boolean }, hooks), /network/);
});

Deno.test("an interface the host does not implement is named", () => {
  assert.throws(
    () => createWasi(undefined, hooks).get("wasi:keyvalue/store@0.2.0-draft"),
    /does not implement wasi:keyvalue\/store/,
  );
});

Deno.test("stdout goes where it is told, exit throws the glue's error", () => {
  const chunks: string[] = [];
  const wasi = createWasi({ stdout: (c) => chunks.push(new TextDecoder().decode(c)) }, hooks);
  const out = iface(wasi, "wasi:cli/stdout@0.2.0").getStdout() as OutputStream;
  out.blockingWriteAndFlush(new TextEncoder().encode("hello"));
  assert.deepEqual(chunks, ["hello"]);
  assert.equal(out.checkWrite() > 0n, true);
  const exit = iface(wasi, "wasi:cli/exit@0.2.0");
  assert.throws(() => exit.exit({ tag: "err" }), /exit 1/);
  assert.throws(() => exit.exitWithCode(3), /exit 3/);
});

Deno.test("poll blocks until a timer is ready", () => {
  const clock = iface(createWasi(undefined, hooks), "wasi:clocks/monotonic-clock@0.2.0");
  const t0 = clock.now() as bigint;
  const later = clock.subscribeDuration(5_000_000n) as { ready(): boolean };
  const now = clock.subscribeDuration(0n) as { ready(): boolean };
  assert.deepEqual([...poll([later, now] as never)], [1]);
  assert.deepEqual([...poll([later] as never)], [0]);
  assert.ok((clock.now() as bigint) - t0 >= 5_000_000n);
  assert.throws(() => poll([]), /empty/);
});

async function withDirs(f: (root: string, outside: string) => void | Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "wreg-wasi-unit-" });
  const outside = await Deno.makeTempDir({ prefix: "wreg-wasi-outside-" });
  try {
    await Deno.mkdir(`${root}/sub`);
    await Deno.writeTextFile(`${root}/a.txt`, "aaa");
    await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
    await f(root, outside);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
}

function dirOf(wasi: ReturnType<typeof createWasi>): Descriptor {
  const dirs = iface(wasi, "wasi:filesystem/preopens@0.2.0").getDirectories() as [
    Descriptor,
    string,
  ][];
  return dirs[0][0];
}

const READ = { read: true };

Deno.test("paths stay inside the preopened directory, through .. and symbolic links", async () => {
  await withDirs(async (root, outside) => {
    await Deno.symlink(outside, `${root}/escape`);
    await Deno.symlink("../a.txt", `${root}/sub/up`);
    await Deno.symlink("/etc", `${root}/absolute`);
    const d = dirOf(createWasi({ preopens: { "/data": root } }, hooks));
    const open = (p: string) => thrown(() => d.openAt({ symlinkFollow: true }, p, {}, READ));
    assert.equal(open("../x"), "not-permitted");
    assert.equal(open("sub/../../x"), "not-permitted");
    assert.equal(open("/etc/passwd"), "not-permitted");
    assert.equal(open("escape/secret.txt"), "not-permitted");
    assert.equal(open("absolute/passwd"), "not-permitted");
    assert.equal(open("missing.txt"), "no-entry");
    // A link that stays inside is followed.
    const f = d.openAt({ symlinkFollow: true }, "sub/up", {}, READ);
    assert.deepEqual(f.read(10n, 0n), [new TextEncoder().encode("aaa"), true]);
    // Without symlink-follow, opening the link itself is refused.
    assert.equal(thrown(() => d.openAt({}, "sub/up", {}, READ)), "loop");
  });
});

Deno.test("a read-only preopen refuses every change", async () => {
  await withDirs((root) => {
    const d = dirOf(createWasi({ preopens: { "/ro": { path: root, readonly: true } } }, hooks));
    assert.equal(thrown(() => d.createDirectoryAt("new")), "not-permitted");
    assert.equal(thrown(() => d.unlinkFileAt("a.txt")), "not-permitted");
    assert.equal(
      thrown(() => d.openAt({}, "b.txt", { create: true }, { write: true })),
      "not-permitted",
    );
    assert.deepEqual(d.getFlags(), { read: true, mutateDirectory: false });
  });
});

Deno.test("setPreopens gives instances made without preopens their directories", async () => {
  await withDirs((root) => {
    setPreopens({ "/d": root });
    try {
      const dirs = iface(createWasi(undefined, hooks), "wasi:filesystem/preopens@0.2.0")
        .getDirectories() as [Descriptor, string][];
      assert.deepEqual(dirs.map(([, g]) => g), ["/d"]);
      const own = iface(createWasi({ preopens: {} }, hooks), "wasi:filesystem/preopens@0.2.0");
      assert.deepEqual(own.getDirectories(), [], "its own grant wins");
    } finally {
      setPreopens({});
    }
  });
});

Deno.test("what Deno does not allow is the WASI error access, asked without a prompt", async () => {
  await withDirs(async (root) => {
    // A child process with read permission for nothing: the grant cannot be backed.
    const script = `import { createWasi } from ${
      JSON.stringify(new URL("./mod.ts", import.meta.url).href)
    };
const wasi = createWasi({ preopens: { "/d": ${
      JSON.stringify(root)
    } } }, { exit: () => new Error() });
const [[d]] = wasi.get("wasi:filesystem/preopens@0.2.0").getDirectories();
const out = [];
for (const f of [() => d.openAt({}, "a.txt", {}, { read: true }), () => d.readDirectory(), () => d.stat()]) {
  try { f(); out.push("ok"); } catch (e) { out.push(typeof e === "string" ? e : "threw " + e?.name); }
}
console.log(out.join(" "));`;
    const file = `${root}/../wreg-wasi-denied-${crypto.randomUUID()}.js`;
    await Deno.writeTextFile(file, script);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", file],
      stdout: "piped",
      stderr: "piped",
    }).output().finally(() => Deno.remove(file));
    const dec = new TextDecoder();
    assert.equal(run.code, 0, dec.decode(run.stderr));
    assert.equal(dec.decode(run.stdout), "access access access\n");
  });
});

Deno.test("file streams read and write at their own offsets; the descriptor closes with its streams", async () => {
  await withDirs(async (root) => {
    const d = dirOf(createWasi({ preopens: { "/data": root } }, hooks));
    const f = d.openAt({}, "n.txt", { create: true }, { read: true, write: true });
    const w = f.writeViaStream(0n);
    w.blockingWriteAndFlush(new TextEncoder().encode("hello world"));
    const r = f.readViaStream(6n);
    assert.equal(new TextDecoder().decode(r.blockingRead(100n)), "world");
    assert.deepEqual(thrown(() => r.blockingRead(100n)), { tag: "closed" });
    f[Symbol.dispose]();
    // Streams keep the file open until they are dropped too.
    const a = f.appendViaStream.call(f) as OutputStream;
    a.blockingWriteAndFlush(new TextEncoder().encode("!"));
    w[Symbol.dispose]();
    r[Symbol.dispose]();
    a[Symbol.dispose]();
    assert.equal(await Deno.readTextFile(`${root}/n.txt`), "hello world!");
    const entries: string[] = [];
    const s = d.readDirectory();
    for (let e = s.readDirectoryEntry(); e !== undefined; e = s.readDirectoryEntry()) {
      entries.push(`${e.name}:${e.type}`);
    }
    assert.deepEqual(entries.sort(), ["a.txt:regular-file", "n.txt:regular-file", "sub:directory"]);
  });
});
