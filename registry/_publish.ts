/**
 * The publish pipeline (DESIGN.md, "Data flows"):
 *
 * 1. permissions (before a byte is read): the caller may publish to the namespace;
 * 2. limits: the declared length, then the streamed length;
 * 3. the version must not exist yet (checked early for a quick 409; the commit decides);
 * 4. stream into the blob store while hashing: a digest mismatch or a truncated upload leaves
 *    nothing;
 * 5. decode with limits (400 with the byte offset);
 * 6. domain rules: a component or a WIT package, not a core module; a WIT package's own name and
 *    version are the ones published; a package keeps its kind;
 * 7. under the package's lock (`MetadataStore.withLock`: every process sharing the storage takes
 *    the same lock): the compatibility gate against every other version of the semver series,
 *    yanked ones included (409 with the reports);
 * 8. the derived documents, then the one commit point (`commitVersion`: version row, search rows
 *    and package row in one transaction; a duplicate is 409), claiming an unclaimed namespace
 *    right before it. The commit carries the versions the gate saw (`basedOn`): if another
 *    process committed meanwhile (possible only when a lock was lost with its connection), the
 *    store refuses it as `stale` and the gate runs again.
 *
 * The digest is held (`MetadataStore.holdDigest`) from before the upload until after the commit,
 * so no other publish's cleanup and no garbage collection, in any process, deletes the bytes
 * meanwhile. A refusal after step 4 deletes the blob it stored, unless another publish holds or a
 * version references the same bytes. A crash anywhere before the commit leaves at most an
 * unreferenced blob. Caches are the context's: the store tells every process about the commit.
 */
import { ComponentDecodeError } from "../lib/component/mod.ts";
import {
  compareVersions,
  type Digest,
  formatPackageName,
  isPrerelease,
  type PackageName,
  sameVersion,
  seriesOf,
  type Version,
} from "../lib/names/mod.ts";
import {
  type BlobSource,
  type DigestHold,
  isStorageError,
  type NamespaceRecord,
  type OciManifestInput,
  type PutResult,
  type Storage,
  type VersionRecord,
  type VersionSummary,
} from "../storage/mod.ts";
import {
  compareReleases,
  type CompatReport,
  gatePairs,
  nextSeries,
  type Release,
} from "./_compat.ts";
import type { Context } from "./_context.ts";
import { type Decoded, type DecodedWithDocument, DigestMismatchError } from "./_decoder.ts";
import type { CompatDoc } from "./_document.ts";
import { RegistryError } from "./_errors.ts";
import { checkReleaseSignature, integrateQuietly } from "./_trust.ts";

/**
 * How far the upload is read ahead of the blob store (which opens its file first): the body keeps
 * arriving meanwhile instead of waiting in the socket.
 */
const READ_AHEAD = 8 * 1024 * 1024;

/** What a publish needs. */
export interface PublishRequest {
  name: PackageName;
  version: Version;
  /** The bytes, streamed (an HTTP body) or in memory (seeding). */
  body: ReadableStream<Uint8Array> | Uint8Array;
  /** The digest the client declared; the bytes must hash to it. */
  digest: Digest;
  /** The declared length, checked against the limit before reading. */
  contentLength?: number;
  /**
   * The body is the bytes of the blob `digest` already in the blob store (an OCI push: the layer
   * was hashed against its digest on its way into the store). They are not stored again; the
   * decoder's thread hashes them once more beside the decode (off the main thread), and the
   * digest's hold keeps every clean-up away from the blob until the commit references it.
   */
  stored?: boolean;
  /**
   * The body's buffer is the pipeline's to move (nothing else holds it: a blob read for this
   * publish, too large for the blob cache): it goes to the decoder thread without a copy and comes
   * back with the answer.
   */
  handOver?: boolean;
  /**
   * With `stored`: these are the very bytes the blob store hashed against `digest` when they were
   * uploaded to this process (kept in memory since), so the decoder thread does not hash them again.
   */
  verified?: boolean;
  /**
   * Checks that the caller may publish to the namespace (given its record, `undefined` when
   * unclaimed) and returns the user who publishes (and claims an unclaimed namespace).
   */
  authorize(namespace: NamespaceRecord | undefined): string;
  /**
   * The OCI manifest a client pushed for this version (registry/oci), committed with it; without
   * one, a manifest is generated from the release when first asked for.
   */
  oci?: OciManifestInput;
  /**
   * Set by the mirror (registry/_mirror.ts) for a version it commits from this upstream: the
   * namespace's mirroring lets it in, and the compatibility gate reports but never refuses (the
   * upstream published it; a mirror reflects what is there).
   */
  upstream?: string;
  /**
   * The publisher's Sigstore bundle (the `X-Wreg-Signature` header), checked against the
   * namespace's keys before a byte is read and again at the commit; its key ID becomes the signer
   * of the release's log entry.
   */
  signature?: Uint8Array;
}

/** A version the gate found incompatible with the new one, with its breaking changes. */
export interface GateFailure extends CompatReport {
  /** The published version compared with. */
  against: string;
  /** `earlier`: the new version must be compatible with it; `later`: it with the new version. */
  relation: "earlier" | "later";
}

/** Runs the pipeline; resolves to the committed version with its document. */
export async function publishVersion(ctx: Context, req: PublishRequest): Promise<VersionRecord> {
  const { metadata, blobs } = ctx.storage;
  const pkg = formatPackageName(req.name);
  const ref = `${pkg}@${req.version}`;
  ctx.mirror?.checkPublish(req.name, req.version, req.upstream !== undefined);
  const namespace = await metadata.getNamespace(req.name.namespace);
  // A mirror brings an upstream's namespace in as it is; nobody else claims a reserved one.
  if (namespace === undefined && req.upstream === undefined) {
    refuseReserved(ctx, req.name.namespace, ref);
  }
  req.authorize(namespace);
  // The signature names the declared digest, so it is checked before the upload is read (the
  // bytes must then hash to that digest); a mirror reflects its upstream as it is.
  const subject = { name: req.name, version: req.version, digest: req.digest };
  const checkSignature = () =>
    req.upstream === undefined
      ? checkReleaseSignature(ctx, subject, req.signature)
      : Promise.resolve(undefined);
  try {
    await checkSignature();
  } catch (e) {
    if (req.body instanceof ReadableStream) req.body.cancel().catch(() => {});
    throw e;
  }

  const max = ctx.limits.maxUploadBytes;
  if (req.contentLength !== undefined && req.contentLength > max) {
    if (req.body instanceof ReadableStream) req.body.cancel().catch(() => {});
    throw tooLarge(ref, max, req.contentLength);
  }
  const existing = (await metadata.getPackage(req.name))?.versions.find((v) =>
    sameVersion(v.version, req.version)
  );
  if (existing !== undefined) {
    if (req.body instanceof ReadableStream) req.body.cancel().catch(() => {});
    throw versionExists(ref, existing.version);
  }

  let hold: DigestHold = await metadata.holdDigest(req.digest);
  let created = false;
  let committed = false;
  try {
    // The bytes are kept while they stream to the blob store; as soon as the upload ends they go
    // to a decoder thread, which works while the blob store finishes (fsync, rename).
    const chunks: Uint8Array[] = [];
    let size = 0;
    const { promise: received, resolve: onReceived } = Promise.withResolvers<Uint8Array>();
    let overLimit = false;
    let source: BlobSource;
    if (req.body instanceof Uint8Array) source = req.body;
    else {
      // Read ahead of the blob store (up to READ_AHEAD), counting bytes as they arrive so that
      // reading stops at the limit.
      const reader = req.body.getReader();
      source = new ReadableStream<Uint8Array>({
        async pull(controller) {
          let step: ReadableStreamReadResult<Uint8Array>;
          try {
            step = await reader.read();
          } catch (e) {
            controller.error(e);
            return;
          }
          if (step.done) {
            onReceived(joinChunks(chunks, size));
            controller.close();
            return;
          }
          size += step.value.length;
          if (size > max) {
            overLimit = true;
            reader.cancel().catch(() => {});
            controller.error(tooLarge(ref, max));
            return;
          }
          chunks.push(step.value);
          controller.enqueue(step.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      }, new ByteLengthQueuingStrategy({ highWaterMark: Math.min(READ_AHEAD, max) }));
    }
    if (req.body instanceof Uint8Array) onReceived(req.body);
    const stored = req.stored === true && req.body instanceof Uint8Array;
    let back: Uint8Array | undefined;
    const decoding = received.then((bytes) =>
      ctx.decodeForPublish(
        bytes,
        { name: req.name, version: req.version, digest: req.digest },
        stored && !req.verified ? req.digest : undefined,
        stored && req.handOver ? (b) => (back = b) : undefined,
      )
    );
    // Awaited below, unless the upload fails first. Stored bytes that fail their hash are not
    // kept in the blob cache either.
    decoding.catch((e) => {
      if (e instanceof DigestMismatchError) ctx.blobs.delete(req.digest);
    });
    let put: PutResult;
    if (stored) {
      // Already in the blob store, under its verified digest, and held since before this check.
      if (!(await blobs.has(req.digest))) {
        throw new RegistryError(
          "upload-incomplete",
          `Cannot publish ${ref}: its blob ${req.digest} is no longer stored; upload it again`,
          { digest: req.digest },
        );
      }
      put = { digest: req.digest, size: (req.body as Uint8Array).length, created: false };
    } else {
      try {
        put = await blobs.put(source, { digest: req.digest, maxSize: max });
      } catch (e) {
        throw overLimit ? tooLarge(ref, max) : uploadError(e, ref, max);
      }
    }
    created = put.created;
    let bytes = await received;

    const decoded = await decode(decoding, ref);
    if (back !== undefined) bytes = back; // moved to the decoder thread and back
    const release = checkDomain(decoded, req, ref);
    const prepared = decoded.derived!;
    if (prepared.tooLarge !== undefined) throw documentTooLarge(ctx, ref, prepared.tooLarge);

    const commit = () =>
      metadata.withLock(`package:${pkg}`, async () => {
        const detail = await metadata.getPackage(req.name);
        const versions = detail?.versions ?? [];
        const same = versions.find((v) => sameVersion(v.version, req.version));
        if (same !== undefined) throw versionExists(ref, same.version);
        if (detail !== undefined && detail.package.kind !== release.kind) {
          throw new RegistryError(
            "kind-mismatch",
            `Cannot publish ${ref}: the package holds ${
              kindText(detail.package.kind)
            }s and this is ${kindText(release.kind, true)}`,
            { package: pkg, packageKind: detail.package.kind, kind: release.kind },
          );
        }
        const compat = await gate(
          ctx,
          ref,
          req.version,
          release,
          versions,
          req.upstream === undefined,
        );
        // The document was derived and measured in the decoder's thread; only the report of
        // the compatibility gate is added here (`compat` was null there).
        const derived = prepared;
        const compatBytes = JSON.stringify(compat).length - "null".length;
        if (derived.documentBytes + compatBytes > ctx.limits.maxDocumentBytes) {
          throw documentTooLarge(ctx, ref, derived.documentBytes + compatBytes);
        }
        derived.document.compat = compat;
        const ns = await metadata.getNamespace(req.name.namespace);
        const owner = req.authorize(ns);
        if (ns === undefined) {
          if (req.upstream === undefined) refuseReserved(ctx, req.name.namespace, ref);
          const claim = await metadata.claimNamespace(req.name.namespace, owner);
          if (!claim.claimed) req.authorize(claim.namespace);
        }
        if (!hold.intact) {
          // The hold lapsed with a lost connection: the bytes may have been deleted meanwhile.
          await hold.release();
          hold = await metadata.holdDigest(put.digest);
          await ensureBlob(ctx.storage, put.digest, bytes);
        }
        // Again under the lock: a key revoked (or a policy set) since the first check counts.
        const signature = await checkSignature();
        const highest = !isPrerelease(req.version) &&
          versions.every((v) =>
            isPrerelease(v.version) || compareVersions(v.version, req.version) < 0
          );
        const committedRecord = await metadata.commitVersion({
          name: req.name,
          version: req.version,
          kind: release.kind,
          digest: put.digest,
          size: put.size,
          publisher: owner,
          description: highest || detail === undefined ? derived.description : undefined,
          document: derived.document as unknown as VersionRecord["document"],
          searchRows: derived.searchRows,
          oci: req.oci,
          basedOn: versions.map((v) => v.version),
          signature,
        });
        // Lapsed between the check above and the commit: the version is referenced now, so no
        // deletion can start any more; put back what one may have removed.
        if (!hold.intact) await ensureBlob(ctx.storage, put.digest, bytes);
        ctx.releases.set(put.digest, { ...release, digest: put.digest });
        ctx.blobs.set(put.digest, bytes);
        return committedRecord;
      });
    let record: VersionRecord | undefined;
    for (let attempt = 1; record === undefined; attempt++) {
      try {
        record = await commit();
      } catch (e) {
        if (!isStorageError(e, "stale") || attempt === 3) throw e;
      }
    }
    committed = true;
    // The release's entry was appended by the commit; the answer waits for the signed checkpoint
    // that includes it, so its proof can be fetched at once.
    await integrateQuietly(ctx);
    return record;
  } finally {
    // After a commit the version references the bytes, so the hold may end in the background; a
    // refused publish ends it first, so that its own hold does not keep the cleanup away.
    if (committed) hold.release().catch(() => {});
    else {
      await hold.release().catch(() => {});
      if (created) await cleanup(ctx, req.digest);
    }
  }
}

function documentTooLarge(ctx: Context, ref: string, size: number): RegistryError {
  return new RegistryError(
    "document-too-large",
    `Cannot publish ${ref}: its version document (WIT text, doc comments, metadata, composition record) has ${size} bytes, more than the limit of ${ctx.limits.maxDocumentBytes}`,
    { size, limit: ctx.limits.maxDocumentBytes },
  );
}

/**
 * A reserved namespace (`wasi`, and `AppOptions.reservedNamespaces`) is never claimed by a first
 * publish: an admin creates it for its owners (`PUT /api/v1/namespaces/{namespace}`).
 */
function refuseReserved(ctx: Context, namespace: string, ref: string): void {
  if (!ctx.reservedNamespaces.has(namespace)) return;
  throw new RegistryError(
    "namespace-reserved",
    `Cannot publish ${ref}: namespace "${namespace}" is reserved, and nobody has been given it yet`,
    { namespace },
  );
}

function kindText(kind: string, article = false): string {
  const text = kind === "wit-package" ? "WIT package" : kind;
  return article ? `a ${text}` : text;
}

function tooLarge(ref: string, limit: number, size?: number): RegistryError {
  return new RegistryError(
    "payload-too-large",
    `Cannot publish ${ref}: the body ${
      size === undefined ? "is larger than" : `has ${size} bytes, more than`
    } the limit of ${limit} bytes`,
    size === undefined ? { limit } : { limit, size },
  );
}

/**
 * `version-exists`: `existing` is published and is the same version as the one asked for (equal,
 * or differing only in build metadata, which semver ignores when ordering versions).
 */
function versionExists(ref: string, existing: Version): RegistryError {
  const [, asked] = ref.split("@");
  if (asked !== existing) {
    return new RegistryError(
      "version-exists",
      `Cannot publish ${ref}: version ${existing} is already published, and versions that differ only in build metadata are the same version`,
      { version: ref, existing },
    );
  }
  return new RegistryError(
    "version-exists",
    `Cannot publish ${ref}: that version is already published`,
    { version: ref },
  );
}

function uploadError(e: unknown, ref: string, max: number): unknown {
  if (e instanceof Error && "code" in e) {
    const code = (e as { code: string }).code;
    if (code === "too-large") return tooLarge(ref, max);
    if (code === "digest-mismatch") {
      const details = (e as { details?: Record<string, unknown> }).details ?? {};
      return new RegistryError(
        "digest-mismatch",
        `Cannot publish ${ref}: the bytes hash to "${details.actual}", not the declared "${details.expected}"`,
        details,
      );
    }
    if (code === "aborted") {
      return new RegistryError(
        "upload-incomplete",
        `Cannot publish ${ref}: the upload ended before its end (${e.message})`,
      );
    }
  }
  return e;
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function decode(
  decoding: Promise<DecodedWithDocument>,
  ref: string,
): Promise<DecodedWithDocument> {
  try {
    return await decoding;
  } catch (e) {
    if (e instanceof DigestMismatchError) {
      // Bytes read back from the blob store that no longer hash to their name: a damaged store.
      throw new Error(`Cannot publish ${ref}: the stored blob ${e.expected} hashes to ${e.actual}`);
    }
    if (e instanceof ComponentDecodeError) {
      throw new RegistryError(
        "invalid-component",
        `Cannot publish ${ref}: ${e.message[0].toLowerCase()}${e.message.slice(1)}`,
        { decodeError: e.code, offset: e.offset },
      );
    }
    throw e;
  }
}

function checkDomain(decoded: Decoded, req: PublishRequest, ref: string): Release {
  if (decoded.kind === "module") {
    throw new RegistryError(
      "kind-not-allowed",
      `Cannot publish ${ref}: the bytes are a core WebAssembly module, not a component`,
      { kind: "module" },
    );
  }
  if (decoded.kind === "wit-package") {
    const declared = decoded.resolve.packages[decoded.package!].name;
    const text = `${declared.namespace}:${declared.name}${
      declared.version === undefined ? "" : `@${declared.version}`
    }`;
    if (
      declared.namespace !== req.name.namespace || declared.name !== req.name.name ||
      declared.version !== req.version
    ) {
      throw new RegistryError(
        "package-mismatch",
        `Cannot publish ${ref}: the WIT package declares itself as ${text}${
          declared.version === undefined ? " (without a version)" : ""
        }`,
        { declared: text, published: ref },
      );
    }
    return { kind: "wit-package", resolve: decoded.resolve, package: decoded.package! };
  }
  return { kind: "component", resolve: decoded.resolve, world: decoded.world! };
}

/**
 * The compatibility gate: the new release must be a compatible successor of every earlier version
 * of its series and a compatible predecessor of every later one. Returns the report against the
 * version just below (of any series) for the version document.
 */
async function gate(
  ctx: Context,
  ref: string,
  version: Version,
  release: Release,
  versions: readonly VersionSummary[],
  refuse = true,
): Promise<CompatDoc | null> {
  const byVersion = new Map(versions.map((v) => [v.version as string, v]));
  const failures: GateFailure[] = [];
  const reports = new Map<string, CompatReport>();
  for (const pair of gatePairs(version, versions)) {
    const earlier = pair.new === version;
    const other = earlier ? pair.old : pair.new;
    const published = await ctx.release(byVersion.get(other)!.digest);
    const r = earlier ? compareReleases(published, release) : compareReleases(release, published);
    if (earlier) reports.set(other, r);
    if (!r.compatible) {
      failures.push({
        against: other,
        relation: earlier ? "earlier" : "later",
        compatible: false,
        bump: r.bump,
        changes: r.changes.filter((c) => c.breaking),
      });
    }
  }
  if (failures.length > 0 && refuse) {
    const highest = versions.filter((v) => !isPrerelease(v.version)).map((v) => v.version).sort(
      compareVersions,
    ).at(-1) ?? version;
    const required = nextSeries(compareVersions(highest, version) > 0 ? highest : version);
    const breaking = failures.flatMap((f) => f.changes.filter((c) => c.breaking));
    const shown = breaking.slice(0, 3).map((c) => `${c.kind} ${c.path}`).join("; ");
    const more = breaking.length > 3 ? `; ${breaking.length - 3} more` : "";
    throw new RegistryError(
      "incompatible-change",
      `Cannot publish ${ref}: it is incompatible with ${
        failures.map((f) => f.against).join(", ")
      } of series ${
        seriesOf(version)
      } (${shown}${more}); a breaking change needs a new series such as ${required}`,
      {
        version: ref,
        series: seriesOf(version),
        bump: "major",
        requiredVersion: required,
        failures,
      } as unknown as Record<string, unknown>,
    );
  }
  const previous = versions.filter((v) => compareVersions(v.version, version) < 0).sort((a, b) =>
    compareVersions(a.version, b.version)
  ).at(-1);
  if (previous === undefined) return null;
  const report = reports.get(previous.version) ??
    compareReleases(await ctx.release(previous.digest), release);
  return { against: previous.version, ...report };
}

/** Stores the bytes again when a deletion removed them (the caller holds the digest). */
async function ensureBlob(storage: Storage, digest: Digest, bytes: Uint8Array): Promise<void> {
  if (!(await storage.blobs.has(digest))) await storage.blobs.put(bytes, { digest });
}

/**
 * Deletes the blob of a refused publish unless a version references it or a publish (in any
 * process) holds it; a publish that starts holding it meanwhile waits until this is done and then
 * stores it again.
 */
async function cleanup(ctx: Context, digest: Digest): Promise<void> {
  const { metadata, blobs } = ctx.storage;
  try {
    await metadata.ifDigestUnheld(digest, async () => {
      if (await metadata.isDigestReferenced(digest)) return;
      ctx.blobs.delete(digest);
      await blobs.delete(digest);
    });
  } catch (e) {
    ctx.onServerError(e, new Request("http://cleanup/"), "cleanup");
  }
}
