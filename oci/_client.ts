/**
 * A client of one OCI distribution registry (the `/v2/` API), bounded in every way:
 *
 * - **Auth**: requests go out anonymously (or with a configured bearer token); a 401 with a
 *   `Bearer realm=…,service=…` challenge is answered by asking the realm for a token with the
 *   scope `repository:<repo>:<actions>` (with Basic credentials when the caller has some, else
 *   anonymously), which is cached per repository and actions until it expires, and the request
 *   is sent again once; a `Basic` challenge is answered with the credentials. After a first
 *   bearer challenge, tokens for other repositories are fetched before the request (one round
 *   trip less).
 * - **Redirects** are followed by hand (at most 5, never from HTTPS to HTTP), and
 *   `Authorization` goes only to the registry's own origin: a blob redirected to a CDN or
 *   another host gets no credentials.
 * - **Bytes**: manifests are verified against the digest asked for and the `Docker-Content-Digest`
 *   announced, blobs against their descriptor's digest and size, before anything is returned.
 * - **Limits**: manifests ≤ 4 MiB, tag pages ≤ 1 MiB (at most 100 pages, 100,000 tags), token and
 *   error answers ≤ 64 KiB, blobs exactly their descriptor's size; the head of every answer must
 *   come within the timeout and its body keep up the minimum rate of the one bounded reader
 *   (oci/_body.ts `readBody`).
 */
import { type Digest, digestOf, tryParseDigest } from "../lib/names/mod.ts";
import {
  type Challenge,
  MANIFEST_ACCEPT,
  parseChallenges,
  parseErrorEnvelope,
  tokenOfResponse,
} from "../lib/oci/mod.ts";
import type { OciCredentials } from "./_credentials.ts";
import { OciClientError } from "./_errors.ts";
import { fetchHead, readLimited } from "./_http.ts";
import { isLoopbackHost, MAX_CONNECTIONS, Slots } from "./_body.ts";
import { protocolFor } from "./_registry_ref.ts";

/** Limits of {@link OciClient} (each has a default). */
export interface OciLimits {
  manifestBytes: number;
  tagPageBytes: number;
  tagPages: number;
  tags: number;
  smallAnswerBytes: number;
  redirects: number;
}

/** The default {@link OciLimits}. */
export const DEFAULT_OCI_LIMITS: OciLimits = {
  manifestBytes: 4 << 20,
  tagPageBytes: 1 << 20,
  tagPages: 100,
  tags: 100_000,
  smallAnswerBytes: 64 << 10,
  redirects: 5,
};

/** Options of {@link OciClient}. */
export interface OciClientOptions {
  /** `host[:port]` of the registry. */
  host: string;
  /** Defaults to `http:` for loopback hosts and `https:` otherwise; `http:` elsewhere is refused. */
  protocol?: "http:" | "https:";
  /** Credentials, or a function that finds them when a challenge first asks (read lazily). */
  credentials?: OciCredentials | (() => Promise<OciCredentials | undefined>);
  /** Idle timeout of every request, in ms (default 30 s). */
  timeoutMs?: number;
  limits?: Partial<OciLimits>;
  userAgent?: string;
  /** Most requests in flight at once (default {@link MAX_CONNECTIONS}). */
  maxConnections?: number;
}

/** A manifest as fetched: its exact bytes, their digest and the media type the server gave. */
export interface FetchedManifest {
  bytes: Uint8Array;
  digest: Digest;
  /** The `Content-Type` of the answer (without parameters), or `""`. */
  contentType: string;
}

/** A content descriptor's identity: what a blob must hash to and how long it must be. */
export interface BlobRef {
  digest: string;
  size: number;
}

interface SendOptions {
  method?: string;
  repo?: string;
  /** `pull` or `pull,push`. */
  actions?: "pull" | "pull,push";
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** The size the answer will have, for the deadline. */
  size?: number;
  /** What the request does, for messages: "list the tags of wasi/cli". */
  what: string;
}

interface Token {
  value: string;
  expires: number;
}

const decoder = new TextDecoder();

/** A client of one OCI registry. */
export class OciClient {
  readonly host: string;
  readonly origin: string;
  readonly timeoutMs: number;
  readonly limits: OciLimits;
  readonly #userAgent: string;
  readonly #credentialSource: OciClientOptions["credentials"];
  #credentials: Promise<OciCredentials | undefined> | undefined;
  /** The bearer challenge seen last (realm and service), once the registry sent one. */
  #bearer: Challenge | undefined;
  /** Basic credentials, once the registry asked for them. */
  #basic: string | undefined;
  readonly #tokens = new Map<string, Token>();
  readonly #pendingTokens = new Map<string, Promise<string>>();
  readonly #slots: Slots;

  constructor(options: OciClientOptions) {
    this.host = options.host.toLowerCase();
    const protocol = options.protocol ?? protocolFor(this.host);
    const hostname = new URL(`http://${this.host}`).hostname;
    if (protocol === "http:" && !isLoopbackHost(hostname)) {
      throw new OciClientError(
        "insecure",
        `Cannot use the registry ${this.host} over plain HTTP: only loopback hosts may be`,
      );
    }
    this.origin = `${protocol}//${this.host}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.limits = { ...DEFAULT_OCI_LIMITS, ...options.limits };
    this.#userAgent = options.userAgent ?? "wreg";
    this.#credentialSource = options.credentials;
    this.#slots = new Slots(options.maxConnections ?? MAX_CONNECTIONS);
  }

  #creds(): Promise<OciCredentials | undefined> {
    const src = this.#credentialSource;
    this.#credentials ??= typeof src === "function" ? src() : Promise.resolve(src);
    return this.#credentials;
  }

  // ---------------------------------------------------------------------------------------
  // Transport

  /** The Authorization header for a request to the registry's origin, when one is known. */
  async #authorization(repo: string | undefined, actions: string): Promise<string | undefined> {
    const creds = await this.#creds();
    if (creds !== undefined && "token" in creds) return `Bearer ${creds.token}`;
    if (this.#basic !== undefined) return this.#basic;
    if (this.#bearer !== undefined && repo !== undefined) {
      return `Bearer ${await this.#token(this.#bearer, repo, actions)}`;
    }
    return undefined;
  }

  /** A token for `repository:<repo>:<actions>` from the challenge's realm (cached). */
  #token(challenge: Challenge, repo: string | undefined, actions: string): Promise<string> {
    const scope = repo === undefined
      ? (challenge.params.scope ?? "")
      : `repository:${repo}:${actions}`;
    const key = `${challenge.params.realm} ${challenge.params.service ?? ""} ${scope}`;
    const cached = this.#tokens.get(key);
    if (cached !== undefined && cached.expires > Date.now()) return Promise.resolve(cached.value);
    let p = this.#pendingTokens.get(key);
    if (p === undefined) {
      p = this.#fetchToken(challenge, scope, key).finally(() => this.#pendingTokens.delete(key));
      this.#pendingTokens.set(key, p);
    }
    return p;
  }

  async #fetchToken(challenge: Challenge, scope: string, key: string): Promise<string> {
    const realmText = challenge.params.realm;
    let realm: URL;
    try {
      realm = new URL(realmText ?? "");
    } catch {
      throw new OciClientError(
        "invalid",
        `Cannot authenticate with ${this.host}: its challenge names no valid realm ` +
          `(${JSON.stringify(realmText ?? null)})`,
      );
    }
    if (
      realm.protocol !== "https:" && !(realm.protocol === "http:" && isLoopbackHost(realm.hostname))
    ) {
      throw new OciClientError(
        "insecure",
        `Cannot authenticate with ${this.host}: its token realm ${realm.origin} is not HTTPS`,
      );
    }
    if (challenge.params.service !== undefined) {
      realm.searchParams.set("service", challenge.params.service);
    }
    if (scope !== "") realm.searchParams.set("scope", scope);
    const headers: Record<string, string> = { "user-agent": this.#userAgent };
    const creds = await this.#creds();
    if (creds !== undefined && "username" in creds) {
      headers.authorization = basicHeader(creds);
    }
    const what = `get a token for ${scope || this.host}`;
    const url = realm.href;
    const abort = new AbortController();
    const shown = realm.origin + realm.pathname;
    {
      const res = await fetchHead(
        url,
        { headers, redirect: "error" },
        abort,
        this.timeoutMs,
        what,
        shown,
      );
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        const code = res.status === 401
          ? "unauthorized"
          : res.status === 403
          ? "denied"
          : "refused";
        throw new OciClientError(
          code,
          `Cannot ${what}: the token service ${realm.origin}${realm.pathname} answered ${res.status}` +
            (res.status === 401 || res.status === 403
              ? creds === undefined
                ? " (no credentials are configured for it)"
                : " (the credentials were refused)"
              : ""),
          realm.origin + realm.pathname,
          res.status,
        );
      }
      const body = await readLimited(
        res,
        abort,
        this.timeoutMs,
        { limit: this.limits.smallAnswerBytes },
        what,
        shown,
      );
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(decoder.decode(body));
      } catch {
        throw new OciClientError("invalid", `Cannot ${what}: the token answer is not JSON`, url);
      }
      const token = tokenOfResponse(json);
      if (token === undefined) {
        throw new OciClientError("invalid", `Cannot ${what}: the token answer holds no token`, url);
      }
      const lifetime = typeof json.expires_in === "number" && json.expires_in > 0
        ? json.expires_in
        : 60;
      // Renew a little early: a token that expires on the way is a needless 401.
      this.#tokens.set(key, { value: token, expires: Date.now() + (lifetime - 5) * 1000 });
      return token;
    }
  }

  /**
   * Sends a request to `path` (relative to the origin) or an absolute URL, following redirects
   * and answering one auth challenge, in one of the registry's {@link MAX_CONNECTIONS} slots. The
   * caller reads the body (with `abort`) and then calls `done` (which frees the slot).
   */
  async #send(
    target: string,
    o: SendOptions,
  ): Promise<{ res: Response; abort: AbortController; url: string; done: () => void }> {
    const actions = o.actions ?? "pull";
    let url = new URL(target, this.origin);
    let method = o.method ?? "GET";
    let retried = false;
    const release = await this.#slots.acquire();
    try {
      for (let hop = 0;; hop++) {
        const headers: Record<string, string> = { "user-agent": this.#userAgent, ...o.headers };
        if (url.origin === this.origin) {
          const auth = await this.#authorization(o.repo, actions);
          if (auth !== undefined) headers.authorization = auth;
        }
        const abort = new AbortController();
        const res = await fetchHead(
          url,
          {
            method,
            headers,
            body: o.body as Uint8Array<ArrayBuffer> | undefined,
            redirect: "manual",
          },
          abort,
          this.timeoutMs,
          o.what,
          stripQuery(url),
        );
        if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
          await res.body?.cancel().catch(() => {});
          if (hop >= this.limits.redirects) {
            throw new OciClientError(
              "refused",
              `Cannot ${o.what}: more than ${this.limits.redirects} redirects`,
              stripQuery(url),
            );
          }
          if (method !== "GET" && method !== "HEAD") {
            throw new OciClientError(
              "refused",
              `Cannot ${o.what}: ${stripQuery(url)} redirected a ${method}`,
              stripQuery(url),
              res.status,
            );
          }
          const next = new URL(res.headers.get("location")!, url);
          if (next.protocol !== "https:" && next.protocol !== "http:") {
            throw new OciClientError(
              "invalid",
              `Cannot ${o.what}: a redirect to ${next.protocol} URL`,
              stripQuery(url),
            );
          }
          if (
            next.protocol === "http:" && url.protocol === "https:" && !isLoopbackHost(next.hostname)
          ) {
            throw new OciClientError(
              "insecure",
              `Cannot ${o.what}: ${stripQuery(url)} redirected from HTTPS to HTTP`,
              stripQuery(url),
            );
          }
          if (res.status === 303) method = method === "HEAD" ? "HEAD" : "GET";
          url = next;
          continue;
        }
        if (res.status === 401 && url.origin === this.origin && !retried) {
          const challenge = parseChallenges(res.headers.get("www-authenticate") ?? "");
          const bearer = challenge.find((c) => c.scheme === "bearer" && c.params.realm);
          const basic = challenge.find((c) => c.scheme === "basic");
          const creds = await this.#creds();
          if (bearer !== undefined && !(creds !== undefined && "token" in creds)) {
            await res.body?.cancel().catch(() => {});
            this.#bearer = bearer;
            this.#basic = undefined;
            // The token we sent (if any) was refused: forget it.
            for (const k of this.#tokens.keys()) {
              if (k.endsWith(`repository:${o.repo}:${actions}`)) this.#tokens.delete(k);
            }
            retried = true;
            await this.#token(bearer, o.repo, actions);
            continue;
          }
          if (
            basic !== undefined && creds !== undefined && "username" in creds &&
            this.#basic === undefined
          ) {
            await res.body?.cancel().catch(() => {});
            this.#basic = basicHeader(creds);
            retried = true;
            continue;
          }
        }
        return {
          res,
          abort,
          url: stripQuery(url),
          done: () => {
            abort.abort();
            release();
          },
        };
      }
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Turns an error answer into an {@link OciClientError} (reading at most 64 KiB of its body). */
  async #failure(
    res: Response,
    abort: AbortController,
    o: SendOptions,
    url: string,
  ): Promise<OciClientError> {
    let registryCode: string | undefined;
    let said: string | undefined;
    try {
      const body = await readLimited(
        res,
        abort,
        this.timeoutMs,
        { limit: this.limits.smallAnswerBytes },
        o.what,
        url,
      );
      const first = parseErrorEnvelope(decoder.decode(body))?.[0];
      registryCode = first?.code;
      if (first?.message) said = first.message;
    } catch {
      await res.body?.cancel().catch(() => {});
    }
    const creds = await this.#creds();
    const code = res.status === 401
      ? "unauthorized"
      : res.status === 403
      ? "denied"
      : res.status === 404
      ? "not-found"
      : "refused";
    const hint = res.status === 401
      ? creds === undefined
        ? " (no credentials are configured for it)"
        : " (the credentials were refused)"
      : "";
    const detail = said !== undefined
      ? `: ${said.slice(0, 300)}${registryCode ? ` [${registryCode}]` : ""}`
      : registryCode
      ? ` [${registryCode}]`
      : "";
    return new OciClientError(
      code,
      `Cannot ${o.what}: ${this.host} answered ${res.status}${detail}${hint}`,
      url,
      res.status,
      registryCode,
    );
  }

  // ---------------------------------------------------------------------------------------
  // Reads

  /**
   * Every tag of a repository, following `Link: <…>; rel="next"` pages; `undefined` when the
   * registry has no such repository (404).
   */
  async tags(repo: string): Promise<string[] | undefined> {
    const what = `list the tags of ${this.host}/${repo}`;
    const out: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let page = 0; next !== undefined; page++) {
      if (page >= this.limits.tagPages) {
        throw new OciClientError(
          "too-large",
          `Cannot ${what}: more than ${this.limits.tagPages} pages of tags`,
        );
      }
      const o: SendOptions = { repo, what };
      const { res, abort, url, done } = await this.#send(next, o);
      try {
        if (res.status === 404 && page === 0) {
          await res.body?.cancel().catch(() => {});
          return undefined;
        }
        if (!res.ok) throw await this.#failure(res, abort, o, url);
        const body = await readLimited(
          res,
          abort,
          this.timeoutMs,
          { limit: this.limits.tagPageBytes },
          what,
          url,
        );
        let tags: unknown;
        try {
          tags = JSON.parse(decoder.decode(body))?.tags;
        } catch {
          throw new OciClientError("invalid", `Cannot ${what}: the answer is not JSON`, url);
        }
        if (tags !== null && tags !== undefined) {
          if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) {
            throw new OciClientError(
              "invalid",
              `Cannot ${what}: "tags" is not a list of strings`,
              url,
            );
          }
          out.push(...tags);
          if (out.length > this.limits.tags) {
            throw new OciClientError(
              "too-large",
              `Cannot ${what}: more than ${this.limits.tags} tags`,
              url,
            );
          }
        }
        next = nextLink(res.headers.get("link"), url, this.origin);
      } finally {
        done();
      }
    }
    return out;
  }

  /**
   * The repositories of the registry (`/v2/_catalog`, `Link` pages followed, at most
   * `limits.tags` names); `undefined` when the registry does not offer the catalog (ghcr.io does
   * not: 404, 401, 403 or 405).
   */
  async catalog(): Promise<string[] | undefined> {
    const what = `list the repositories of ${this.host}`;
    const out: string[] = [];
    let next: string | undefined = "/v2/_catalog?n=1000";
    for (let page = 0; next !== undefined; page++) {
      if (page >= this.limits.tagPages) break;
      const o: SendOptions = { what };
      const { res, abort, url, done } = await this.#send(next, o);
      try {
        if (page === 0 && [401, 403, 404, 405].includes(res.status)) {
          await res.body?.cancel().catch(() => {});
          return undefined;
        }
        if (!res.ok) throw await this.#failure(res, abort, o, url);
        const body = await readLimited(
          res,
          abort,
          this.timeoutMs,
          { limit: this.limits.tagPageBytes },
          what,
          url,
        );
        let names: unknown;
        try {
          names = JSON.parse(decoder.decode(body))?.repositories;
        } catch {
          throw new OciClientError("invalid", `Cannot ${what}: the answer is not JSON`, url);
        }
        if (!Array.isArray(names) || !names.every((t) => typeof t === "string")) {
          throw new OciClientError("invalid", `Cannot ${what}: "repositories" is not a list`, url);
        }
        out.push(...names);
        if (out.length >= this.limits.tags) return out.slice(0, this.limits.tags);
        next = nextLink(res.headers.get("link"), url, this.origin);
      } finally {
        done();
      }
    }
    return out;
  }

  /**
   * A manifest by tag or digest, its bytes verified against the digest asked for and the one the
   * registry announces; `undefined` on 404.
   */
  async manifest(
    repo: string,
    reference: string,
    accept: string = MANIFEST_ACCEPT,
  ): Promise<FetchedManifest | undefined> {
    const what = `fetch the manifest ${this.host}/${repo}:${reference}`;
    const o: SendOptions = { repo, what, headers: { accept } };
    const { res, abort, url, done } = await this.#send(`/v2/${repo}/manifests/${reference}`, o);
    try {
      if (res.status === 404) {
        await res.body?.cancel().catch(() => {});
        return undefined;
      }
      if (!res.ok) throw await this.#failure(res, abort, o, url);
      const bytes = await readLimited(
        res,
        abort,
        this.timeoutMs,
        { limit: this.limits.manifestBytes },
        what,
        url,
      );
      const digest = await digestOf(bytes);
      const asked = tryParseDigest(reference);
      if (asked !== undefined && asked !== digest) {
        throw new OciClientError(
          "integrity",
          `Cannot ${what}: the manifest's bytes hash to ${digest}`,
          url,
        );
      }
      const announced = res.headers.get("docker-content-digest");
      if (announced !== null && announced.startsWith("sha256:") && announced !== digest) {
        throw new OciClientError(
          "integrity",
          `Cannot ${what}: the registry announces ${announced}, and the bytes hash to ${digest}`,
          url,
        );
      }
      const contentType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
      return { bytes, digest, contentType };
    } finally {
      done();
    }
  }

  /** The digest a tag points at (`HEAD`), or `undefined` when it does not exist. */
  async manifestDigest(
    repo: string,
    reference: string,
    accept: string = MANIFEST_ACCEPT,
  ): Promise<string | undefined> {
    const what = `look up ${this.host}/${repo}:${reference}`;
    const o: SendOptions = { repo, what, method: "HEAD", headers: { accept } };
    const { res, url, done } = await this.#send(`/v2/${repo}/manifests/${reference}`, o);
    try {
      await res.body?.cancel().catch(() => {});
      if (res.status === 404) return undefined;
      if (!res.ok) {
        throw new OciClientError(
          res.status === 401 ? "unauthorized" : res.status === 403 ? "denied" : "refused",
          `Cannot ${what}: ${this.host} answered ${res.status}`,
          url,
          res.status,
        );
      }
      return res.headers.get("docker-content-digest") ?? "";
    } finally {
      done();
    }
  }

  /**
   * A blob, exactly as its descriptor says: the download stops as soon as it passes the size, and
   * the bytes are returned only when they hash to the digest.
   */
  async blob(
    repo: string,
    ref: BlobRef,
    onProgress?: (received: number, total: number | undefined) => void,
  ): Promise<Uint8Array> {
    const digest = tryParseDigest(ref.digest);
    if (digest === undefined) {
      throw new OciClientError(
        "invalid",
        `Cannot fetch a blob of ${this.host}/${repo}: unsupported digest ${
          JSON.stringify(ref.digest)
        }`,
      );
    }
    const what = `fetch ${this.host}/${repo}@${digest}`;
    const o: SendOptions = { repo, what, size: ref.size };
    const { res, abort, url, done } = await this.#send(`/v2/${repo}/blobs/${digest}`, o);
    try {
      if (!res.ok) throw await this.#failure(res, abort, o, url);
      const bytes = await readLimited(
        res,
        abort,
        this.timeoutMs,
        { limit: ref.size, expected: ref.size, onProgress },
        what,
        url,
      );
      const actual = await digestOf(bytes);
      if (actual !== digest) {
        throw new OciClientError(
          "integrity",
          `Cannot ${what}: the bytes from ${url} hash to ${actual}`,
          url,
        );
      }
      return bytes;
    } finally {
      done();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Writes

  /** Whether the registry holds a blob (`HEAD`). */
  async hasBlob(
    repo: string,
    digest: string,
    actions: "pull" | "pull,push" = "pull",
  ): Promise<boolean> {
    const what = `look up ${this.host}/${repo}@${digest}`;
    const o: SendOptions = { repo, what, method: "HEAD", actions };
    const { res, url, done } = await this.#send(`/v2/${repo}/blobs/${digest}`, o);
    try {
      await res.body?.cancel().catch(() => {});
      if (res.ok) return true;
      if (res.status === 404) return false;
      throw new OciClientError(
        res.status === 401 ? "unauthorized" : res.status === 403 ? "denied" : "refused",
        `Cannot ${what}: ${this.host} answered ${res.status}`,
        url,
        res.status,
      );
    } finally {
      done();
    }
  }

  /** Uploads a blob unless the registry has it: `POST` a session, then one `PUT ?digest=`. */
  async pushBlob(repo: string, bytes: Uint8Array, digest: Digest): Promise<void> {
    if (await this.hasBlob(repo, digest, "pull,push")) return;
    const what = `upload ${digest} to ${this.host}/${repo}`;
    const start: SendOptions = {
      repo,
      what,
      method: "POST",
      actions: "pull,push",
      headers: { "content-length": "0" },
    };
    const opened = await this.#send(`/v2/${repo}/blobs/uploads/`, start);
    let location: string;
    try {
      if (opened.res.status !== 202 || !opened.res.headers.has("location")) {
        if (opened.res.ok) await opened.res.body?.cancel().catch(() => {});
        throw opened.res.ok
          ? new OciClientError(
            "invalid",
            `Cannot ${what}: the upload session has no Location`,
            opened.url,
          )
          : await this.#failure(opened.res, opened.abort, start, opened.url);
      }
      await opened.res.body?.cancel().catch(() => {});
      location = opened.res.headers.get("location")!;
    } finally {
      opened.done();
    }
    const target = new URL(location, `${this.origin}/v2/${repo}/blobs/uploads/`);
    if (target.origin !== this.origin) {
      throw new OciClientError(
        "invalid",
        `Cannot ${what}: the upload session is on another host (${target.origin})`,
      );
    }
    target.searchParams.set("digest", digest);
    const put: SendOptions = {
      repo,
      what,
      method: "PUT",
      actions: "pull,push",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    };
    const done = await this.#send(target.href, put);
    try {
      if (done.res.status !== 201 && !done.res.ok) {
        throw await this.#failure(done.res, done.abort, put, done.url);
      }
      await done.res.body?.cancel().catch(() => {});
    } finally {
      done.done();
    }
  }

  /** Puts a manifest under a tag (or its digest); resolves to the manifest's digest. */
  async putManifest(
    repo: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<Digest> {
    const what = `push the manifest ${this.host}/${repo}:${reference}`;
    const o: SendOptions = {
      repo,
      what,
      method: "PUT",
      actions: "pull,push",
      body: bytes,
      headers: { "content-type": mediaType },
    };
    const { res, abort, url, done } = await this.#send(`/v2/${repo}/manifests/${reference}`, o);
    try {
      if (!res.ok) throw await this.#failure(res, abort, o, url);
      await res.body?.cancel().catch(() => {});
      return await digestOf(bytes);
    } finally {
      done();
    }
  }
}

function basicHeader(creds: { username: string; password: string }): string {
  return `Basic ${new TextEncoder().encode(`${creds.username}:${creds.password}`).toBase64()}`;
}

/** A URL without its query (which may carry signed-URL secrets) for messages. */
function stripQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The `rel="next"` target of a `Link` header, on the same origin; `undefined` when none. */
function nextLink(header: string | null, base: string, origin: string): string | undefined {
  if (header === null || header.length > 8192) return undefined;
  for (const part of header.split(",")) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m === null || !/\brel\s*=\s*"?next"?/i.test(m[2])) continue;
    const url = new URL(m[1], base);
    if (url.origin !== origin) {
      throw new OciClientError(
        "invalid",
        `Cannot list tags: the next page is on another host (${url.origin})`,
        base,
      );
    }
    return `${url.pathname}${url.search}`;
  }
  return undefined;
}
