/**
 * Blob uploads on `/v2`, as the distribution spec has them and as wkg, oras and skopeo use them:
 *
 * - `POST /v2/<repo>/blobs/uploads/` opens a session (202 + `Location`); with `?digest=` the body
 *   is the whole blob (201); with `?mount=<digest>&from=<repo>` a blob of another repository is
 *   linked (201) when that repository holds it, else a session opens (202, "not mounted");
 * - `PATCH <location>` appends a chunk (`Content-Range: <first>-<last>`, inclusive, no unit, as
 *   wkg sends it; without it, the body goes at the end); a chunk that does not start where the
 *   upload ends is refused with 416 and the `Range` received so far;
 * - `PUT <location>?digest=` ends it, with or without a last chunk: the parts are hashed on the
 *   way into the blob store and must match the digest;
 * - `GET <location>` tells how far it got (204 + `Range`); `DELETE <location>` cancels it.
 *
 * Sessions live in the storage (metadata row + blob-store parts), so each request may land on
 * another registry process. They are bounded in size (the upload limit), in number per token and
 * in lifetime; a lapsed session, and an uploaded blob no manifest references once its link lapses,
 * are swept: nothing is left. Only a token that may publish to the namespace can upload, and a
 * session belongs to the token that opened it.
 */
import { type Digest, type PackageName, parsePackageName } from "../../lib/names/mod.ts";
import { repositoryOf } from "../../lib/oci/mod.ts";
import { isStorageError, type OciUploadRecord } from "../../storage/mod.ts";
import type { Actor } from "../_auth.ts";
import type { Context } from "../_context.ts";
import type { Handler, Params, RequestUrl } from "../_handlers.ts";
import { requirePusher } from "./_auth.ts";
import { digestParam, dropIfUnreferenced, packageParam, repositoryHas } from "./_blobs.ts";
import { API_VERSION_HEADER, OciRefusal } from "./_errors.ts";

function newId(): string {
  return crypto.getRandomValues(new Uint8Array(16)).toHex();
}

function uploadLocation(repository: string, id: string): string {
  return `/v2/${repository}/blobs/uploads/${id}`;
}

function rangeHeader(size: number): string {
  // The distribution registry's form: the last byte received, "0-0" before any.
  return `0-${Math.max(size - 1, 0)}`;
}

function sessionHeaders(repository: string, u: OciUploadRecord): Record<string, string> {
  return {
    location: uploadLocation(repository, u.id),
    range: rangeHeader(u.size),
    "docker-upload-uuid": u.id,
    "content-length": "0",
    ...API_VERSION_HEADER,
  };
}

function blobCreated(repository: string, digest: Digest): Response {
  return new Response(null, {
    status: 201,
    headers: {
      location: `/v2/${repository}/blobs/${digest}`,
      "docker-content-digest": digest,
      "content-length": "0",
      ...API_VERSION_HEADER,
    },
  });
}

function uploadUnknown(repository: string, id: string): OciRefusal {
  return new OciRefusal(
    "BLOB_UPLOAD_UNKNOWN",
    `Cannot find upload ${id} in repository ${repository}: it was finished, cancelled, or lapsed`,
    { repository, upload: id },
  );
}

function digestQuery(url: RequestUrl, required: boolean): Digest | undefined {
  const text = url.searchParams.get("digest");
  if (text === null) {
    if (!required) return undefined;
    throw new OciRefusal(
      "DIGEST_INVALID",
      "Cannot finish the upload: give the blob's digest as ?digest=sha256:<hex>",
    );
  }
  const d = digestParam(text);
  if (d === undefined) {
    throw new OciRefusal(
      "DIGEST_INVALID",
      `Cannot accept digest ${text}: this registry stores content by sha256`,
      { digest: text },
    );
  }
  return d;
}

function declaredLength(req: Request): number | undefined {
  const v = req.headers.get("content-length");
  if (v === null) return undefined;
  if (!/^\s*\d+\s*$/.test(v)) {
    throw new OciRefusal("BLOB_UPLOAD_INVALID", `Invalid Content-Length ${JSON.stringify(v)}`);
  }
  return Number(v);
}

function tooLarge(limit: number): OciRefusal {
  return new OciRefusal(
    "SIZE_INVALID",
    `Cannot accept the upload: it is larger than the limit of ${limit} bytes`,
    { limit },
    { status: 413 },
  );
}

/**
 * Stores a whole blob from a request body and links it to the repository until it lapses (a
 * manifest referencing it keeps it for good).
 */
async function storeBlob(
  ctx: Context,
  name: PackageName,
  source: ReadableStream<Uint8Array> | Uint8Array,
  digest: Digest,
  size?: number,
): Promise<void> {
  const max = ctx.limits.maxUploadBytes;
  // Held (for every process sharing the storage) until the link is committed, so that no
  // clean-up deletes the bytes in between.
  const hold = await ctx.storage.metadata.holdDigest(digest);
  const kept = keepComponent(ctx, source, size);
  try {
    try {
      const put = await ctx.storage.blobs.put(kept.source, { digest, maxSize: max });
      await ctx.storage.metadata.linkOciBlob(name, {
        digest,
        size: put.size,
        expiresAt: new Date(ctx.now().getTime() + ctx.oci.options.uploadTtlMs).toISOString(),
      });
    } catch (e) {
      if (isStorageError(e, "digest-mismatch")) {
        const details = e.details as { expected: string; actual: string };
        throw new OciRefusal(
          "DIGEST_INVALID",
          `Cannot accept the blob: its bytes hash to ${details.actual}, not the declared ${details.expected}`,
          { ...details },
        );
      }
      if (isStorageError(e, "too-large")) throw tooLarge(max);
      if (isStorageError(e, "aborted")) {
        throw new OciRefusal(
          "BLOB_UPLOAD_INVALID",
          `Cannot accept the blob: the upload ended early (${e.message})`,
        );
      }
      throw e;
    }
    if (!hold.intact && !(await ctx.storage.blobs.has(digest))) {
      // The hold lapsed (a lost database session) and a clean-up removed the bytes meanwhile.
      throw new OciRefusal(
        "BLOB_UPLOAD_INVALID",
        "Cannot accept the blob: the storage lost it while it was being linked; upload it again",
        undefined,
        { status: 503 },
      );
    }
    // Stored and linked: a component's bytes wait here for the manifest that publishes them.
    const bytes = kept.bytes();
    kept.release(); // counted as kept from here
    if (bytes !== undefined) ctx.oci.recentUploads.put(digest, bytes, ctx.now().getTime());
  } finally {
    kept.release();
    await hold.release();
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * The source passed on unchanged, keeping a copy of what flows through when its size is known and
 * it is a component (it starts with `\0asm`) small enough for {@link OciState.recentUploads}:
 * copied as it passes into one buffer of that size (no chunk is retained). `bytes()` gives it
 * once the blob store took (and hashed) all of it.
 */
function keepComponent(
  ctx: Context,
  source: ReadableStream<Uint8Array> | Uint8Array,
  size: number | undefined,
): {
  source: ReadableStream<Uint8Array> | Uint8Array;
  bytes(): Uint8Array | undefined;
  release(): void;
} {
  const recent = ctx.oci.recentUploads;
  const isWasm = (b: Uint8Array) => b.length >= 4 && WASM_MAGIC.every((m, i) => b[i] === m);
  if (source instanceof Uint8Array) {
    return {
      source,
      bytes: () => (isWasm(source) && recent.fits(source.length) ? source.slice() : undefined),
      release: () => {},
    };
  }
  const none = { source, bytes: () => undefined, release: () => {} };
  if (size === undefined || size < 4 || !recent.fits(size)) return none;
  let reserved = false;
  const release = () => {
    if (reserved) recent.release(size);
    reserved = false;
  };
  let copy: Uint8Array | undefined;
  let at = 0;
  let ended = false;
  const reader = source.getReader();
  const passed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        copy = undefined;
        controller.error(e);
        return;
      }
      if (step.done) {
        ended = true;
        controller.close();
        return;
      }
      const c = step.value;
      if (at === 0 && c.length > 0 && isWasm(c) && recent.reserve(size)) {
        // The first chunk decides (a first chunk under 4 bytes: not kept); the buffer is
        // allocated within the bound of every upload's copies.
        reserved = true;
        copy = new Uint8Array(size);
      }
      if (copy !== undefined) {
        if (at + c.length > size) copy = undefined;
        else copy.set(c, at);
      }
      at += c.length;
      controller.enqueue(c);
    },
    cancel(reason) {
      copy = undefined;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    source: passed,
    bytes: () => (ended && at === size ? copy : undefined),
    release,
  };
}

/** `POST /v2/<repo>/blobs/uploads/`. */
export const startUpload: Handler = async (ctx, req, params, url) => {
  const name = packageParam(ctx, params);
  const repository = params.name;
  const actor = await requirePusher(ctx, req, repository, name, `upload to ${repository}`);
  await maybeSweep(ctx);
  const mount = url.searchParams.get("mount");
  const from = url.searchParams.get("from");
  if (mount !== null && from !== null) {
    const digest = digestParam(mount);
    const source = packageOfFrom(ctx, from);
    if (
      digest !== undefined && source !== undefined && (await repositoryHas(ctx, source, digest))
    ) {
      const stat = await ctx.storage.blobs.stat(digest);
      if (stat !== undefined) {
        await ctx.storage.metadata.linkOciBlob(name, {
          digest,
          size: stat.size,
          expiresAt: new Date(ctx.now().getTime() + ctx.oci.options.uploadTtlMs).toISOString(),
        });
        return blobCreated(repository, digest);
      }
    }
    // Not mounted: a session, as the spec allows.
  }
  const digest = digestQuery(url, false);
  if (digest !== undefined) {
    const length = declaredLength(req);
    if (length !== undefined && length > ctx.limits.maxUploadBytes) {
      req.body?.cancel().catch(() => {});
      throw tooLarge(ctx.limits.maxUploadBytes);
    }
    await storeBlob(ctx, name, req.body ?? new Uint8Array(), digest, length);
    return blobCreated(repository, digest);
  }
  req.body?.cancel().catch(() => {});
  const u = await ctx.storage.metadata.createOciUpload(name, {
    id: newId(),
    owner: ownerOf(actor),
    expiresAt: new Date(ctx.now().getTime() + ctx.oci.options.uploadTtlMs).toISOString(),
  }, { maxPerOwner: ctx.oci.options.maxUploadsPerToken, now: ctx.now().toISOString() });
  return new Response(null, { status: 202, headers: sessionHeaders(repository, u) });
};

function packageOfFrom(ctx: Context, from: string): PackageName | undefined {
  try {
    return packageParam(ctx, { name: from });
  } catch {
    return undefined;
  }
}

function ownerOf(actor: Actor & { kind: "token" }): string {
  return actor.token.id;
}

/** The session of a request, checked: it exists, has not lapsed, and belongs to the caller. */
async function sessionOf(
  ctx: Context,
  req: Request,
  params: Params,
): Promise<{ name: PackageName; upload: OciUploadRecord; actor: Actor & { kind: "token" } }> {
  const name = packageParam(ctx, params);
  const actor = await requirePusher(ctx, req, params.name, name, `upload to ${params.name}`);
  const id = params.id;
  const upload = /^[0-9a-f]{32}$/.test(id)
    ? await ctx.storage.metadata.getOciUpload(id)
    : undefined;
  if (
    upload === undefined || upload.package !== `${name.namespace}:${name.name}` ||
    upload.owner !== ownerOf(actor) || upload.expiresAt <= ctx.now().toISOString()
  ) {
    throw uploadUnknown(params.name, id);
  }
  return { name, upload, actor };
}

/** `Content-Range: <first>-<last>` (also with a `bytes ` or `bytes=` unit), or `undefined`. */
function contentRange(req: Request): { first: number; last: number } | undefined {
  const v = req.headers.get("content-range");
  if (v === null) return undefined;
  const m = /^\s*(?:bytes[ =])?\s*(\d+)-(\d+)(?:\/(?:\d+|\*))?\s*$/i.exec(v);
  if (!m || Number(m[2]) < Number(m[1]) || !Number.isSafeInteger(Number(m[2]))) {
    throw new OciRefusal(
      "BLOB_UPLOAD_INVALID",
      `Invalid Content-Range ${
        JSON.stringify(v)
      }: expected <first>-<last> (inclusive byte offsets)`,
      undefined,
      { status: 416 },
    );
  }
  return { first: Number(m[1]), last: Number(m[2]) };
}

function outOfOrder(repository: string, u: OciUploadRecord, first: number): OciRefusal {
  return new OciRefusal(
    "BLOB_UPLOAD_INVALID",
    `Cannot accept a chunk starting at byte ${first}: upload ${u.id} has ${u.size} bytes, so the next chunk starts at ${u.size}`,
    { received: u.size, first },
    {
      status: 416,
      headers: { range: rangeHeader(u.size), location: uploadLocation(repository, u.id) },
    },
  );
}

/**
 * Appends the request body to a session as one part. `undefined` body or an empty one appends
 * nothing. Returns the session as it is after.
 */
async function appendChunk(
  ctx: Context,
  req: Request,
  repository: string,
  upload: OciUploadRecord,
): Promise<OciUploadRecord> {
  const range = contentRange(req);
  const length = declaredLength(req);
  if (range !== undefined && range.first !== upload.size) {
    req.body?.cancel().catch(() => {});
    throw outOfOrder(repository, upload, range.first);
  }
  const expected = range === undefined ? length : range.last - range.first + 1;
  if (range !== undefined && length !== undefined && length !== expected) {
    req.body?.cancel().catch(() => {});
    throw new OciRefusal(
      "BLOB_UPLOAD_INVALID",
      `Content-Range covers ${expected} bytes but Content-Length is ${length}`,
      undefined,
      { status: 416 },
    );
  }
  if (req.body === null || expected === 0) return upload;
  const room = ctx.limits.maxUploadBytes - upload.size;
  if (expected !== undefined && expected > room) {
    req.body.cancel().catch(() => {});
    throw tooLarge(ctx.limits.maxUploadBytes);
  }
  const part = newId();
  let size: number;
  try {
    size = (await ctx.storage.blobs.putUploadPart(upload.id, part, req.body, {
      maxSize: Math.max(room, 0),
    })).size;
  } catch (e) {
    if (isStorageError(e, "too-large")) throw tooLarge(ctx.limits.maxUploadBytes);
    if (isStorageError(e, "aborted")) {
      throw new OciRefusal("BLOB_UPLOAD_INVALID", `Cannot accept the chunk: ${e.message}`);
    }
    throw e;
  }
  if (expected !== undefined && size !== expected) {
    throw new OciRefusal(
      "BLOB_UPLOAD_INVALID",
      `Cannot accept the chunk: ${size} bytes arrived, ${expected} were declared`,
      undefined,
      { status: 400 },
    );
  }
  if (size === 0) return upload;
  try {
    return await ctx.storage.metadata.appendOciUploadPart(upload.id, {
      part,
      offset: upload.size,
      size,
    });
  } catch (e) {
    if (isStorageError(e, "conflict")) {
      // Another request appended first: this part is an orphan of the session, swept with it.
      const now = await ctx.storage.metadata.getOciUpload(upload.id);
      throw outOfOrder(repository, now ?? upload, upload.size);
    }
    throw e;
  }
}

/** `PATCH /v2/<repo>/blobs/uploads/<id>`: one more chunk. */
export const patchUpload: Handler = async (ctx, req, params) => {
  const { upload } = await sessionOf(ctx, req, params);
  const after = await appendChunk(ctx, req, params.name, upload);
  return new Response(null, { status: 202, headers: sessionHeaders(params.name, after) });
};

/** `PUT /v2/<repo>/blobs/uploads/<id>?digest=`: the last chunk (if any), then the blob. */
export const finishUpload: Handler = async (ctx, req, params, url) => {
  const { name, upload } = await sessionOf(ctx, req, params);
  const digest = digestQuery(url, true)!;
  // A last chunk refused as out of order leaves the session as it was (the client may resume);
  // once the blob is being stored, finished or refused (a wrong digest), the session ends.
  let storing = false;
  try {
    if (upload.parts.length === 0 && contentRange(req) === undefined) {
      // The whole blob in this request (oras's POST then PUT): straight into the blob store.
      const length = declaredLength(req);
      if (length !== undefined && length > ctx.limits.maxUploadBytes) {
        req.body?.cancel().catch(() => {});
        throw tooLarge(ctx.limits.maxUploadBytes);
      }
      storing = true;
      await storeBlob(ctx, name, req.body ?? new Uint8Array(), digest, length);
    } else {
      const done = await appendChunk(ctx, req, params.name, upload);
      storing = true;
      await storeBlob(
        ctx,
        name,
        ctx.storage.blobs.readUploadParts(done.id, done.parts.map((p) => p.part)),
        digest,
        done.size,
      );
    }
  } finally {
    if (storing) await endSession(ctx, upload.id);
  }
  return blobCreated(params.name, digest);
};

/** `GET /v2/<repo>/blobs/uploads/<id>`: how far the upload got. */
export const uploadStatus: Handler = async (ctx, req, params) => {
  const { upload } = await sessionOf(ctx, req, params);
  return new Response(null, { status: 204, headers: sessionHeaders(params.name, upload) });
};

/** `DELETE /v2/<repo>/blobs/uploads/<id>`: cancels the upload. */
export const cancelUpload: Handler = async (ctx, req, params) => {
  const { upload } = await sessionOf(ctx, req, params);
  await endSession(ctx, upload.id);
  return new Response(null, { status: 204, headers: { ...API_VERSION_HEADER } });
};

async function endSession(ctx: Context, id: string): Promise<void> {
  await ctx.storage.metadata.deleteOciUpload(id);
  await ctx.storage.blobs.deleteUploadParts(id);
}

/** Runs {@link sweepOci} when the last sweep is older than the configured interval. */
async function maybeSweep(ctx: Context): Promise<void> {
  const t = ctx.now().getTime();
  if (t - ctx.oci.lastSweep < ctx.oci.options.sweepIntervalMs) return;
  ctx.oci.lastSweep = t;
  try {
    await sweepOci(ctx);
  } catch (e) {
    ctx.onServerError(e, new Request("http://sweep/"), "oci-sweep");
  }
}

/** What a sweep removed. */
export interface SweepReport {
  /** Lapsed sessions ended, with their parts. */
  uploads: number;
  /** Lapsed links removed. */
  links: number;
  /** Blobs deleted because nothing references them any more. */
  blobs: number;
  /** Parts whose session no longer exists (a crash between part and row). */
  orphanParts: number;
}

/**
 * Removes what lapsed at the registry's clock: upload sessions (row and parts), links of blobs
 * no manifest references (and the blobs, unless something else references or holds them), and
 * parts of sessions that no longer exist and are older than a session lives.
 */
export async function sweepOci(ctx: Context): Promise<SweepReport> {
  const { metadata, blobs } = ctx.storage;
  const now = ctx.now();
  const nowText = now.toISOString();
  const report: SweepReport = { uploads: 0, links: 0, blobs: 0, orphanParts: 0 };
  for (let round = 0; round < 100; round++) {
    const lapsed = await metadata.expiredOciUploads(nowText, 100);
    for (const u of lapsed) {
      await endSession(ctx, u.id);
      report.uploads++;
    }
    if (lapsed.length < 100) break;
  }
  for (let round = 0; round < 100; round++) {
    const lapsed = await metadata.expiredOciBlobLinks(nowText, 100);
    for (const l of lapsed) {
      await metadata.unlinkOciBlob(parsePackageName(l.package), l.digest);
      report.links++;
      if (await dropIfUnreferenced(ctx, l.digest)) report.blobs++;
    }
    if (lapsed.length < 100) break;
  }
  const cutoff = new Date(now.getTime() - ctx.oci.options.uploadTtlMs).toISOString();
  for await (const p of blobs.listUploadParts()) {
    if (p.storedAt > cutoff) continue;
    if (await metadata.getOciUpload(p.upload) !== undefined) continue;
    await blobs.deleteUploadParts(p.upload);
    report.orphanParts++;
  }
  return report;
}

/** The repository name of a package under the registry's prefix. */
export function repositoryName(ctx: Context, name: PackageName): string {
  return repositoryOf(name, ctx.oci.prefix);
}
