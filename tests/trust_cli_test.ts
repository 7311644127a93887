/**
 * The CLI side of issue 16 against a real registry process with a transparency log (behind
 * tests/support/trust_proxy.ts): publisher keys, signed publishing, verification in `add`,
 * `install`, `update` and `wreg verify`, first-use pinning of the log key, and the attacks the
 * CLI must catch, each simulated by a lying front (each would be installed without the checks:
 * the bytes always match the digest the lying registry lists).
 */
import assert from "node:assert/strict";
import { type RunResult, Sandbox, startRegistry } from "./cli_support.ts";
import { startServerProcess, tinyComponent } from "./registry_support.ts";
import { type Lie, newPublisherKey, startLoggedRegistry } from "./support/trust_proxy.ts";
import { oracle } from "./support/trust_verifiers.ts";
import {
  formatSignerKey,
  formatTlogProof,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseTlogProof,
  signNote,
} from "../lib/tlog/mod.ts";
import {
  formatPublicKeyPem,
  importPrivateKeyPem,
  type PublisherKey,
  signRelease,
} from "../lib/attest/mod.ts";
import { parseDigest, parsePackageName, parseVersion } from "../lib/names/mod.ts";

/** A small component whose bytes differ per package and version. */
function tinyBytes(name: string, version: string): Promise<Uint8Array> {
  const label = `${name}-${version}`.replace(/[^a-z0-9]+/g, "-");
  return tinyComponent(`${name}@${version}`, `  export f-${label}: func();\n`);
}

const ok = (r: RunResult, what: string) =>
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}${r.stderr}`);

/** Exit 6: refused as an integrity failure (the output in the message). */
const integrityFailure = (r: RunResult) => assert.equal(r.code, 6, r.stdout + r.stderr);

/** `wreg add <spec> --no-bindings --trust-log-key <the front's log key>` in `dir`. */
const addPinned = (box: Sandbox, front: { vkey: string }, dir: string, spec: string) =>
  box.wreg(dir, ["add", spec, "--no-bindings", "--trust-log-key", front.vkey]);

/** Generates the publisher's signing key and registers it for namespace docs; the publisher's folder. */
async function registerKey(box: Sandbox): Promise<string> {
  const work = `${box.root}/publisher`;
  ok(await box.wreg(work, ["key", "generate"]), "key generate");
  ok(await box.wreg(work, ["key", "register", "--namespace", "docs"]), "key register");
  return work;
}

/** A signature bundle by `key` over `name`@0.1.0 with the digest the registry lists for it. */
async function signListed(
  registry: string,
  name: string,
  key: PublisherKey,
) {
  const pkg = parsePackageName(name);
  const index = await (await fetch(
    `${registry}/api/v1/packages/${pkg.namespace}/${pkg.name}/index`,
  )).json();
  return await signRelease({
    package: pkg,
    version: parseVersion("0.1.0"),
    digest: parseDigest(index.versions[0].digest),
  }, key);
}

/**
 * A lie: serves a signature by `key` over `name`@0.1.0 (the digest the registry lists) and slips
 * `key` into namespace docs's key list, pointing at the first key's log entry (not its
 * registration).
 */
async function unloggedKeySigns(registry: string, name: string, key: PublisherKey): Promise<Lie> {
  const bundle = await signListed(registry, name, key);
  const pkg = parsePackageName(name);
  const signature = `/api/v1/packages/${pkg.namespace}/${pkg.name}/0.1.0/signature`;
  return async (req, url, honest) => {
    if (url.pathname === signature) return new Response(bundle);
    if (url.pathname === "/api/v1/namespaces/docs/keys" && req.method === "GET") {
      const doc = await (await honest(req)).json();
      doc.keys.push({
        keyId: key.keyId,
        publicKey: formatPublicKeyPem(key.spki),
        addedBy: "alice",
        revoked: false,
        log: { index: doc.keys[0].log.index },
      });
      return Response.json(doc);
    }
  };
}

/** A lie: namespace docs's key list claims `requireSignatures: value`. */
function claimRequireSignatures(value: boolean): Lie {
  return async (req, url, honest) => {
    if (req.method !== "GET" || !url.pathname.endsWith("/namespaces/docs/keys")) return undefined;
    const doc = await (await honest(req)).json();
    return Response.json({ ...doc, requireSignatures: value });
  };
}

/** A registry process, a logged front before it, a sandbox logged in to the front. */
async function world(
  test: (w: {
    box: Sandbox;
    front: Awaited<ReturnType<typeof startLoggedRegistry>>;
    publish: (name: string, version: string, ...flags: string[]) => Promise<RunResult>;
    consumer: (name: string) => Promise<string>;
    /** Stops the registry process, copies its data folder (a backup), starts it again. */
    backup: () => Promise<string>;
    /** Stops the registry process and starts one on `dataDir` behind the same front. */
    restore: (dataDir: string) => Promise<void>;
  }) => Promise<void>,
  options: { ownLog?: boolean } = {},
) {
  const box = await Sandbox.create("wreg-trust-cli-");
  // These tests decide themselves what to trust (tests/cli_support.ts trusts started registries).
  box.env.WREG_TRUST_LOG_KEY = "";
  const registry = await startRegistry();
  const front = await startLoggedRegistry(registry.url, options);
  try {
    const work = await box.folder("publisher");
    // Registering keys and setting the policy need the owners scope.
    const token = await registry.client.token(registry.admin, "alice", [
      "publish",
      "yank",
      "owners",
    ]);
    ok(await box.wreg(work, ["login", "--registry", front.url, "--token", token]), "login");
    // alice owns namespace docs before anything is published (keys are registered first).
    const ns = await registry.client.call("PUT", "/api/v1/namespaces/docs", {
      token: registry.admin,
      json: { owners: ["alice"] },
    });
    assert.ok(ns.status === 200 || ns.status === 201, ns.text);
    const publish = async (name: string, version: string, ...flags: string[]) => {
      const file = `${work}/${name.replace(":", "-")}-${version}.wasm`;
      await Deno.writeFile(file, await tinyBytes(name, version));
      return await box.wreg(work, [
        "publish",
        file,
        "--name",
        name,
        "--version",
        version,
        ...flags,
      ]);
    };
    let server = registry.server;
    const restart = async (dataDir: string) => {
      await server.stop();
      server = await startServerProcess({ dataDir, adminToken: registry.admin, args: ["--quiet"] });
      front.backend = server.url;
    };
    const backup = async () => {
      await server.stop();
      const copy = `${box.root}/backup-${crypto.randomUUID()}`;
      const cp = await new Deno.Command("cp", { args: ["-a", server.dataDir, copy] }).output();
      assert.ok(cp.success, new TextDecoder().decode(cp.stderr));
      await restart(server.dataDir);
      return copy;
    };
    await test({
      box,
      front,
      publish,
      consumer: (name) => box.folder(`consumers/${name}`),
      backup,
      restore: restart,
    });
    if (server !== registry.server) await server.stop();
  } finally {
    await front.close();
    await registry.stop();
    await box.remove();
  }
}

/** The evidence folder a message names. */
function evidenceDir(message: string): string {
  const m = /(\/\S+\/trust\/logs\/\S+?\/evidence\/[^\s/;]+)/.exec(message);
  assert.ok(m, `no evidence folder named in: ${message}`);
  return m[1];
}

/** The registry process behind a front (where the honest answers come from). */
function registryUrl(front: { backend: string }): string {
  return front.backend;
}

async function readLock(dir: string) {
  return JSON.parse(await Deno.readTextFile(`${dir}/wreg.lock`));
}

/** The evidence folder a message names, and the files in it. */
async function evidenceOf(message: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(evidenceDir(message))) files.push(e.name);
  return files.sort();
}

Deno.test("keys, signed publishing, first-use pinning and verification in add, install and verify", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    const work = `${box.root}/publisher`;
    // wreg key generate: a 0600 PEM PKCS#8 in the config folder, the public key on stdout.
    const gen = await box.wreg(work, ["key", "generate"]);
    ok(gen, "key generate");
    assert.match(
      gen.stdout,
      /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/,
    );
    const keyFile = `${box.env.WREG_CONFIG_DIR}/keys/signing-key.pem`;
    assert.equal((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    const key = await importPrivateKeyPem(await Deno.readTextFile(keyFile));
    assert.match(gen.stderr, new RegExp(`key ID ${key.keyId}`));
    assert.equal((await box.wreg(work, ["key", "generate"])).code, 2, "no silent replacement");
    // Register it for the namespace; list shows it.
    const reg = await box.wreg(work, ["key", "register", "--namespace", "docs"]);
    ok(reg, "key register");
    assert.match(reg.stdout, new RegExp(`Registered key ${key.keyId} for namespace docs`));
    const list = await box.wreg(work, ["key", "list", "--namespace", "docs"]);
    ok(list, "key list");
    assert.match(list.stdout, new RegExp(`${key.keyId} \\(yours\\)`));
    // A signed release and an unsigned one.
    const signed = await publish("docs:signed", "0.1.0");
    ok(signed, "publish signed");
    assert.match(signed.stdout, new RegExp(`Signed with key ${key.keyId}`));
    ok(await publish("docs:plain", "0.1.0", "--no-sign"), "publish unsigned");

    // First use outside a terminal: refused, naming the key and the flag.
    const app = await consumer("app");
    const first = await box.wreg(app, ["add", "docs:signed", "docs:plain", "--no-bindings"]);
    assert.equal(first.code, 2, first.stderr);
    assert.ok(first.stderr.includes(`--trust-log-key ${front.vkey}`), first.stderr);
    // A key other than the served one: refused as an integrity failure.
    const other = await parseSignerKey(
      await formatSignerKey(front.vkey.split("+")[0], new Uint8Array(32).fill(7)),
    );
    const wrong = await box.wreg(app, [
      "add",
      "docs:signed",
      "--no-bindings",
      "--trust-log-key",
      other.vkey,
    ]);
    integrityFailure(wrong);
    // On a terminal, wreg asks.
    const asked: string[] = [];
    const tty = await box.wreg(app, ["add", "docs:signed", "docs:plain", "--no-bindings"], {}, {
      prompt: (q) => (asked.push(q), "y"),
    });
    ok(tty, "add on a terminal");
    assert.ok(asked[0].includes(front.vkey), asked[0]);
    const lock = await readLock(app);
    assert.equal(lock.lockVersion, 3);
    assert.deepEqual(lock.registries, { [front.url]: { log: [front.vkey] } });
    assert.equal(lock.packages["docs:signed"].signer, key.keyId);
    assert.equal(typeof lock.packages["docs:signed"].log.index, "number");
    assert.equal(lock.packages["docs:plain"].signer, undefined);
    assert.equal(typeof lock.packages["docs:plain"].log.index, "number");
    assert.match(tty.stdout, /verified 2 packages in the transparency log of .* 1 signed/);

    // With the flag, non-interactively, in another project.
    const ci = await consumer("ci");
    ok(await addPinned(box, front, ci, "docs:plain"), "add with --trust-log-key");
    // install on a fresh machine (empty cache): the lock's pin is enough.
    const fresh = { WREG_CACHE_DIR: `${box.root}/fresh-cache` };
    ok(await box.wreg(app, ["install", "--no-bindings"], fresh), "install on a fresh machine");
    // wreg verify: offline, from the cache.
    const v = await box.wreg(app, ["verify"]);
    ok(v, "verify");
    assert.match(
      v.stdout,
      /docs:signed@0\.1\.0: bytes match the digest; included at log index \d+/,
    );
    assert.match(v.stdout, new RegExp(`signature by namespace key ${key.keyId} verified`));
    assert.match(v.stdout, /2 packages: 2 in a transparency log, 1 signed/);
    const file = `${box.root}/signed.wasm`;
    await Deno.writeFile(file, await tinyBytes("docs:signed", "0.1.0"));
    const vw = await box.wreg(box.root, ["verify", file]);
    ok(vw, "verify a .wasm");
    assert.match(vw.stdout, /docs:signed@0\.1\.0 from/);
    // The file's own bytes are what a .wasm check is about, even when the cache lost its copy.
    const blob = vw.stdout.match(/sha256:([0-9a-f]{64})/)![1];
    await Deno.remove(`${box.root}/cache/blobs/sha256/${blob.slice(0, 2)}/${blob}`);
    const vf = await box.wreg(box.root, ["verify", file]);
    ok(vf, "verify a .wasm whose cached copy is gone");
    assert.match(vf.stdout, /docs:signed@0\.1\.0: bytes match the digest/);
  });
});

Deno.test("attack: a registry serving other bytes than it logged is refused (exit 6)", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    ok(await publish("docs:b", "0.1.0", "--no-sign"), "publish b");
    const b = await (await fetch(`${front.url}/api/v1/packages/docs/b/index`)).json();
    // The registry lists (and serves) b's bytes as docs:a@0.1.0: the digest matches what it
    // lists, so only the log can tell.
    front.lie = async (_req, url, honest) => {
      if (url.pathname !== "/api/v1/packages/docs/a/index") return undefined;
      const doc = await (await honest(new Request(url))).json();
      doc.versions[0].digest = b.versions[0].digest;
      doc.versions[0].size = b.versions[0].size;
      return Response.json(doc);
    };
    const app = await consumer("app");
    const r = await addPinned(box, front, app, "docs:a");
    integrityFailure(r);
    assert.match(
      r.stderr,
      /Cannot trust docs:a@0\.1\.0: the log does not hold the entry "wreg-release\/v1 docs:a 0\.1\.0 sha256:/,
    );
    assert.deepEqual(await evidenceOf(r.stderr), ["entry", "log-proof"]);
    // An independent verifier (Go's x/mod tlog + transparency-dev, tools/oracle) agrees: the
    // registry's proof does not cover the bytes it served, and does cover what it logged.
    const dir = evidenceDir(r.stderr);
    const refused = await oracle(
      "inclusion",
      "-log",
      front.vkey,
      "-entry",
      `${dir}/entry`,
      "-proof",
      `${dir}/log-proof`,
    );
    assert.ok(!refused.ok, refused.output);
    const a = await (await fetch(`${registryUrl(front)}/api/v1/packages/docs/a/index`)).json();
    await Deno.writeTextFile(
      `${dir}/logged-entry`,
      `wreg-release/v1 docs:a 0.1.0 ${a.versions[0].digest} -\n`,
    );
    const accepted = await oracle(
      "inclusion",
      "-log",
      front.vkey,
      "-entry",
      `${dir}/logged-entry`,
      "-proof",
      `${dir}/log-proof`,
    );
    assert.ok(accepted.ok, accepted.output);
    assert.equal(await Deno.stat(`${app}/wreg.lock`).catch(() => undefined), undefined);
  });
});

Deno.test("attack: a log rewritten after the client saw it (restored from a backup) is a fork, exit 6", async () => {
  await world(async ({ box, front, publish, consumer, backup, restore }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    // A backup of the registry (its data folder, log included; or the front's own log).
    const fakeBackup = front.fake?.clone();
    const dataBackup = fakeBackup === undefined ? await backup() : undefined;
    ok(await publish("docs:b", "0.1.0", "--no-sign"), "publish b");
    const app = await consumer("app");
    ok(
      // Only docs:a: a registry restored from the backup no longer has docs:b, and the project
      // must still resolve; the checkpoint the client saw includes b's release all the same.
      await addPinned(box, front, app, "docs:a"),
      "add before the restore",
    );
    // The registry is restored from the backup and appends differently.
    if (fakeBackup !== undefined) front.fake = fakeBackup;
    else await restore(dataBackup!);
    ok(await publish("docs:c", "0.1.0", "--no-sign"), "publish c after the restore");
    ok(await publish("docs:d", "0.1.0", "--no-sign"), "publish d after the restore");
    // Another project on the same machine (docs:b is gone from the restored registry, so the
    // first project would not even resolve): the machine's latest checkpoint is what convicts.
    const other = await consumer("other");
    const r = await addPinned(box, front, other, "docs:c");
    integrityFailure(r);
    assert.match(r.stderr, /SECURITY ERROR: the transparency log of .* was forked or rewritten/);
    const files = await evidenceOf(r.stderr);
    assert.equal(files.length, 2, files.join());
    const dir = evidenceDir(r.stderr);
    const seen = parseCheckpoint(
      parseNote(await Deno.readTextFile(`${dir}/${files.find((f) => f.includes("seen"))}`)).text,
    );
    const now = parseCheckpoint(
      parseNote(await Deno.readTextFile(`${dir}/${files.find((f) => f.includes("new"))}`)).text,
    );
    // The independent verifier, reading the restored log's tiles and entry bundles, finds it
    // inconsistent with the checkpoint the client saw; with the current one, consistent.
    const seenFile = `${dir}/${files.find((f) => f.includes("seen"))}`;
    const fork = await oracle(
      "tiles",
      "-log",
      front.vkey,
      "-url",
      `${front.url}/log`,
      "-old",
      seenFile,
    );
    assert.ok(!fork.ok, fork.output);
    const self = await oracle(
      "tiles",
      "-log",
      front.vkey,
      "-url",
      `${front.url}/log`,
      "-old",
      `${dir}/${files.find((f) => f.includes("new"))}`,
    );
    assert.ok(self.ok, self.output);
    // Both signed by the log: the one seen (with b) and the restored one (with c and d).
    assert.ok(now.size > seen.size, `${seen.size} -> ${now.size}`);
    assert.equal(seen.origin, now.origin);
    // Nothing was written.
    assert.equal(await Deno.stat(`${other}/wreg.lock`).catch(() => undefined), undefined);
  });
});

Deno.test("attack: a checkpoint signed by another key is refused (exit 6)", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    ok(await publish("docs:b", "0.1.0", "--no-sign"), "publish b");
    const app = await consumer("app");
    ok(await addPinned(box, front, app, "docs:a"), "add a");
    const forger = await parseSignerKey(
      await formatSignerKey(front.vkey.split("+")[0], new Uint8Array(32).fill(9)),
    );
    const resign = (note: string) => signNote(parseNote(note).text, [forger]);
    front.lie = async (req, url, honest) => {
      if (url.pathname.endsWith("/checkpoint")) {
        return new Response(await resign(await (await honest(req)).text()));
      }
      if (url.pathname.endsWith("/log-proof")) {
        const p = parseTlogProof(await (await honest(req)).text());
        return new Response(formatTlogProof({ ...p, checkpoint: await resign(p.checkpoint) }));
      }
    };
    const r = await box.wreg(app, ["add", "docs:b", "--no-bindings"]);
    integrityFailure(r);
    assert.match(r.stderr, /is not signed by the pinned log key/);
    assert.deepEqual(await evidenceOf(r.stderr), ["checkpoint"]);
    // The independent verifier refuses it too, and accepts the registry's own checkpoint.
    const forged = await oracle(
      "checkpoint",
      "-log",
      front.vkey,
      "-file",
      `${evidenceDir(r.stderr)}/checkpoint`,
    );
    assert.ok(!forged.ok && /verifiable signatures|signature/i.test(forged.output), forged.output);
    front.lie = undefined;
    await Deno.writeTextFile(
      `${box.root}/honest-checkpoint`,
      await (await fetch(`${front.url}/log/checkpoint`)).text(),
    );
    const honest = await oracle(
      "checkpoint",
      "-log",
      front.vkey,
      "-file",
      `${box.root}/honest-checkpoint`,
    );
    assert.ok(honest.ok, honest.output);
  });
});

Deno.test("a log whose key shares another log's name (origin) keeps its own state: neither wedges the other", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    // Another registry the user trusts signs its log with a key of the same name (origin) and
    // another key ID; this machine saw its checkpoint before (bigger than this log's).
    const name = front.vkey.split("+")[0];
    const other = await parseSignerKey(
      await formatSignerKey(name, new Uint8Array(32).fill(7)),
    );
    const otherCp = await signNote(
      `${name}\n99\n${btoa(String.fromCharCode(...new Uint8Array(32).fill(1)))}\n`,
      [other],
    );
    const logs = `${box.env.WREG_CACHE_DIR}/trust/logs`;
    const otherDir = `${logs}/${encodeURIComponent(other.vkey.split("+").slice(0, 2).join("+"))}`;
    await Deno.mkdir(otherDir, { recursive: true });
    await Deno.writeTextFile(`${otherDir}/latest`, otherCp);
    // And an old client's state keyed by the origin alone (written by the other registry).
    await Deno.mkdir(`${logs}/${encodeURIComponent(name)}`, { recursive: true });
    await Deno.writeTextFile(`${logs}/${encodeURIComponent(name)}/latest`, otherCp);
    const app = await consumer("app");
    ok(
      await addPinned(box, front, app, "docs:a"),
      "add from the registry whose log key shares the name",
    );
    // This log's latest checkpoint is kept under its own key; the other's is untouched.
    const mine = `${logs}/${encodeURIComponent(front.vkey.split("+").slice(0, 2).join("+"))}`;
    assert.notEqual(mine, otherDir);
    const latest = parseCheckpoint(parseNote(await Deno.readTextFile(`${mine}/latest`)).text);
    assert.equal(latest.origin, name);
    assert.ok(latest.size >= 1 && latest.size !== 99, String(latest.size));
    assert.equal(await Deno.readTextFile(`${otherDir}/latest`), otherCp);
  });
});

Deno.test("attack: a release signed by a key the namespace never registered is refused (exit 6)", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    const intruder = await newPublisherKey();
    const bundle = await signListed(front.url, "docs:a", intruder);
    front.lie = (_req, url) =>
      url.pathname === "/api/v1/packages/docs/a/0.1.0/signature" ? new Response(bundle) : undefined;
    const app = await consumer("app");
    const r = await addPinned(box, front, app, "docs:a");
    integrityFailure(r);
    assert.ok(
      r.stderr.includes(
        `signed by key ${intruder.keyId}, which namespace docs at ${front.url} never registered`,
      ),
      r.stderr,
    );
    assert.deepEqual(await evidenceOf(r.stderr), ["bundle.sigstore.json"]);
  });
});

Deno.test("attack: a stripped signature where the namespace requires one is refused (exit 6)", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    const work = await registerKey(box);
    const req = await box.wreg(work, ["key", "require-signatures", "--namespace", "docs"]);
    ok(req, "require-signatures");
    assert.match(req.stdout, /now refuses unsigned releases/);
    // The registry refuses an unsigned publish now.
    const unsigned = await publish("docs:u", "0.1.0", "--no-sign");
    assert.equal(unsigned.code, 4, unsigned.stderr);
    ok(await publish("docs:a", "0.1.0"), "publish signed");
    front.lie = (_req, url) =>
      url.pathname.endsWith("/signature")
        ? Response.json({ code: "not-found", message: "unsigned" }, { status: 404 })
        : undefined;
    const app = await consumer("app");
    const r = await addPinned(box, front, app, "docs:a");
    integrityFailure(r);
    assert.match(
      r.stderr,
      /namespace docs at .* requires signed releases, and the registry served no signature for it/,
    );
  });
});

Deno.test("a pinned registry that drops its log or changes its key, or a lock whose index the log contradicts, is refused (exit 6)", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    const app = await consumer("app");
    ok(await addPinned(box, front, app, "docs:a"), "add");
    const fresh = () => ({ WREG_CACHE_DIR: `${box.root}/cache-${crypto.randomUUID()}` });
    // A downgrade: the registry now says it has no log.
    front.lie = (_req, url) =>
      url.pathname === "/.well-known/wreg.json"
        ? Response.json({ code: "not-found", message: "no" }, { status: 404 })
        : undefined;
    let r = await box.wreg(app, ["install", "--no-bindings"], fresh());
    integrityFailure(r);
    assert.match(
      r.stderr,
      /wreg\.lock pins its transparency log key .* but the registry now serves no log/,
    );
    // Another key.
    const other = await parseSignerKey(
      await formatSignerKey(front.vkey.split("+")[0], new Uint8Array(32).fill(3)),
    );
    front.lie = async (req, url, honest) => {
      if (url.pathname !== "/.well-known/wreg.json") return undefined;
      const doc = await (await honest(req)).json();
      doc.log.verifierKey = other.vkey;
      return Response.json(doc);
    };
    r = await box.wreg(app, ["install", "--no-bindings"], fresh());
    integrityFailure(r);
    assert.ok(r.stderr.includes(`but the registry now serves ${other.vkey}`), r.stderr);
    // The lock says another index than the log's proof.
    front.lie = undefined;
    const lock = await readLock(app);
    lock.packages["docs:a"].log.index += 1;
    await Deno.writeTextFile(`${app}/wreg.lock`, JSON.stringify(lock, null, 2) + "\n");
    r = await box.wreg(app, ["install", "--no-bindings"], fresh());
    integrityFailure(r);
    assert.match(r.stderr, /wreg\.lock has it at log index \d+, and the registry's proof at \d+/);
    // And offline, wreg verify finds the same from the cache.
    const v = await box.wreg(app, ["verify"]);
    integrityFailure(v);
  });
});

Deno.test("attack: a key the registry lists for the namespace but never logged cannot vouch for a release (exit 6)", async () => {
  // Against the registry's own log (a front lying about the key list), then against a registry
  // that itself logs a release signed by an unlogged key (the front keeps the log).
  for (const ownLog of [false, true]) {
    await world(async ({ box, front, publish, consumer }) => {
      const work = await registerKey(box);
      ok(await publish("docs:a", "0.1.0"), "publish signed");
      ok(await publish("docs:b", "0.1.0", "--no-sign"), "publish unsigned");
      // The registry slips an intruder's key into the namespace's key list (pointing at a log
      // entry that is not its registration) and serves the intruder's signature for docs:b.
      const intruder = await newPublisherKey();
      front.lie = await unloggedKeySigns(front.url, "docs:b", intruder);
      const app = await consumer("app");
      // The honest release still installs.
      ok(await addPinned(box, front, app, "docs:a"), "add the honest release");
      const r = await box.wreg(app, ["add", "docs:b", "--no-bindings"]);
      integrityFailure(r);
      assert.ok(
        r.stderr.includes(`it lists key ${intruder.keyId} for namespace docs, but its log entry`),
        r.stderr,
      );
      assert.match(r.stderr, /a key must be registered in the transparency log/);
      if (front.fake !== undefined) {
        // Worse: the registry itself accepts the unlogged key and logs a release signed by it, so
        // the leaf, the proof and the signature all hold; only the key's missing registration in
        // the log tells (the front keeps the log here, so it can be made to lie this way).
        front.lie = undefined;
        front.fake.keys.get("docs")!.set(intruder.keyId, {
          pem: intruder.pem,
          index: 0,
        });
        const keyFile = `${box.root}/intruder.pem`;
        await Deno.writeTextFile(keyFile, intruder.privatePem, { mode: 0o600 });
        await Deno.chmod(keyFile, 0o600);
        const c = `${work}/c.wasm`;
        await Deno.writeFile(c, await tinyBytes("docs:c", "0.1.0"));
        ok(
          await box.wreg(work, ["publish", c, "--name", "docs:c", "--version", "0.1.0"], {
            WREG_SIGNING_KEY: keyFile,
          }),
          "publish signed by the unlogged key",
        );
        const rc = await box.wreg(app, ["add", "docs:c", "--no-bindings"]);
        integrityFailure(rc);
        assert.ok(
          rc.stderr.includes(
            `it lists key ${intruder.keyId} for namespace docs, but its log entry 0`,
          ),
          rc.stderr,
        );
      }
    }, { ownLog });
  }
});

Deno.test("attack: a key list refused online is not cached, so it cannot vouch offline", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    await registerKey(box);
    ok(await publish("docs:a", "0.1.0"), "publish signed");
    // The registry slips an unlogged key into the namespace's list.
    const intruder = await newPublisherKey();
    front.lie = await unloggedKeySigns(front.url, "docs:a", intruder);
    const app = await consumer("app");
    const r = await addPinned(box, front, app, "docs:a");
    integrityFailure(r);
    assert.ok(r.stderr.includes(`it lists key ${intruder.keyId} for namespace docs`), r.stderr);
    // The refused list is not in the cache (offline checks read only lists that verified).
    const cached = `${box.env.WREG_CACHE_DIR}/trust/keys/${
      encodeURIComponent(front.url)
    }/docs.json`;
    assert.equal(await Deno.stat(cached).catch(() => undefined), undefined);
    // The honest list, once a release verified with it, is.
    front.lie = undefined;
    ok(await addPinned(box, front, app, "docs:a"), "add with the honest key list");
    const doc = JSON.parse(await Deno.readTextFile(cached));
    assert.ok(!doc.keys.some((k: { keyId: string }) => k.keyId === intruder.keyId));
    ok(await box.wreg(app, ["verify"]), "verify (offline)");
  });
});

Deno.test("a revoked key: releases it signed before stay valid, one it signed after the revocation is refused (exit 6)", async () => {
  // Against the registry's own log, then against a registry that takes the revoked key anyway.
  for (const ownLog of [false, true]) {
    await world(async ({ box, front, publish, consumer }) => {
      const work = await registerKey(box);
      const key = await importPrivateKeyPem(
        await Deno.readTextFile(`${box.env.WREG_CONFIG_DIR}/keys/signing-key.pem`),
      );
      ok(await publish("docs:a", "0.1.0"), "publish signed before the revocation");
      const rev = await box.wreg(work, ["key", "revoke", key.keyId, "--namespace", "docs"]);
      ok(rev, "key revoke");
      assert.match(
        rev.stdout,
        new RegExp(`Revoked key ${key.keyId} of namespace docs .*log entry \\d+`),
      );
      // The registry refuses the revoked key from now on.
      const refused = await publish("docs:b", "0.1.0");
      assert.equal(refused.code, 4, refused.stdout + refused.stderr);
      // What it signed before still installs, and the lock records the signer.
      const app = await consumer("app");
      ok(await addPinned(box, front, app, "docs:a"), "add a release signed before the revocation");
      assert.equal((await readLock(app)).packages["docs:a"].signer, key.keyId);
      if (front.fake !== undefined) {
        // A registry that takes the revoked key anyway (and logs the release): the log shows the
        // revocation came first.
        front.fake.acceptRevoked = true;
        ok(await publish("docs:c", "0.1.0"), "publish signed after the revocation");
        const r = await box.wreg(app, ["add", "docs:c", "--no-bindings"]);
        integrityFailure(r);
        assert.match(
          r.stderr,
          new RegExp(
            `signed by key ${key.keyId}, which namespace docs revoked at log entry \\d+, before the release`,
          ),
        );
      }
    }, { ownLog });
  }
});

Deno.test("proofs cached by one project serve the next one, and are verified again, not trusted", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    ok(await publish("docs:a", "0.1.0", "--no-sign"), "publish a");
    const first = await consumer("first");
    ok(await addPinned(box, front, first, "docs:a"), "add in a first project");
    // The next project on this machine asks the registry for no proof.
    const asked: string[] = [];
    front.lie = (_req, url) => void asked.push(url.pathname);
    const second = await consumer("second");
    ok(await addPinned(box, front, second, "docs:a"), "add in a second project");
    assert.equal(asked.filter((p) => p.endsWith("/log-proof")).length, 0, asked.join("\n"));
    assert.ok(asked.includes("/log/checkpoint"), asked.join("\n"));
    // A cached proof edited on disk is refused like a served one.
    const proof = `${box.env.WREG_CACHE_DIR}/trust/releases/${
      encodeURIComponent(front.url)
    }/docs/a/0.1.0.tlog-proof`;
    const text = await Deno.readTextFile(proof);
    const p = parseTlogProof(text);
    await Deno.writeTextFile(
      proof,
      formatTlogProof({ ...p, path: p.path.length > 0 ? p.path.slice(1) : [new Uint8Array(32)] }),
    );
    const third = await consumer("third");
    const r = await addPinned(box, front, third, "docs:a");
    integrityFailure(r);
    assert.match(
      r.stderr,
      /Cannot trust docs:a@0\.1\.0: .*\(the proof cached in \/\S+0\.1\.0\.tlog-proof\)/,
    );
  });
});

Deno.test("attack: a namespace seen requiring signatures, then dropping it to serve an unsigned release, is refused (exit 6) until accepted", async () => {
  await world(async ({ box, front, publish, consumer }) => {
    const work = await registerKey(box);
    ok(
      await box.wreg(work, ["key", "require-signatures", "--namespace", "docs"]),
      "require-signatures",
    );
    ok(await publish("docs:a", "0.1.0"), "publish signed");
    const app = await consumer("app");
    ok(await addPinned(box, front, app, "docs:a@^0.1"), "add");
    // The lock records that docs required signatures (version 4).
    const seen = await readLock(app);
    assert.equal(seen.lockVersion, 4);
    assert.deepEqual(seen.registries[front.url].requireSignatures, ["docs"]);
    // A project whose lock predates the record (v3, no field): behaves as before.
    const old = await consumer("old");
    await Deno.writeTextFile(`${old}/wreg.json`, await Deno.readTextFile(`${app}/wreg.json`));
    const v3 = structuredClone(seen);
    v3.lockVersion = 3;
    delete v3.registries[front.url].requireSignatures;
    await Deno.writeTextFile(`${old}/wreg.lock`, `${JSON.stringify(v3, null, 2)}\n`);

    // 1. A new signed release, and the registry (a lying front) says docs no longer requires
    //    signatures: refused, even for a signed release, since the policy is not in the log.
    ok(await publish("docs:b", "0.1.0"), "publish signed docs:b");
    front.lie = claimRequireSignatures(false);
    const flipped = await box.wreg(app, ["add", "docs:b", "--no-bindings"]);
    integrityFailure(flipped);
    assert.match(
      flipped.stderr,
      /wreg\.lock recorded that namespace docs at \S+ requires signed releases, and the registry now says it does not.*--accept-policy-change docs/,
    );
    front.lie = undefined;

    // 2. Whoever controls the registry turns the policy off and publishes an unsigned release.
    ok(
      await box.wreg(work, ["key", "require-signatures", "--off", "--namespace", "docs"]),
      "require-signatures --off",
    );
    ok(await publish("docs:c", "0.1.0", "--no-sign"), "publish unsigned docs:c");
    const before = await Deno.readTextFile(`${app}/wreg.lock`);
    const r = await box.wreg(app, ["add", "docs:c", "--no-bindings"]);
    integrityFailure(r);
    assert.match(r.stderr, /namespace docs at \S+ requires signed releases, and the registry now/);
    assert.equal(await Deno.readTextFile(`${app}/wreg.lock`), before, "the lock is unchanged");
    // Even with the registry claiming the policy is still on, the unsigned release is refused.
    front.lie = claimRequireSignatures(true);
    const hidden = await box.wreg(app, ["add", "docs:c", "--no-bindings"]);
    integrityFailure(hidden);
    assert.match(
      hidden.stderr,
      /docs:c@0\.1\.0: wreg\.lock recorded that namespace docs .*served this release unsigned/,
    );
    front.lie = undefined;

    // 3. The old lock, without the record: as before, the unsigned release installs.
    const o = await box.wreg(old, ["add", "docs:c", "--no-bindings"]);
    ok(o, "add with a v3 lock");
    const oldLock = await readLock(old);
    assert.equal(oldLock.packages["docs:c"].version, "0.1.0");
    assert.equal(oldLock.packages["docs:c"].signer, undefined);
    assert.equal(oldLock.lockVersion, 3);
    assert.equal(oldLock.registries[front.url].requireSignatures, undefined);

    // 4. The user accepts the change: installs, and the record is dropped.
    const accepted = await box.wreg(app, [
      "add",
      "docs:c",
      "--no-bindings",
      "--accept-policy-change",
      "docs",
    ]);
    ok(accepted, "add --accept-policy-change docs");
    assert.match(
      accepted.stdout + accepted.stderr,
      /accepted: namespace docs .* no longer requires/,
    );
    const after = await readLock(app);
    assert.equal(after.packages["docs:c"].version, "0.1.0");
    assert.equal(after.packages["docs:c"].signer, undefined);
    assert.ok(after.packages["docs:a"].signer, "docs:a stays signed");
    assert.equal(after.registries[front.url].requireSignatures, undefined);
    assert.equal(after.lockVersion, 3);
    ok(await box.wreg(app, ["verify"]), "verify after acceptance");

    // 5. `wreg verify` offline applies the record: a lock that says docs requires signatures,
    //    with an unsigned release of it, is refused.
    after.lockVersion = 4;
    after.registries[front.url].requireSignatures = ["docs"];
    await Deno.writeTextFile(`${app}/wreg.lock`, `${JSON.stringify(after, null, 2)}\n`);
    const v = await box.wreg(app, ["verify"]);
    integrityFailure(v);
    assert.match(
      v.stderr,
      /docs:c@0\.1\.0: wreg\.lock recorded that namespace docs at \S+ requires signed releases, and the cache holds this release unsigned/,
    );
    // Accepting it with install (the release from the cache) drops the record.
    ok(
      await box.wreg(app, ["install", "--no-bindings", "--accept-policy-change", "docs"]),
      "install --accept-policy-change docs",
    );
    assert.equal((await readLock(app)).registries[front.url].requireSignatures, undefined);
    ok(await box.wreg(app, ["verify"]), "verify after accepting with install");
  });
});
