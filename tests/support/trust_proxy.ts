/**
 * A registry with a transparency log for the CLI's trust tests, and a lying proxy in front of it.
 *
 * {@link startLoggedRegistry} puts an HTTP front on 127.0.0.1 before a real registry process:
 * the registry process serves its log itself (`/.well-known/wreg.json` has `log`; a registry
 * without one is an error) and the front passes everything through; with `ownLog`, the front keeps
 * a log itself, per TRUST-CONTRACT.md: the well-known document, checkpoints
 * signed with an Ed25519 note key, hash tiles, `log-proof` and `signature` per version, publisher
 * keys per namespace and the "signatures required" policy, releases logged when published (with
 * the `X-Wreg-Signature` bundle's key as signer). Everything else goes to the real registry.
 *
 * Each front can be told to lie ({@link LoggedRegistry.lie}): a function that may answer a
 * request in place of the honest front (serving other bytes, re-signing checkpoints, stripping
 * signatures), which is how the attack tests simulate a malicious registry.
 */
import {
  appendLeaves,
  encodeEntryBundle,
  encodeLogEntry,
  entryBundlesOfSize,
  formatCheckpoint,
  formatSignerKey,
  formatTlogProof,
  leafHash,
  memoryHashReader,
  parseSignerKey,
  proveInclusion,
  readTile,
  type SignerKey,
  signNote,
  type StoredNode,
  tilesOfSize,
  treeHash,
  tryParseTilePath,
} from "../../lib/tlog/mod.ts";
import {
  formatPrivateKeyPem,
  formatPublicKeyPem,
  importPrivateKeyPem,
  parseBundle,
  parsePublicKeyPem,
  type PublisherKey,
  publisherKeyId,
  verifyReleaseBundle,
} from "../../lib/attest/mod.ts";
import { parseDigest, parsePackageName, parseVersion } from "../../lib/names/mod.ts";

/**
 * A fresh Ed25519 publisher key, registered nowhere, with its public key (`pem`, SPKI) and its
 * private key (`privatePem`, PKCS#8) as PEM.
 */
export async function newPublisherKey(): Promise<
  PublisherKey & { pem: string; privatePem: string }
> {
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const privatePem = formatPrivateKeyPem(
    new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
  );
  const key = await importPrivateKeyPem(privatePem);
  return Object.assign(key, { pem: formatPublicKeyPem(key.spki), privatePem });
}

/** A lie: answers a request instead of the honest front, or `undefined` to let it through. */
export type Lie = (req: Request, url: URL, honest: (req: Request) => Promise<Response>) =>
  | Promise<Response | undefined>
  | Response
  | undefined;

/** A publisher key of the fake log: its PEM, its registration's index, its revocation's. */
export interface FakeKey {
  pem: string;
  index: number;
  revokeIndex?: number;
}

/** A log kept by the front (when the registry process keeps none). */
export class FakeLog {
  entries: Uint8Array[] = [];
  nodes: StoredNode[] = [];
  /** `ns:name@version` → index. */
  index = new Map<string, number>();
  /** `ns:name@version` → bundle JSON. */
  bundles = new Map<string, string>();
  /** namespace → keys (key ID → PEM and the index of its log entry). */
  keys = new Map<string, Map<string, FakeKey>>();
  require = new Set<string>();
  checkpoint = "";
  /** Lie: accept releases signed by revoked keys. */
  acceptRevoked = false;

  constructor(readonly signer: SignerKey) {}

  static async create(origin = "127.0.0.1/log", seed?: Uint8Array): Promise<FakeLog> {
    const skey = await formatSignerKey(origin, seed ?? crypto.getRandomValues(new Uint8Array(32)));
    const log = new FakeLog(await parseSignerKey(skey));
    await log.sign();
    return log;
  }

  get vkey(): string {
    return this.signer.vkey;
  }

  async sign(): Promise<void> {
    const read = memoryHashReader(this.nodes);
    this.checkpoint = await signNote(
      formatCheckpoint({
        origin: this.signer.name,
        size: this.entries.length,
        root: await treeHash(this.entries.length, read),
      }),
      [this.signer],
    );
  }

  async append(text: string): Promise<number> {
    const entry = new TextEncoder().encode(text);
    const i = this.entries.length;
    const added = await appendLeaves(i, [await leafHash(entry)], memoryHashReader(this.nodes));
    this.nodes = [...this.nodes, ...added];
    this.entries.push(entry);
    await this.sign();
    return i;
  }

  async logRelease(name: string, version: string, digest: string, signer: string | null) {
    const text = new TextDecoder().decode(encodeLogEntry({
      type: "release",
      package: parsePackageName(name),
      version: parseVersion(version),
      digest: parseDigest(digest),
      signer,
    }));
    const i = await this.append(text);
    this.index.set(`${name}@${version}`, i);
    return i;
  }

  async proof(key: string): Promise<string | undefined> {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const n = this.entries.length;
    return formatTlogProof({
      index: i,
      path: await proveInclusion(i, n, memoryHashReader(this.nodes)),
      checkpoint: this.checkpoint,
    });
  }

  async tile(path: string): Promise<Uint8Array | undefined> {
    const t = tryParseTilePath(path);
    if (t === undefined) return undefined;
    const n = this.entries.length;
    if (t.level === "entries") {
      const b = entryBundlesOfSize(n).find((x) => x.index === t.index && x.width === t.width);
      return b === undefined
        ? undefined
        : encodeEntryBundle(this.entries.slice(b.index * 256, b.index * 256 + b.width));
    }
    const tile = tilesOfSize(n).find((x) =>
      x.level === t.level && x.index === t.index && x.width === t.width
    );
    return tile === undefined ? undefined : await readTile(tile, memoryHashReader(this.nodes));
  }

  /** A copy (a backup of the registry's database). */
  clone(): FakeLog {
    const c = new FakeLog(this.signer);
    c.entries = [...this.entries];
    c.nodes = [...this.nodes];
    c.index = new Map(this.index);
    c.bundles = new Map(this.bundles);
    c.require = new Set(this.require);
    c.keys = new Map(
      [...this.keys].map(([k, v]) => [k, new Map([...v].map(([i, x]) => [i, { ...x }]))]),
    );
    c.checkpoint = this.checkpoint;
    return c;
  }
}

/** A registry with a log, behind a front that can lie. */
export interface LoggedRegistry {
  url: string;
  /** The log's verifier key. */
  vkey: string;
  /** The front's own log, when the registry process keeps none. */
  fake?: FakeLog;
  /** The lie in force (undefined: honest). */
  lie?: Lie;
  /** Where requests go behind the front (the registry process). */
  backend: string;
  close(): Promise<void>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

/** Starts the front before `backend` (a registry process's URL). */
export async function startLoggedRegistry(
  backend: string,
  options: {
    /**
     * Keep the front's own log even when the registry keeps one: the front then is the registry
     * as clients see it, and can be made to lie in ways a registry's log would not let a proxy
     * (log a release signed by an unlogged or revoked key).
     */
    ownLog?: boolean;
  } = {},
): Promise<LoggedRegistry> {
  const probe = await fetch(`${backend}/.well-known/wreg.json`);
  const wk = probe.ok ? await probe.json() : undefined;
  if (!probe.ok) await probe.body?.cancel();
  if (!options.ownLog && typeof wk?.log?.verifierKey !== "string") {
    // The registry keeps its log (issue 16): a registry that lost it must fail the tests, not
    // have the front stand in for it unnoticed.
    throw new Error(`${backend} serves no transparency log (/.well-known/wreg.json has no log)`);
  }
  const real = !options.ownLog;
  const fake0 = real ? undefined : await FakeLog.create();
  const self: LoggedRegistry = {
    url: "",
    vkey: real ? wk.log.verifierKey : fake0!.vkey,
    fake: fake0,
    backend,
    close: async () => {},
  };

  const forward = async (req: Request, url: URL, body?: BodyInit | null, drop: string[] = []) => {
    const headers = new Headers(req.headers);
    for (const h of drop) headers.delete(h);
    headers.delete("host");
    const res = await fetch(`${self.backend}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: body === undefined ? (req.body === null ? undefined : await req.arrayBuffer()) : body,
      redirect: "manual",
    });
    const out = new Headers(res.headers);
    out.delete("content-encoding");
    out.delete("content-length");
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (real && url.pathname === "/.well-known/wreg.json" && res.ok) {
      // The log's URL names the registry process: point it at the front.
      const text = new TextDecoder().decode(bytes).replaceAll(self.backend, self.url);
      return new Response(text, { status: res.status, headers: out });
    }
    return new Response(bytes, { status: res.status, headers: out });
  };

  const honest = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const fake = self.fake;
    if (fake === undefined) return await forward(req, url);
    const path = url.pathname;
    if (path === "/.well-known/wreg.json") {
      return json(200, { log: { url: `${self.url}/log`, verifierKey: fake.vkey } });
    }
    if (path === "/log/checkpoint") {
      return new Response(fake.checkpoint, { headers: { "content-type": "text/plain" } });
    }
    if (path.startsWith("/log/tile/")) {
      const t = await fake.tile(path.slice("/log/".length));
      return t === undefined
        ? new Response("not found", { status: 404 })
        : new Response(t as Uint8Array<ArrayBuffer>);
    }
    let m = /^\/api\/v1\/packages\/([^/]+)\/([^/]+)\/([^/]+)\/(log-proof|signature)$/.exec(path);
    if (m && req.method === "GET") {
      const key = `${m[1]}:${m[2]}@${decodeURIComponent(m[3])}`;
      const text = m[4] === "log-proof" ? await fake.proof(key) : fake.bundles.get(key);
      return text === undefined
        ? json(404, { code: "not-found", message: `Cannot find ${m[4]} of ${key}` })
        : new Response(text, {
          headers: {
            "content-type": m[4] === "log-proof"
              ? "text/plain"
              : "application/vnd.dev.sigstore.bundle.v0.3+json",
          },
        });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/keys\/([0-9a-f]{64})$/.exec(path);
    if (m && req.method === "DELETE") {
      if (!req.headers.get("authorization")) return json(401, { code: "unauthorized" });
      const k = fake.keys.get(m[1])?.get(m[2]);
      if (k === undefined) return json(404, { code: "not-found", message: "no such key" });
      k.revokeIndex ??= await fake.append(`wreg-key/v1 ${m[1]} revoke ${m[2]}\n`);
      return json(200, {
        namespace: m[1],
        keyId: m[2],
        publicKey: k.pem,
        revoked: true,
        log: { index: k.index },
        revokeLog: { index: k.revokeIndex },
      });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/(keys|policy)$/.exec(path);
    if (m) {
      const ns = m[1];
      if (req.method === "GET" && m[2] === "keys") {
        const keys = fake.keys.get(ns) ?? new Map();
        return json(200, {
          namespace: ns,
          requireSignatures: fake.require.has(ns),
          keys: [...keys].map(([keyId, k]) => ({
            keyId,
            publicKey: k.pem,
            addedBy: "alice",
            addedAt: "2026-12-07T00:00:00Z",
            revoked: k.revokeIndex !== undefined,
            log: { index: k.index },
            ...(k.revokeIndex === undefined ? {} : { revokeLog: { index: k.revokeIndex } }),
          })),
        });
      }
      if (!req.headers.get("authorization")) return json(401, { code: "unauthorized" });
      const body = await req.json();
      if (req.method === "POST" && m[2] === "keys") {
        const spki = parsePublicKeyPem(body.publicKey);
        const keyId = await publisherKeyId(spki);
        const keys = fake.keys.get(ns) ?? new Map<string, FakeKey>();
        const i = await fake.append(
          `wreg-key/v1 ${ns} add ${keyId} ${spki.toBase64()}\n`,
        );
        keys.set(keyId, { pem: formatPublicKeyPem(spki), index: i });
        fake.keys.set(ns, keys);
        return json(201, {
          namespace: ns,
          keyId,
          publicKey: formatPublicKeyPem(spki),
          addedBy: "alice",
          log: { index: i },
        });
      }
      if (req.method === "PUT" && m[2] === "policy") {
        if (body.requireSignatures) fake.require.add(ns);
        else fake.require.delete(ns);
        return json(200, { namespace: ns, requireSignatures: fake.require.has(ns) });
      }
    }
    m = /^\/api\/v1\/packages\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (m && req.method === "PUT") {
      const name = `${m[1]}:${m[2]}`;
      const version = decodeURIComponent(m[3]);
      const sig = req.headers.get("x-wreg-signature");
      const bytes = new Uint8Array(await req.arrayBuffer());
      const digest = req.headers.get("x-wreg-digest") ?? "";
      let bundle: string | undefined;
      let signer: string | null = null;
      if (sig !== null) {
        bundle = new TextDecoder().decode(Uint8Array.fromBase64(sig));
        const keys = new Map(
          [...(fake.keys.get(m[1]) ?? new Map<string, FakeKey>())]
            .filter(([, k]) => k.revokeIndex === undefined || fake.acceptRevoked)
            .map(([id, k]) => [id, parsePublicKeyPem(k.pem)]),
        );
        try {
          signer = parseBundle(bundle).keyId;
          await verifyReleaseBundle(bundle, {
            package: parsePackageName(name),
            version: parseVersion(version),
            digest: parseDigest(digest),
          }, keys);
        } catch (e) {
          return json(403, { code: "unknown-signing-key", message: (e as Error).message });
        }
      } else if (fake.require.has(m[1])) {
        return json(403, {
          code: "signature-required",
          message: `Cannot publish ${name}@${version}: namespace ${m[1]} requires signed releases`,
        });
      }
      const res = await forward(req, url, bytes as Uint8Array<ArrayBuffer>, ["x-wreg-signature"]);
      if (res.status === 201 || res.status === 200) {
        const doc = await res.json();
        const index = await fake.logRelease(name, version, doc.digest, signer);
        if (bundle !== undefined) fake.bundles.set(`${name}@${version}`, bundle);
        return json(res.status, { ...doc, log: { index }, signature: signer && { keyId: signer } });
      }
      return res;
    }
    return await forward(req, url);
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const lie = self.lie;
    if (lie !== undefined) {
      const answer = await lie(req, new URL(req.url), honest);
      if (answer !== undefined) return answer;
    }
    return await honest(req);
  });
  self.url = `http://127.0.0.1:${server.addr.port}`;
  self.close = async () => {
    await server.shutdown();
  };
  return self;
}
