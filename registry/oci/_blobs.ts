/**
 * Blobs on `/v2`: `GET`/`HEAD /v2/<repo>/blobs/<digest>` (no content negotiation: wkg sends the
 * manifest Accept list on blob requests too; `Range` supported) and `DELETE` of a blob uploaded to
 * the repository that no manifest references yet. A repository holds its versions' bytes, the
 * blobs its manifests reference, and what was uploaded to it and has not lapsed.
 */
import { type Digest, type PackageName, tryParseDigest } from "../../lib/names/mod.ts";
import { packageOfRepositoryOrFail, parseOciDigest } from "../../lib/oci/mod.ts";
import type { Context } from "../_context.ts";
import type { Handler, Params } from "../_handlers.ts";
import { etagOf, ifRangeMatches, notModified } from "../_http.ts";
import { requirePusher } from "./_auth.ts";
import { API_VERSION_HEADER, OciRefusal } from "./_errors.ts";

/** The package a `/v2` path's repository holds (404 `NAME_UNKNOWN` when none can be). */
export function packageParam(ctx: Context, params: Params): PackageName {
  return packageOfRepositoryOrFail(params.name, ctx.oci.prefix);
}

/**
 * A digest in a `/v2` path: refused (400 `DIGEST_INVALID`) when malformed; `undefined` for a
 * well-formed digest of an algorithm wreg does not store (sha512), which nothing here has.
 */
export function digestParam(text: string): Digest | undefined {
  parseOciDigest(text);
  return tryParseDigest(text);
}

function blobUnknown(repository: string, digest: string): OciRefusal {
  return new OciRefusal(
    "BLOB_UNKNOWN",
    `Cannot find blob ${digest} in repository ${repository}`,
    { repository, digest },
  );
}

/** Whether the repository of `name` holds the blob (at the registry's clock). */
export function repositoryHas(ctx: Context, name: PackageName, digest: Digest): Promise<boolean> {
  return ctx.storage.metadata.hasOciBlob(name, digest, ctx.now().toISOString());
}

/** `GET`/`HEAD /v2/<repo>/blobs/<digest>`. */
export const getBlob: Handler = async (ctx, req, params) => {
  const name = packageParam(ctx, params);
  const digest = digestParam(params.digest);
  if (digest === undefined || !(await repositoryHas(ctx, name, digest))) {
    throw blobUnknown(params.name, params.digest);
  }
  const etag = etagOf(digest);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "docker-content-digest": digest,
    "cache-control": "public, max-age=31536000, immutable",
    etag,
    "accept-ranges": "bytes",
    ...API_VERSION_HEADER,
  };
  if (notModified(req.headers, etag)) {
    // Only a blob that exists is "not modified" (issue 17 #17).
    if (ctx.blobs.get(digest) === undefined && !(await ctx.storage.blobs.has(digest))) {
      throw blobUnknown(params.name, digest);
    }
    return new Response(null, { status: 304, headers });
  }
  const head = req.method === "HEAD";
  let bytes = ctx.blobs.get(digest);
  let size = bytes?.length;
  if (bytes === undefined) {
    const stat = await ctx.storage.blobs.stat(digest);
    if (stat === undefined) throw blobUnknown(params.name, digest);
    size = stat.size;
    if (!head && ctx.blobs.fits(size)) bytes = await ctx.readBlob(digest);
  }
  const range = ifRangeMatches(req.headers, etag)
    ? strictRange(req.headers.get("range"), size!)
    : undefined;
  const status = range === undefined ? 200 : 206;
  if (range !== undefined) {
    headers["content-range"] = `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
  }
  headers["content-length"] = String(range?.length ?? size);
  if (head) return new Response(null, { status, headers });
  if (bytes !== undefined) {
    const body = range === undefined
      ? bytes
      : bytes.subarray(range.offset, range.offset + range.length);
    return new Response(body as Uint8Array<ArrayBuffer>, { status, headers });
  }
  const body = await ctx.storage.blobs.get(digest, range);
  return new Response(body.stream, { status, headers });
};

/**
 * A `Range` header over a blob of `size` bytes: one `bytes=` range (`a-b`, `a-`, `-n`). Absent
 * or several ranges: the whole blob (`undefined`). A range that selects nothing (it starts past
 * the end, or ends before it starts) is refused with 416, as OCI clients expect.
 */
export function strictRange(
  header: string | null,
  size: number,
): { offset: number; length: number } | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const refuse = () =>
    new OciRefusal(
      "BLOB_UPLOAD_INVALID",
      `Cannot serve range ${JSON.stringify(header)}: the blob has ${size} bytes`,
      { size },
      { status: 416, headers: { "content-range": `bytes */${size}` } },
    );
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw refuse();
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) throw refuse();
  if (first >= size || last < first) throw refuse();
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}

/**
 * `DELETE /v2/<repo>/blobs/<digest>`: removes an upload nothing references yet (202); a blob of
 * a published version or manifest is immutable (405 `UNSUPPORTED`).
 */
export const deleteBlob: Handler = async (ctx, req, params) => {
  const name = packageParam(ctx, params);
  await requirePusher(ctx, req, params.name, name, `delete blob ${params.digest}`, "delete");
  const digest = digestParam(params.digest);
  if (digest === undefined || !(await repositoryHas(ctx, name, digest))) {
    throw blobUnknown(params.name, params.digest);
  }
  const { metadata } = ctx.storage;
  await metadata.unlinkOciBlob(name, digest);
  if (await repositoryHas(ctx, name, digest)) {
    throw new OciRefusal(
      "UNSUPPORTED",
      `Cannot delete blob ${digest}: a published version of ${params.name} holds it, and versions are immutable (yank the version instead)`,
      { digest },
      { status: 405, headers: { allow: "GET, HEAD" } },
    );
  }
  await dropIfUnreferenced(ctx, digest);
  return new Response(null, { status: 202, headers: { ...API_VERSION_HEADER } });
};

/**
 * Deletes a blob nothing references and no process holds (after a link went); whether it did.
 */
export async function dropIfUnreferenced(ctx: Context, digest: Digest): Promise<boolean> {
  const { metadata, blobs } = ctx.storage;
  const done = await metadata.ifDigestUnheld(digest, async () => {
    if (await metadata.isDigestReferenced(digest)) return false;
    ctx.blobs.delete(digest);
    return await blobs.delete(digest);
  });
  return done.ran && done.value;
}
