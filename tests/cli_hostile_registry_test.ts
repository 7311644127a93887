/**
 * The CLI against a hostile registry (issue 17): a registry that lies about sizes, streams without
 * end, trickles, stalls inside a JSON answer, names packages that are paths, or asks for tokens it
 * should not get. Each registry here is a raw TCP server on 127.0.0.1 (tests/support/hostile_http.ts)
 * that answers byte by byte as the test says; wreg runs in-process in a sandbox (never the real
 * home, cache or config).
 */
import assert from "node:assert/strict";
import { Sandbox } from "./cli_support.ts";
import {
  type RawAnswer,
  type RawRequest,
  type RawServer,
  startRawServer,
} from "./support/hostile_http.ts";
import { digestOf } from "../lib/names/mod.ts";

const SMALL = new TextEncoder().encode("x".repeat(331));
const SMALL_DIGEST = await digestOf(SMALL);

/** An index document of `name` with one version 1.0.0. */
function indexOf(
  name: string,
  entry: { kind?: string; size?: number; digest?: string; dependencies?: Record<string, string> },
) {
  return {
    name,
    kind: entry.kind ?? "component",
    versions: [{
      version: "1.0.0",
      yanked: false,
      digest: entry.digest ?? SMALL_DIGEST,
      size: entry.size ?? SMALL.length,
      kind: entry.kind ?? "component",
      dependencies: entry.dependencies ?? {},
    }],
  };
}

function oneLine(stderr: string): void {
  assert.match(stderr, /^error: [^\n]+\n$/, `one line: ${JSON.stringify(stderr)}`);
}

async function listing(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

/** Runs `test` with a sandbox, a project folder and a hostile registry answering with `handle`. */
async function withHostile(
  handle: (req: RawRequest, answer: RawAnswer) => Promise<void>,
  test: (box: Sandbox, project: string, url: string, server: RawServer) => Promise<void>,
): Promise<void> {
  const server = startRawServer(handle);
  const box = await Sandbox.create("wreg-hostile-");
  try {
    await test(box, await box.folder("project"), server.url, server);
  } finally {
    await server.stop();
    await box.remove();
  }
}

for (const kind of ["component", "wit-package"]) {
  Deno.test(`a ${kind} blob longer than its index says stops at that size (exit 6)`, async () => {
    // Reproduced before the fix: the CLI read the whole stream (1 GiB drove it to 8.5 GB of
    // memory); here the stream ends after 64 MiB and the CLI read all of it.
    let sent = 0;
    await withHostile(async (req, a) => {
      if (req.path.endsWith("/index")) return await a.json(200, indexOf("evil:app", { kind }));
      await a.head(200, { "Content-Type": "application/octet-stream" });
      const chunk = new Uint8Array(64 * 1024).fill(120);
      while (sent < 64 * 1024 * 1024 && !a.stopping) {
        await a.write(chunk);
        sent += chunk.length;
      }
    }, async (box, p, url) => {
      const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], { WREG_REGISTRY: url });
      assert.equal(r.code, 6, r.stderr);
      oneLine(r.stderr);
      assert.match(
        r.stderr,
        /Cannot download evil:app@1\.0\.0: the registry at http:\/\/127\.0\.0\.1:\d+ sent more than the 331 bytes its index lists/,
      );
      // Loopback socket buffers hold a few MiB at most; the CLI itself read 331 bytes and a chunk.
      assert.ok(sent < 16 * 1024 * 1024, `the registry got to send ${sent} bytes`);
      assert.deepEqual(await listing(p), [], "nothing written");
    });
  });
}

Deno.test("a Content-Length over the index size is refused before the body (exit 6)", async () => {
  // Reproduced before the fix: the CLI waited for the body (here: until WREG_TIMEOUT, exit 3).
  await withHostile(async (req, a) => {
    if (req.path.endsWith("/index")) return await a.json(200, indexOf("evil:app", {}));
    await a.head(200, { "Content-Length": 1024 * 1024 * 1024 });
    await a.write("xxxx");
    await a.sleep(60_000);
  }, async (box, p, url) => {
    const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], {
      WREG_REGISTRY: url,
      WREG_TIMEOUT: "20",
    });
    assert.equal(r.code, 6, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /announced 1073741824 bytes, but its index lists 331/);
  });
});

Deno.test("WREG_TIMEOUT bounds a download that trickles (exit 3)", async () => {
  // Reproduced before the fix: each byte came within WREG_TIMEOUT of the last, so the download
  // ran to its end (8 s here, without end in the attack) and failed on its digest (exit 6).
  await withHostile(async (req, a) => {
    if (req.path.endsWith("/index")) return await a.json(200, indexOf("evil:app", {}));
    await a.head(200, { "Content-Length": SMALL.length });
    for (let i = 0; i < 40 && !a.stopping; i++) {
      await a.write("y");
      await a.sleep(200);
    }
  }, async (box, p, url) => {
    const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], {
      WREG_REGISTRY: url,
      WREG_TIMEOUT: "0.5",
    });
    assert.equal(r.code, 3, r.stderr);
    oneLine(r.stderr);
    assert.match(
      r.stderr,
      /Cannot download evil:app@1\.0\.0: the download from http:\/\/127\.0\.0\.1:\d+ slowed to \d+ bytes in 0\.5 s \(under 1 KiB\/s over a WREG_TIMEOUT period\)$/m,
    );
  });
});

Deno.test("a timeout inside a JSON answer is a network error (exit 3), not invalid JSON", async () => {
  // Reproduced before the fix: "answered with invalid JSON (…aborted…)", exit 5.
  await withHostile(async (_req, a) => {
    await a.head(200, { "Content-Type": "application/json", "Content-Length": 4000 });
    await a.write('{"name": "evil:app", "versions": [');
    await a.sleep(60_000);
  }, async (box, p, url) => {
    const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], {
      WREG_REGISTRY: url,
      WREG_TIMEOUT: "0.5",
    });
    assert.equal(r.code, 3, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /Cannot look up evil:app: the download from .* slowed to \d+ bytes/);
  });
});

Deno.test("a JSON answer without end stops at the JSON limit (exit 5)", async () => {
  let sent = 0;
  await withHostile(async (_req, a) => {
    await a.head(200, { "Content-Type": "application/json" });
    await a.write('{"name": "evil:app", "pad": "');
    const chunk = new Uint8Array(64 * 1024).fill(97);
    while (sent < 256 * 1024 * 1024 && !a.stopping) {
      await a.write(chunk);
      sent += chunk.length;
    }
  }, async (box, p, url) => {
    const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], { WREG_REGISTRY: url });
    assert.equal(r.code, 5, r.stderr);
    oneLine(r.stderr);
    assert.match(
      r.stderr,
      /Cannot look up evil:app: the registry at .* sent more than 33554432 bytes of JSON/,
    );
    assert.ok(sent < 64 * 1024 * 1024, `the registry got to send ${sent} bytes`);
  });
});

Deno.test("a package with hundreds of dependencies opens a bounded number of connections", async () => {
  // Reproduced before the fix: the index prefetch asked for all 300 dependencies at once (300
  // connections open together; 3,000 in the attack).
  const deps = Object.fromEntries(
    Array.from({ length: 300 }, (_, i) => [`evil:dep${i}`, "^1.0.0"]),
  );
  await withHostile(async (req, a) => {
    if (req.path === "/api/v1/packages/evil/app/index") {
      return await a.json(200, indexOf("evil:app", { kind: "wit-package", dependencies: deps }));
    }
    await a.sleep(20);
    await a.json(404, { code: "not-found", message: "Cannot find the package" });
  }, async (box, p, url, server) => {
    const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], { WREG_REGISTRY: url });
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /evil:dep\d+/);
    assert.ok(server.requests.length > 1, "the dependencies were asked for");
    assert.ok(server.maxOpen <= 8, `${server.maxOpen} connections open at once`);
  });
});

Deno.test("names, versions and digests in a registry's index are checked before use (exit 5)", async (t) => {
  // Reproduced before the fix: the dependency "../../evil:x" was resolved (its index was
  // served too) and written to wreg.lock; install then refused the lock.
  const cases: [string, unknown, RegExp][] = [
    [
      "a dependency named like a path",
      indexOf("evil:app", { kind: "wit-package", dependencies: { "../../evil:x": "^1.0.0" } }),
      /version 1\.0\.0 lists dependency "\.\.\/\.\.\/evil:x", which is not a package name/,
    ],
    [
      "a dependency with a bad range",
      indexOf("evil:app", { kind: "wit-package", dependencies: { "evil:x": "^^1" } }),
      /version 1\.0\.0 lists dependency evil:x with range "\^\^1"/,
    ],
    [
      "a digest that is not one",
      indexOf("evil:app", { kind: "wit-package", digest: "sha256:../../x" }),
      /version 1\.0\.0 has digest "sha256:\.\.\/\.\.\/x"/,
    ],
    [
      "an index of another package",
      indexOf("evil:other", { kind: "wit-package" }),
      /it is the index of "evil:other"/,
    ],
    [
      "a size that is not a byte count",
      indexOf("evil:app", { kind: "wit-package", size: -1 }),
      /version 1\.0\.0 has size -1/,
    ],
  ];
  for (const [what, index, message] of cases) {
    await t.step(what, async () => {
      await withHostile(async (req, a) => {
        if (req.path === "/api/v1/packages/evil/app/index") return await a.json(200, index);
        if (req.path.endsWith("/index")) {
          const name = decodeURIComponent(req.path.split("/").slice(4, 6).join(":"));
          return await a.json(200, indexOf(name, { kind: "wit-package" }));
        }
        await a.head(200, { "Content-Length": SMALL.length });
        await a.write(SMALL);
      }, async (box, p, url) => {
        const r = await box.wreg(p, ["add", "evil:app", "--no-bindings"], { WREG_REGISTRY: url });
        assert.equal(r.code, 5, r.stderr);
        oneLine(r.stderr);
        assert.match(
          r.stderr,
          /^error: Cannot look up evil:app: the registry at http:\/\/127\.0\.0\.1:\d+ answered with an invalid index: /,
        );
        assert.match(r.stderr, message);
        assert.deepEqual(await listing(p), [], "nothing written");
      });
    });
  }
});

Deno.test("WREG_TOKEN goes only to the registry WREG_REGISTRY names", async (t) => {
  // Reproduced before the fix: a wreg.json naming another registry (a pull request can change
  // it) received CI's WREG_TOKEN with the publish ("Bearer ci-secret" seen by the hostile server).
  await withHostile(async (req, a) => {
    if (req.path.endsWith("/index")) return await a.json(404, { code: "not-found", message: "-" });
    await a.json(401, { code: "invalid-token", message: "Cannot publish: the token is unknown" });
  }, async (box, p, url, server) => {
    await Deno.writeTextFile(
      `${p}/wreg.json`,
      JSON.stringify({ name: "evil:kv", version: "1.0.0", kind: "wit", registry: url }),
    );
    await Deno.mkdir(`${p}/wit`);
    await Deno.writeTextFile(
      `${p}/wit/kv.wit`,
      "package evil:kv@1.0.0;\n\ninterface store {\n  get: func(key: string) -> string;\n}\n",
    );
    const ci = { WREG_TOKEN: "ci-secret", WREG_REGISTRY: "https://registry.example" };
    const saw = () => server.requests.map((r) => r.headers.authorization).filter(Boolean);

    await t.step("a publish to wreg.json's registry gets no token", async () => {
      const r = await box.wreg(p, ["publish", "."], ci);
      assert.equal(r.code, 4, r.stderr);
      oneLine(r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `Cannot publish evil:kv@1\\.0\\.0: no token for the registry at ${url}; WREG_TOKEN ` +
            `is sent only to the registry WREG_REGISTRY names \\(https://registry\\.example\\)`,
        ),
      );
      assert.deepEqual(saw(), []);
    });

    await t.step("nor a yank, nor with WREG_REGISTRY unset", async () => {
      const r = await box.wreg(p, ["yank", "evil:kv@1.0.0"], { WREG_TOKEN: "ci-secret" });
      assert.equal(r.code, 4, r.stderr);
      assert.match(
        r.stderr,
        /WREG_TOKEN is sent only to the registry WREG_REGISTRY names, and WREG_REGISTRY is not set/,
      );
      assert.deepEqual(saw(), []);
    });

    await t.step("the registry WREG_REGISTRY names gets it", async () => {
      const r = await box.wreg(p, ["yank", "evil:kv@1.0.0"], { ...ci, WREG_REGISTRY: url });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /does not accept the token/);
      assert.deepEqual(saw(), ["Bearer ci-secret"]);
    });
  });
});

Deno.test("a token is never sent over plain HTTP to a host that is not loopback", async () => {
  // Reproduced before the fix: the request went out with the token (here it failed to resolve,
  // exit 3).
  const box = await Sandbox.create("wreg-hostile-");
  try {
    const p = await box.folder("project");
    const url = "http://registry.example:8080";
    const r = await box.wreg(p, ["yank", "evil:kv@1.0.0"], {
      WREG_REGISTRY: url,
      WREG_TOKEN: "ci-secret",
    });
    assert.equal(r.code, 2, r.stderr);
    oneLine(r.stderr);
    assert.match(
      r.stderr,
      /^error: Cannot yank evil:kv@1\.0\.0: the registry at http:\/\/registry\.example:8080 uses plain HTTP, and wreg sends a token only over HTTPS or to this machine \(a loopback address\)\n$/,
    );
    const login = await box.wreg(p, ["login", "--registry", url, "--token", "t", "--no-verify"]);
    assert.equal(login.code, 2, login.stderr);
    assert.match(login.stderr, /Cannot log in to http:\/\/registry\.example:8080: .* plain HTTP/);
  } finally {
    await box.remove();
  }
});

Deno.test("wreg install stops a download at the size wreg.lock lists (exit 6)", async () => {
  // Reproduced before the fix: the lock held no size, so install read the whole 64 MiB stream
  // (up to 1 GiB in the attack) and only then failed on the digest.
  let sent = 0;
  await withHostile(async (_req, a) => {
    await a.head(200, { "Content-Type": "application/octet-stream" });
    const chunk = new Uint8Array(64 * 1024).fill(120);
    while (sent < 64 * 1024 * 1024 && !a.stopping) {
      await a.write(chunk);
      sent += chunk.length;
    }
  }, async (box, p, url) => {
    await Deno.writeTextFile(
      `${p}/wreg.json`,
      JSON.stringify({ dependencies: { "evil:app": "^1.0.0" } }),
    );
    const lock = {
      lockVersion: 3,
      packages: {
        "evil:app": {
          version: "1.0.0",
          kind: "component",
          registry: url,
          digest: SMALL_DIGEST,
          size: SMALL.length,
          requirements: { "wreg.json": "^1.0.0" },
          dependencies: {},
        },
      },
      fills: {},
    };
    await Deno.writeTextFile(`${p}/wreg.lock`, JSON.stringify(lock, null, 2));
    const r = await box.wreg(p, ["install", "--no-bindings"]);
    assert.equal(r.code, 6, r.stderr);
    oneLine(r.stderr);
    assert.match(
      r.stderr,
      /Cannot download evil:app@1\.0\.0: the registry at http:\/\/127\.0\.0\.1:\d+ sent more than the 331 bytes wreg\.lock lists/,
    );
    assert.ok(sent < 16 * 1024 * 1024, `the registry got to send ${sent} bytes`);
    assert.deepEqual(await listing(p), ["wreg.json", "wreg.lock"], "nothing else written");
  });
});

Deno.test("wreg info and wreg search show a registry's control characters, never send them to the terminal", async (t) => {
  // Reproduced before the fix: the description's ESC ] 0 ; … BEL (set the window title), ESC [ 2 J
  // (clear the screen), the C1 CSI, the carriage return and the right-to-left override reached
  // stdout as they were, in the text and (C1, U+202E) in --json.
  const evil = "Logs\x1b]0;pwned\x07\x1b[2J\r\u009b31m\u202eevil";
  const pkg = {
    name: "evil:app",
    kind: "component",
    description: evil,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    latest: "1.0.0",
    owners: [`mallory\x1b[8m`],
    versions: [{
      version: "1.0.0\x1b[2J",
      publishedAt: "2026-01-01T00:00:00Z",
      publisher: "mallory\x08\x08\x08\x08\x08\x08\x08alice",
      yanked: false,
      prerelease: false,
    }],
  };
  const version = {
    package: "evil:app",
    version: "1.0.0",
    kind: "component",
    digest: SMALL_DIGEST,
    size: 331,
    description: evil,
    wit: "package evil:app@1.0.0;\n\x1b[2Jworld w {\n}\n",
    worlds: [{ name: "w", id: "evil:app/w\x1b[1A", imports: [], exports: [] }],
    interfaces: [],
    dependencies: [{ package: "evil:dep", version: null, range: "^1\x1b[K" }],
    compat: null,
    metadata: {},
    publishedAt: "2026-01-01T00:00:00Z",
    publisher: "mallory\x1b[31m",
    yanked: false,
    yankedAt: null,
  };
  const search = {
    query: { q: "x" },
    results: [{
      package: "evil:app",
      kind: "component",
      description: evil,
      latest: "1.0.0\x1b[5m",
      version: null,
      digest: null,
      updatedAt: "2026-01-01T00:00:00Z",
    }],
  };
  await withHostile(async (req, a) => {
    if (req.path === "/api/v1/packages/evil/app") return await a.json(200, pkg);
    if (req.path === "/api/v1/packages/evil/app/1.0.0") return await a.json(200, version);
    if (req.path.startsWith("/api/v1/search")) return await a.json(200, search);
    await a.json(404, { code: "not-found", message: "Cannot find it:\x1b[2J gone" });
  }, async (box, p, url) => {
    const env = { WREG_REGISTRY: url };
    // Everything a terminal acts on, except the line feeds and tabs wreg itself writes.
    const unsafe = /(?![\n\t])[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
    const runs: [string, string[]][] = [
      ["info", ["info", "evil:app"]],
      ["info of a version", ["info", "evil:app@1.0.0"]],
      ["info --wit", ["info", "evil:app@1.0.0", "--wit"]],
      ["info --json", ["info", "evil:app", "--json"]],
      ["search", ["search", "x"]],
      ["search --json", ["search", "x", "--json"]],
      ["an error quoting the registry", ["info", "evil:app@2.0.0"]],
    ];
    for (const [what, args] of runs) {
      await t.step(what, async () => {
        const r = await box.wreg(p, args, env);
        assert.doesNotMatch(r.stdout, unsafe, JSON.stringify(r.stdout));
        assert.doesNotMatch(r.stderr, unsafe, JSON.stringify(r.stderr));
        if (args.includes("--json")) {
          // The same JSON: what the registry sent parses back unchanged.
          const parsed = JSON.parse(r.stdout);
          const description = args[0] === "info"
            ? parsed.package.description
            : parsed.results[0].description;
          assert.equal(description, evil);
        } else if (what.startsWith("an error")) {
          assert.equal(r.code, 5, r.stderr);
          assert.match(r.stderr, /it has 1\.0\.0\\x1b\[2J$/m);
        } else {
          assert.equal(r.code, 0, r.stderr);
          // Shown, visibly, not dropped.
          assert.match(r.stdout, /\\x1b/);
        }
      });
    }
    const info = await box.wreg(p, ["info", "evil:app"], env);
    // The description's carriage return is a blank: a description is shown on one line.
    assert.ok(info.stdout.includes("Logs\\x1b]0;pwned\\x07\\x1b[2J \\x9b31m\\u202eevil"));
    assert.ok(info.stdout.includes("mallory\\x08"), info.stdout);
    const wit = await box.wreg(p, ["info", "evil:app@1.0.0", "--wit"], env);
    assert.equal(wit.stdout, "package evil:app@1.0.0;\n\\x1b[2Jworld w {\n}\n");
  });
});

Deno.test("wreg login shows the owner a registry names with its control characters visible, and stores no bad namespace", async () => {
  // Reproduced before the fix: "Logged in … as mallory\x1b]0;pwned\x07" reached stdout as it
  // was, and the config's namespace became "\x1b[2Jx".
  await withHostile(async (req, a) => {
    if (req.path === "/api/v1/whoami") {
      return await a.json(200, {
        token: { owner: "mallory\x1b]0;pwned\x07" },
        namespaces: [{ name: "\x1b[2Jx" }, { name: "acme" }],
      });
    }
    await a.json(404, { code: "not-found", message: "-" });
  }, async (box, p, url) => {
    const r = await box.wreg(p, ["login", "--registry", url, "--token", "t0k3n-for-the-test"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes("\x1b") && !r.stdout.includes("\x07"), JSON.stringify(r.stdout));
    assert.ok(r.stdout.includes("as mallory\\x1b]0;pwned\\x07 (namespaces \\x1b[2Jx, acme)"));
    const config = JSON.parse(await Deno.readTextFile(`${box.root}/config/config.json`));
    assert.equal(config.namespace, "acme");
  });
});
