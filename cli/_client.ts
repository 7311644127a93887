/**
 * The one registry client of the CLI: every request to a wreg registry goes through
 * {@link RegistryClient}, which adds the token, applies timeouts, checks what it downloads, and
 * turns every failure into one {@link CliError} line with its own exit code:
 *
 * | failure                                         | exit |
 * | ----------------------------------------------- | ---- |
 * | the registry cannot be reached (refused, DNS, timeout, a body slower than 1 KiB/s) | 3 |
 * | 401 / 403: the token is missing, unknown or lacks the right | 4 |
 * | any other error answer, with the server's `{code, message}`; JSON over its limit | 5 |
 * | downloaded bytes do not hash to the digest asked for, or exceed their listed size | 6 |
 *
 * Every answer is read through one bounded reader (oci/_body.ts `readBody`): a blob stops at the
 * size its index lists (or at {@link MAX_PACKAGE_BYTES}), a JSON answer at {@link MAX_JSON_BYTES},
 * and `WREG_TIMEOUT` bounds both the wait for an answer and the rate of its body.
 *
 * The documents' shapes are declared here (the CLI may not import the registry's code; see
 * ARCHITECTURE.md, layers) with only the fields the CLI reads.
 */
import { CliError, EXIT } from "./_command.ts";
import { BodyError, MAX_CONNECTIONS, mayCarrySecrets, readBody, Slots } from "../oci/mod.ts";
import { checkImplementations, checkPackageIndex, WireError } from "./_wire.ts";
import { type Digest, digestOf } from "../lib/names/mod.ts";

/** The most bytes of one JSON answer (the index of a package with thousands of versions is a few MiB). */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

/**
 * The most bytes of one package whose size is not known before the download (an install from a
 * lock written before lock version 3).
 */
export const MAX_PACKAGE_BYTES = 1024 * 1024 * 1024;

/** Why a token is not sent to a registry (after "the registry at URL"). */
export const PLAIN_HTTP =
  "uses plain HTTP, and wreg sends a token only over HTTPS or to this machine (a loopback address)";

/** The most bytes of an error answer read for its `{code, message}`. */
const MAX_ERROR_BYTES = 64 * 1024;

/** One version in a package index (`GET /api/v1/packages/:ns/:name/index`). */
export interface IndexEntry {
  version: string;
  yanked: boolean;
  digest: string;
  size: number;
  /** `component` or `wit-package`. */
  kind: string;
  publishedAt?: string;
  /** Package → semver range. */
  dependencies: Record<string, string>;
}

/** The package index: what the resolver needs about every version, highest first. */
export interface PackageIndexDoc {
  name: string;
  kind: string;
  versions: IndexEntry[];
}

/** One version in a package document. */
export interface PackageVersionDoc {
  version: string;
  digest: string;
  size: number;
  publishedAt: string;
  publisher: string;
  yanked: boolean;
  yankedAt: string | null;
  prerelease: boolean;
}

/** `GET /api/v1/packages/:ns/:name`. */
export interface PackageDoc {
  name: string;
  kind: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  latest: string | null;
  owners: string[];
  versions: PackageVersionDoc[];
}

/** One import or export of a world in a version document. */
export interface ItemDoc {
  name: string;
  kind: string;
  signature?: string;
  docs?: string;
}

/** `GET /api/v1/packages/:ns/:name/:version`. */
export interface VersionDoc {
  package: string;
  version: string;
  kind: string;
  digest: string;
  size: number;
  description: string | null;
  wit: string;
  worlds: { name: string; id: string | null; imports: ItemDoc[]; exports: ItemDoc[] }[];
  interfaces: { name: string; id: string; functions: { name: string; signature: string }[] }[];
  dependencies: { package: string; version: string | null; range: string }[];
  compat: { against: string; compatible: boolean; bump: string } | null;
  metadata: Record<string, unknown>;
  publishedAt: string;
  publisher: string;
  yanked: boolean;
  yankedAt: string | null;
}

/** One publisher key of a namespace (`GET /api/v1/namespaces/:ns/keys`). */
export interface NamespaceKeyDoc {
  keyId: string;
  publicKey: string;
  addedBy?: string;
  addedAt?: string;
  revoked?: boolean;
  log?: { index: number };
  /** Where the revocation is in the log (a revoked key). */
  revokeLog?: { index: number };
}

/** `GET /api/v1/namespaces/:ns/keys`. */
export interface NamespaceKeysDoc {
  namespace: string;
  requireSignatures: boolean;
  keys: NamespaceKeyDoc[];
}

/** `POST /api/v1/namespaces/:ns/keys`. */
export interface RegisteredKeyDoc {
  namespace: string;
  keyId: string;
  publicKey: string;
  addedBy?: string;
  log?: { index: number };
}

/** One result of `GET /api/v1/search`. */
export interface SearchResultDoc {
  package: string;
  kind: string;
  description: string;
  latest: string | null;
  version: string | null;
  digest: string | null;
  /** For interface and world filters: the exports that answered, with their versions. */
  matched?: string[];
  updatedAt: string;
}

/** `GET /api/v1/search`. */
export interface SearchDoc {
  query: Record<string, string>;
  world?: { id: string };
  results: SearchResultDoc[];
}

/** One implementation of an interface (`GET /api/v1/implementations`). */
export interface ImplementationDoc {
  package: string;
  version: string;
  digest: string;
  /** The exports of that version that implement the interface (registries before issue 19: none). */
  matched?: string[];
}

/** What a download reports while it runs. */
export type ProgressCallback = (received: number, total: number | undefined) => void;

/** Options of {@link RegistryClient}. */
export interface ClientOptions {
  /** The registry's base URL, normalised (no trailing slash). */
  url: string;
  /** The bearer token, when the user has one for this registry. */
  token?: string;
  /** What the user can do when an action needs a token and there is none (after "; "). */
  noTokenAdvice?: string;
  /**
   * Longest wait for an answer's head, and the period over which a body must keep arriving at
   * 1 KiB/s at least (default 30 s).
   */
  timeoutMs?: number;
  /** Most requests in flight at once (default {@link MAX_CONNECTIONS}). */
  maxConnections?: number;
}

/** The timeout the environment asks for (`WREG_TIMEOUT`, seconds), in milliseconds. */
export function timeoutFromEnv(env: Record<string, string | undefined>): number | undefined {
  const v = env.WREG_TIMEOUT;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new CliError(
      `Invalid WREG_TIMEOUT ${JSON.stringify(v)}: expected a number of seconds`,
      EXIT.usage,
    );
  }
  return Math.round(n * 1000);
}

/** Why a fetch failed, in a few words (`connection refused`, `timed out after 30 s`). */
export function networkReason(e: unknown, timeoutMs: number): string {
  if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
    return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  }
  const err = e as { message?: string; cause?: { message?: string } };
  const text = err?.cause?.message ?? err?.message ?? String(e);
  const os = /([A-Za-z][^:()]*?) \(os error \d+\)/.exec(text);
  if (os) return os[1].toLowerCase();
  if (/dns error/i.test(text)) {
    const m = /dns error: (.*)$/.exec(text);
    return `cannot resolve the host name${m ? ` (${m[1]})` : ""}`;
  }
  const i = text.lastIndexOf(": ");
  return i >= 0 ? text.slice(i + 2) : text;
}

interface RequestOptions {
  /** What the user asked for, for messages: "fetch docs:scrubber", "publish docs:x@1.0.0". */
  action: string;
  method?: string;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Send the token (for actions that need one); a missing token is an auth error first. */
  auth?: boolean;
  /** Answer `undefined` for a 404 instead of failing. */
  allow404?: boolean;
  /**
   * Whether a 401 suggests `wreg login` (default true): not when the token is not a login's
   * (`wreg login` checking one, `wreg token` with the admin token).
   */
  loginHint?: boolean;
}

/**
 * The registry's message as the end of the CLI's line: its own leading "Cannot <action>: " is
 * dropped (the CLI's line already says what could not be done), control characters become
 * spaces (a registry cannot break the line or drive the terminal), and a long one is cut.
 */
export function registrySaid(message: string): string {
  let m = message.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").trim();
  const lead = /^Cannot [^\s:][^]*?: /.exec(m);
  if (lead !== null && lead[0].length < m.length) m = m.slice(lead[0].length);
  m = m.replace(/\.$/, "");
  return m.length > 400 ? `${m.slice(0, 397)}...` : m;
}

/** The `{code, message}` of an error answer, when it has one (read within the limits). */
async function errorBody(
  res: Response,
  timeoutMs: number,
): Promise<{ code?: string; message?: string; details?: unknown }> {
  try {
    const bytes = await readBody(res, {
      limit: MAX_ERROR_BYTES,
      timeoutMs,
      abort: new AbortController(),
    });
    const json = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof json === "object" && json !== null) {
      return {
        code: typeof json.code === "string" ? json.code : undefined,
        message: typeof json.message === "string" ? json.message : undefined,
        details: json.details,
      };
    }
  } catch {
    // Not JSON: the status says it all.
  }
  return {};
}

/** A registry refusal, kept as data for commands that react to a particular code. */
export class RegistryAnswerError extends CliError {
  override name = "RegistryAnswerError";
  constructor(
    message: string,
    exitCode: number,
    readonly status: number,
    readonly code: string | undefined,
    readonly details: unknown,
  ) {
    super(message, exitCode);
  }
}

/** A client of one registry. */
export class RegistryClient {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly #noTokenAdvice: string;
  /** The requests in flight (at most {@link MAX_CONNECTIONS}). */
  readonly #slots: Slots;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.token = options.token;
    this.#noTokenAdvice = options.noTokenAdvice ??
      `run \`wreg login --registry ${this.url} --token <token>\`, or set WREG_TOKEN with ` +
        `WREG_REGISTRY=${this.url}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#slots = new Slots(options.maxConnections ?? MAX_CONNECTIONS);
  }

  /**
   * Runs one exchange (request and body) in a connection slot, with a controller that aborts it
   * when `f` ends, however it ends.
   */
  async #exchange<T>(f: (abort: AbortController) => Promise<T>): Promise<T> {
    const release = await this.#slots.acquire();
    const abort = new AbortController();
    try {
      return await f(abort);
    } finally {
      abort.abort();
      release();
    }
  }

  /**
   * Sends a request and waits for its head (at most the timeout). `abort` stops it, body
   * included; the caller reads the body with {@link #body}.
   */
  async #fetch(path: string, o: RequestOptions, abort: AbortController): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": "wreg-cli", ...o.headers };
    if (o.auth) {
      if (this.token === undefined) {
        throw new CliError(
          `Cannot ${o.action}: no token for the registry at ${this.url}; ${this.#noTokenAdvice}`,
          EXIT.auth,
        );
      }
      if (!mayCarrySecrets(this.url)) {
        throw new CliError(
          `Cannot ${o.action}: the registry at ${this.url} ${PLAIN_HTTP}`,
          EXIT.usage,
        );
      }
      headers.authorization = `Bearer ${this.token}`;
    }
    const timer = setTimeout(
      () => abort.abort(new DOMException("no answer in time", "TimeoutError")),
      this.timeoutMs,
    );
    try {
      return await fetch(`${this.url}${path}`, {
        method: o.method ?? "GET",
        headers,
        body: o.body,
        signal: abort.signal,
      });
    } catch (e) {
      throw new CliError(
        `Cannot reach the registry at ${this.url} to ${o.action} (${
          networkReason(e, this.timeoutMs)
        })`,
        EXIT.network,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads a body within its limits: `limit` bytes at most, `expected` exactly when given (with
   * `listedBy` saying where that size comes from), and the timeout's minimum rate.
   */
  async #body(
    res: Response,
    action: string,
    abort: AbortController,
    o: {
      kind: "json" | "blob";
      limit: number;
      expected?: number;
      listedBy?: string;
      onProgress?: ProgressCallback;
    },
  ): Promise<Uint8Array> {
    try {
      return await readBody(res, {
        limit: o.limit,
        expected: o.expected,
        timeoutMs: this.timeoutMs,
        abort,
        onProgress: o.onProgress,
      });
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      const at = `the registry at ${this.url}`;
      switch (e.kind) {
        case "wrong-length":
          throw new CliError(
            `Cannot ${action}: ${at} announced ${e.announced} bytes, but ${o.listedBy} ` +
              `${o.expected}`,
            EXIT.integrity,
          );
        case "too-large":
          if (o.kind === "json") {
            throw new CliError(
              `Cannot ${action}: ${at} sent more than ${o.limit} bytes of JSON`,
              EXIT.registry,
            );
          }
          throw new CliError(
            o.expected !== undefined
              ? `Cannot ${action}: ${at} sent more than the ${o.expected} bytes ${o.listedBy}`
              : `Cannot ${action}: ${at} sent more than ${o.limit} bytes, the most wreg ` +
                `accepts for one package`,
            EXIT.integrity,
          );
        case "slow":
          throw new CliError(
            `Cannot ${action}: the download from ${this.url} ${e.message}`,
            EXIT.network,
          );
        case "broken":
          throw new CliError(
            `Cannot ${action}: the download from ${this.url} ${e.message} (${
              networkReason(e.cause ?? e, this.timeoutMs)
            })`,
            EXIT.network,
          );
      }
    }
  }

  /** Turns an error answer into the user's one line. */
  async #refusal(res: Response, o: RequestOptions): Promise<never> {
    const body = await errorBody(res, this.timeoutMs);
    const details = body.details;
    const code = body.code;
    const said = body.message === undefined
      ? `${res.status} ${res.statusText}`.trim()
      : `${registrySaid(body.message)}${code ? ` [${code}]` : ""}`;
    if (res.status === 401 || res.status === 403) {
      const what = res.status === 401
        ? (this.token === undefined ? "needs a token" : "does not accept the token")
        : "does not allow it";
      throw new RegistryAnswerError(
        `Cannot ${o.action}: the registry at ${this.url} ${what}: ${said}` +
          (res.status === 401 && o.loginHint !== false
            ? `; run \`wreg login --registry ${this.url}\``
            : ""),
        EXIT.auth,
        res.status,
        code,
        details,
      );
    }
    throw new RegistryAnswerError(
      `Cannot ${o.action}: the registry at ${this.url} answered ${res.status}: ${said}`,
      EXIT.registry,
      res.status,
      code,
      details,
    );
  }

  /** A JSON request; resolves to `undefined` only for an allowed 404. */
  json<T>(path: string, o: RequestOptions): Promise<T | undefined> {
    return this.#exchange(async (abort) => {
      const res = await this.#fetch(path, o, abort);
      if (res.status === 404 && o.allow404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) return await this.#refusal(res, o);
      const bytes = await this.#body(res, o.action, abort, { kind: "json", limit: MAX_JSON_BYTES });
      try {
        return JSON.parse(new TextDecoder().decode(bytes)) as T;
      } catch (e) {
        throw new CliError(
          `Cannot ${o.action}: the registry at ${this.url} answered with invalid JSON (${
            (e as Error).message
          })`,
          EXIT.registry,
        );
      }
    });
  }

  /**
   * Runs a check of a document the registry sent (cli/_wire.ts); a failure is the registry's
   * (exit 5), naming what it sent wrong.
   */
  #checked<T>(action: string, what: string, check: () => T): T {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      throw new CliError(
        `Cannot ${action}: the registry at ${this.url} answered with an invalid ${what}: ${e.message}`,
        EXIT.registry,
      );
    }
  }

  /**
   * The package index of `ns:name`, or `undefined` when the registry has no such package. Its
   * names, versions, ranges, digests and sizes are checked.
   */
  async packageIndex(name: string): Promise<PackageIndexDoc | undefined> {
    const action = `look up ${name}`;
    const doc = await this.json<unknown>(`/api/v1/packages/${pathOf(name)}/index`, {
      action,
      allow404: true,
    });
    if (doc === undefined) return undefined;
    return this.#checked(action, "index", () => checkPackageIndex(doc, name));
  }

  /** The package document of `ns:name`, or `undefined` when there is no such package. */
  packageDocument(name: string): Promise<PackageDoc | undefined> {
    return this.json<PackageDoc>(`/api/v1/packages/${pathOf(name)}`, {
      action: `look up ${name}`,
      allow404: true,
    });
  }

  /** The version document of `ns:name@version`, or `undefined` when it is not published. */
  versionDocument(name: string, version: string): Promise<VersionDoc | undefined> {
    return this.json<VersionDoc>(
      `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}`,
      { action: `look up ${name}@${version}`, allow404: true },
    );
  }

  /**
   * The bytes of `ns:name@version` (`GET …/content`), not checked here: the caller compares them
   * with the digest its version document lists. `size` is the size that document lists: the
   * download stops past it. `undefined` for a 404.
   */
  versionContent(
    name: string,
    version: string,
    size?: number,
  ): Promise<Uint8Array | undefined> {
    const action = `fetch ${name}@${version}`;
    return this.#exchange(async (abort) => {
      const res = await this.#fetch(
        `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}/content`,
        { action },
        abort,
      );
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) return await this.#refusal(res, { action });
      return await this.#body(res, action, abort, {
        kind: "blob",
        limit: MAX_PACKAGE_BYTES,
        expected: size,
        listedBy: "its version document lists",
      });
    });
  }

  /**
   * The components implementing an interface (`ns:pkg/iface@version`), highest version each;
   * their names, versions and digests are checked.
   */
  async implementations(iface: string): Promise<ImplementationDoc[]> {
    const action = `look up implementations of ${iface}`;
    const doc = await this.json<unknown>(
      `/api/v1/implementations?interface=${encodeURIComponent(iface)}`,
      { action },
    );
    return this.#checked(action, "list of implementations", () => checkImplementations(doc));
  }

  /** A search. */
  async search(params: Record<string, string | undefined>): Promise<SearchDoc> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    return (await this.json<SearchDoc>(`/api/v1/search?${q}`, { action: "search" }))!;
  }

  /** Who the token belongs to. */
  async whoami(): Promise<Record<string, unknown>> {
    return (await this.json<Record<string, unknown>>("/api/v1/whoami", {
      action: "check the token",
      auth: true,
      loginHint: false,
    }))!;
  }

  /** Creates a token (the client's token must be the registry's admin token). */
  async createToken(body: {
    owner: string;
    scopes?: string[];
    namespaces?: string[] | null;
    description?: string;
  }): Promise<{ token: string; id: string; owner: string; scopes: string[] }> {
    return (await this.json<{ token: string; id: string; owner: string; scopes: string[] }>(
      "/api/v1/tokens",
      {
        action: `create a token for ${JSON.stringify(body.owner)}`,
        method: "POST",
        auth: true,
        loginHint: false,
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      },
    ))!;
  }

  /**
   * Publishes bytes as `ns:name@version`, declaring their digest; `signature` is the release's
   * Sigstore bundle (JSON text), sent base64 in `X-Wreg-Signature`.
   */
  async publish(
    name: string,
    version: string,
    bytes: Uint8Array,
    digest: Digest,
    signature?: string,
  ): Promise<VersionDoc> {
    const headers: Record<string, string> = {
      "content-type": "application/wasm",
      "x-wreg-digest": digest,
    };
    if (signature !== undefined) {
      headers["x-wreg-signature"] = new TextEncoder().encode(signature).toBase64();
    }
    return (await this.json<VersionDoc>(
      `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}`,
      {
        action: `publish ${name}@${version}`,
        method: "PUT",
        auth: true,
        body: bytes as Uint8Array<ArrayBuffer>,
        headers,
      },
    ))!;
  }

  /**
   * The bytes of a small document (a proof, a checkpoint, a tile, a bundle) at `path`, at most
   * `limit` bytes; `undefined` for a 404 when `allow404`.
   */
  raw(
    path: string,
    o: { action: string; limit: number; allow404?: boolean },
  ): Promise<Uint8Array | undefined> {
    return this.#exchange(async (abort) => {
      const res = await this.#fetch(path, { action: o.action }, abort);
      if (res.status === 404 && o.allow404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) return await this.#refusal(res, { action: o.action });
      return await this.#body(res, o.action, abort, { kind: "json", limit: o.limit });
    });
  }

  /** `GET /.well-known/wreg.json`, or `undefined` when the registry serves none (404). */
  wellKnown(): Promise<Record<string, unknown> | undefined> {
    return this.json<Record<string, unknown>>("/.well-known/wreg.json", {
      action: "read the registry's discovery document",
      allow404: true,
    });
  }

  /** The `c2sp.org/tlog-proof@v1` of a version (text), or `undefined` for a 404. */
  async logProof(name: string, version: string): Promise<string | undefined> {
    const bytes = await this.raw(
      `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}/log-proof`,
      { action: `fetch the log proof of ${name}@${version}`, limit: 128 * 1024, allow404: true },
    );
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /** The Sigstore bundle of a version (JSON text), or `undefined` when it is unsigned (404). */
  async signature(name: string, version: string): Promise<string | undefined> {
    const bytes = await this.raw(
      `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}/signature`,
      { action: `fetch the signature of ${name}@${version}`, limit: 64 * 1024, allow404: true },
    );
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /** The publisher keys of a namespace (`undefined` when the registry has no such namespace). */
  namespaceKeys(namespace: string): Promise<NamespaceKeysDoc | undefined> {
    return this.json<NamespaceKeysDoc>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/keys`,
      { action: `list the keys of namespace ${namespace}`, allow404: true },
    );
  }

  /** Registers a publisher key (PEM SubjectPublicKeyInfo) for a namespace. */
  async registerKey(namespace: string, publicKey: string): Promise<RegisteredKeyDoc> {
    return (await this.json<RegisteredKeyDoc>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/keys`,
      {
        action: `register a key for namespace ${namespace}`,
        method: "POST",
        auth: true,
        body: JSON.stringify({ publicKey }),
        headers: { "content-type": "application/json" },
      },
    ))!;
  }

  /** Revokes a publisher key of a namespace. */
  async revokeKey(namespace: string, keyId: string): Promise<NamespaceKeyDoc> {
    return (await this.json<NamespaceKeyDoc>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/keys/${encodeURIComponent(keyId)}`,
      { action: `revoke key ${keyId} of namespace ${namespace}`, method: "DELETE", auth: true },
    ))!;
  }

  /** Sets whether a namespace requires signed releases. */
  async setRequireSignatures(
    namespace: string,
    requireSignatures: boolean,
  ): Promise<{ namespace: string; requireSignatures: boolean }> {
    return (await this.json<{ namespace: string; requireSignatures: boolean }>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/policy`,
      {
        action: `set the signature policy of namespace ${namespace}`,
        method: "PUT",
        auth: true,
        body: JSON.stringify({ requireSignatures }),
        headers: { "content-type": "application/json" },
      },
    ))!;
  }

  /** Yanks (or unyanks) a version. */
  async setYanked(
    name: string,
    version: string,
    yanked: boolean,
  ): Promise<{ package: string; version: string; yanked: boolean }> {
    return (await this.json(
      `/api/v1/packages/${pathOf(name)}/${encodeURIComponent(version)}/yank`,
      {
        action: `${yanked ? "yank" : "unyank"} ${name}@${version}`,
        method: yanked ? "PUT" : "DELETE",
        auth: true,
      },
    ))!;
  }

  /**
   * Downloads a blob and checks it against its digest. `label` names it in messages
   * (`docs:logger@0.1.0`); `size` is the size its package index (or the lock: `listedBy` says
   * which, in messages) lists, when known: the download stops past it (else at
   * {@link MAX_PACKAGE_BYTES}).
   *
   * @throws {CliError} integrity (6) when the bytes exceed their size or do not hash to `digest`;
   *   network (3) when the download stops or slows under 1 KiB/s for `WREG_TIMEOUT`.
   */
  async blob(
    digest: Digest,
    label: string,
    onProgress?: ProgressCallback,
    size?: number,
    listedBy = "its index lists",
  ): Promise<Uint8Array> {
    const action = `download ${label}`;
    const bytes = await this.#exchange(async (abort) => {
      const res = await this.#fetch(`/api/v1/blobs/${digest}`, { action }, abort);
      if (!res.ok) return await this.#refusal(res, { action });
      return await this.#body(res, action, abort, {
        kind: "blob",
        limit: MAX_PACKAGE_BYTES,
        expected: size,
        listedBy,
        onProgress,
      });
    });
    const actual = await digestOf(bytes);
    if (actual !== digest) {
      throw new CliError(
        `Cannot use ${label}: the bytes downloaded from ${this.url}/api/v1/blobs/${digest} ` +
          `hash to ${actual}`,
        EXIT.integrity,
      );
    }
    return bytes;
  }
}

/** `ns:name` → `ns/name` for a URL path. */
function pathOf(name: string): string {
  const i = name.indexOf(":");
  return `${encodeURIComponent(name.slice(0, i))}/${encodeURIComponent(name.slice(i + 1))}`;
}
