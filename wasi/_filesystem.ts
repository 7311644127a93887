/**
 * `wasi:filesystem` on Deno's synchronous file APIs, confined twice: to the directories the
 * host granted (`preopens`; a path never leads out of the descriptor it is resolved against, by
 * `..` or by a symbolic link), and to Deno's permissions, which are asked before every access
 * (`Deno.permissions.querySync`) so that a denial is the WASI error `access` inside the
 * component, never a prompt or an exception in the host.
 */
import { register, type WasiContext } from "./_context.ts";
import { type Datetime, datetimeOf } from "./_cli.ts";
import { failed, InputStream, type IoError, OutputStream, readyPollable } from "./_io.ts";

/** `descriptor-flags`. */
export interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

type NewTimestamp = { tag: "no-change" } | { tag: "now" } | { tag: "timestamp"; val: Datetime };

/** A `wasi:filesystem/types.error-code`, thrown as the `err` of a `result`. */
export type ErrorCode = string;

const CODES: Record<string, ErrorCode> = {
  ENOENT: "no-entry",
  EEXIST: "exist",
  EACCES: "access",
  EPERM: "not-permitted",
  EISDIR: "is-directory",
  ENOTDIR: "not-directory",
  ENOTEMPTY: "not-empty",
  EXDEV: "cross-device",
  ENAMETOOLONG: "name-too-long",
  EINVAL: "invalid",
  ELOOP: "loop",
  ENOSPC: "insufficient-space",
  EROFS: "read-only",
  EBADF: "bad-descriptor",
  EMLINK: "too-many-links",
  EFBIG: "file-too-large",
  ETXTBSY: "text-file-busy",
  ESPIPE: "invalid-seek",
  EBUSY: "busy",
  EINTR: "interrupted",
  EAGAIN: "would-block",
  ENOMEM: "insufficient-memory",
  EDQUOT: "quota",
  EPIPE: "pipe",
  EOVERFLOW: "overflow",
  ENOTSUP: "unsupported",
  EOPNOTSUPP: "unsupported",
  ENXIO: "no-such-device",
  ENODEV: "no-device",
  EILSEQ: "illegal-byte-sequence",
  EIO: "io",
};

/** The WASI error code of an error thrown by a Deno file API. */
export function codeOf(e: unknown): ErrorCode {
  if (typeof e === "string") return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && CODES[code] !== undefined) return CODES[code];
  if (e instanceof Deno.errors.NotFound) return "no-entry";
  if (e instanceof Deno.errors.AlreadyExists) return "exist";
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    return "access";
  }
  if (e instanceof Deno.errors.IsADirectory) return "is-directory";
  if (e instanceof Deno.errors.NotADirectory) return "not-directory";
  if (e instanceof Deno.errors.FilesystemLoop) return "loop";
  if (e instanceof Deno.errors.Busy) return "busy";
  if (e instanceof Deno.errors.Interrupted) return "interrupted";
  return "io";
}

/** Runs a file operation, turning what Deno throws into an error code. */
function fs<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw codeOf(e);
  }
}

/** Asks Deno (never prompting) whether the program may read or write `path`. */
function need(kind: "read" | "write", path: string): void {
  let state: string;
  try {
    state = Deno.permissions.querySync({ name: kind, path }).state;
  } catch {
    throw "access";
  }
  if (state !== "granted") throw "access";
}

function typeOf(info: Deno.FileInfo | Deno.DirEntry): string {
  if (info.isFile) return "regular-file";
  if (info.isDirectory) return "directory";
  if (info.isSymlink) return "symbolic-link";
  const i = info as Deno.FileInfo;
  if (i.isBlockDevice) return "block-device";
  if (i.isCharDevice) return "character-device";
  if (i.isFifo) return "fifo";
  if (i.isSocket) return "socket";
  return "unknown";
}

function timestamp(d: Date | null): Datetime | undefined {
  return d === null ? undefined : datetimeOf(d.getTime());
}

function statOf(info: Deno.FileInfo) {
  return {
    type: typeOf(info),
    linkCount: BigInt(info.nlink ?? 1),
    size: BigInt(info.size),
    dataAccessTimestamp: timestamp(info.atime),
    dataModificationTimestamp: timestamp(info.mtime),
    statusChangeTimestamp: timestamp(info.ctime ?? null),
  };
}

function hashOf(info: Deno.FileInfo) {
  return { lower: BigInt(info.ino ?? 0), upper: BigInt(info.dev ?? 0) };
}

function timeOf(t: NewTimestamp, current: Date | null): Date {
  if (t.tag === "now") return new Date();
  if (t.tag === "timestamp") {
    return new Date(Number(t.val.seconds) * 1000 + Math.floor(t.val.nanoseconds / 1e6));
  }
  return current ?? new Date();
}

/** `wasi:filesystem/types.descriptor`: an open directory or file. */
export class Descriptor {
  #file: Deno.FsFile | undefined;
  #refs = 1;
  constructor(
    readonly ctx: WasiContext,
    /** The host path (as the host gave it, then joined with guest paths). */
    readonly path: string,
    readonly isDir: boolean,
    file: Deno.FsFile | undefined,
    readonly flags: DescriptorFlags,
  ) {
    this.#file = file;
  }

  /**
   * The host path of `rel` inside this directory, resolved component by component the way a
   * capability-based host does: `..` may not climb above the directory, a symbolic link on the
   * way (and the last component's, when `follow`) is replaced by its target, which must be
   * relative and stay inside too. Whatever does not exist yet is taken as written.
   */
  resolve(rel: string, follow: boolean): string {
    if (!this.isDir) throw "not-directory";
    if (typeof rel !== "string" || rel.includes("\0")) throw "invalid";
    if (rel.startsWith("/")) throw "not-permitted";
    const todo = rel.split("/");
    const cur: string[] = [];
    let links = 0;
    let missing = false;
    while (todo.length > 0) {
      const c = todo.shift()!;
      if (c === "" || c === ".") continue;
      if (c === "..") {
        if (cur.length === 0) throw "not-permitted";
        cur.pop();
        continue;
      }
      const last = !todo.some((x) => x !== "" && x !== ".");
      if (!missing && (!last || follow)) {
        const here = `${this.path}/${[...cur, c].join("/")}`;
        need("read", here);
        let info: Deno.FileInfo | undefined;
        try {
          info = Deno.lstatSync(here);
        } catch (e) {
          const code = codeOf(e);
          if (code !== "no-entry" && code !== "not-directory") throw code;
          missing = true;
        }
        if (info?.isSymlink) {
          if (++links > 40) throw "loop";
          const target = fs(() => Deno.readLinkSync(here));
          if (target.startsWith("/")) throw "not-permitted";
          todo.unshift(...target.split("/"));
          continue;
        }
      }
      cur.push(c);
    }
    return cur.length === 0 ? this.path : `${this.path}/${cur.join("/")}`;
  }

  #needDir(): void {
    if (!this.isDir) throw "not-directory";
  }

  #needMutate(): void {
    this.#needDir();
    if (!this.flags.mutateDirectory) throw "not-permitted";
  }

  #f(): Deno.FsFile {
    if (this.isDir || this.#file === undefined) throw "is-directory";
    return this.#file;
  }

  readViaStream(offset: bigint): InputStream {
    if (!this.flags.read) throw "bad-descriptor";
    const f = this.#f();
    let pos = offset;
    this.#refs++;
    return new InputStream({
      read: (n) => {
        try {
          f.seekSync(pos, Deno.SeekMode.Start);
          const buf = new Uint8Array(n);
          const got = f.readSync(buf);
          if (got === null || got === 0) return undefined;
          pos += BigInt(got);
          return buf.subarray(0, got);
        } catch (e) {
          throw failed(String(e), codeOf(e));
        }
      },
      subscribe: readyPollable,
      close: () => this.#release(),
    });
  }

  writeViaStream(offset: bigint): OutputStream {
    return this.#writer(offset);
  }

  appendViaStream(): OutputStream {
    return this.#writer(undefined);
  }

  #writer(offset: bigint | undefined): OutputStream {
    if (!this.flags.write) throw "bad-descriptor";
    const f = this.#f();
    let pos = offset;
    this.#refs++;
    return new OutputStream({
      write: (bytes) => {
        try {
          if (pos === undefined) f.seekSync(0, Deno.SeekMode.End);
          else f.seekSync(pos, Deno.SeekMode.Start);
          let off = 0;
          while (off < bytes.length) off += f.writeSync(bytes.subarray(off));
          if (pos !== undefined) pos += BigInt(bytes.length);
        } catch (e) {
          throw failed(String(e), codeOf(e));
        }
      },
      close: () => this.#release(),
    });
  }

  advise(_offset: bigint, _length: bigint, _advice: string): void {
    this.#f();
  }

  syncData(): void {
    if (this.isDir) return;
    fs(() => this.#f().syncDataSync());
  }

  sync(): void {
    if (this.isDir) return;
    fs(() => this.#f().syncSync());
  }

  getFlags(): DescriptorFlags {
    return { ...this.flags };
  }

  getType(): string {
    return this.isDir ? "directory" : typeOf(fs(() => this.#f().statSync()));
  }

  setSize(size: bigint): void {
    if (!this.flags.write) throw "bad-descriptor";
    fs(() => this.#f().truncateSync(Number(size)));
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    const info = this.stat0();
    const a = timeOf(atime, info.atime), m = timeOf(mtime, info.mtime);
    if (this.isDir) {
      need("write", this.path);
      fs(() => Deno.utimeSync(this.path, a, m));
    } else fs(() => this.#f().utimeSync(a, m));
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    if (!this.flags.read) throw "bad-descriptor";
    const f = this.#f();
    const n = length > 1n << 26n ? 1 << 26 : Number(length);
    const buf = new Uint8Array(n);
    let got = 0;
    fs(() => {
      f.seekSync(offset, Deno.SeekMode.Start);
      while (got < n) {
        const r = f.readSync(buf.subarray(got));
        if (r === null || r === 0) break;
        got += r;
      }
    });
    return [buf.slice(0, got), got < n];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    if (!this.flags.write) throw "bad-descriptor";
    const f = this.#f();
    fs(() => {
      f.seekSync(offset, Deno.SeekMode.Start);
      let off = 0;
      while (off < buffer.length) off += f.writeSync(buffer.subarray(off));
    });
    return BigInt(buffer.length);
  }

  readDirectory(): DirectoryEntryStream {
    this.#needDir();
    need("read", this.path);
    const entries = fs(() => [...Deno.readDirSync(this.path)]);
    return new DirectoryEntryStream(entries);
  }

  createDirectoryAt(path: string): void {
    this.#needMutate();
    const full = this.resolve(path, false);
    need("write", full);
    fs(() => Deno.mkdirSync(full));
  }

  stat0(): Deno.FileInfo {
    if (this.isDir) {
      need("read", this.path);
      return fs(() => Deno.statSync(this.path));
    }
    return fs(() => this.#f().statSync());
  }

  stat() {
    return statOf(this.stat0());
  }

  statAt(pathFlags: { symlinkFollow?: boolean }, path: string) {
    const follow = pathFlags?.symlinkFollow === true;
    const full = this.resolve(path, follow);
    need("read", full);
    return statOf(fs(() => follow ? Deno.statSync(full) : Deno.lstatSync(full)));
  }

  setTimesAt(
    pathFlags: { symlinkFollow?: boolean },
    path: string,
    atime: NewTimestamp,
    mtime: NewTimestamp,
  ): void {
    const full = this.resolve(path, pathFlags?.symlinkFollow === true);
    need("write", full);
    const info = fs(() => Deno.statSync(full));
    fs(() => Deno.utimeSync(full, timeOf(atime, info.atime), timeOf(mtime, info.mtime)));
  }

  linkAt(
    oldPathFlags: { symlinkFollow?: boolean },
    oldPath: string,
    newDescriptor: Descriptor,
    newPath: string,
  ): void {
    this.#needMutate();
    if (!(newDescriptor instanceof Descriptor)) throw "bad-descriptor";
    newDescriptor.#needMutate();
    const from = this.resolve(oldPath, oldPathFlags?.symlinkFollow === true);
    const to = newDescriptor.resolve(newPath, false);
    need("read", from);
    need("write", to);
    fs(() => Deno.linkSync(from, to));
  }

  openAt(
    pathFlags: { symlinkFollow?: boolean },
    path: string,
    openFlags: { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean },
    flags: DescriptorFlags,
  ): Descriptor {
    this.#needDir();
    const follow = pathFlags?.symlinkFollow === true;
    const o = openFlags ?? {};
    const f = flags ?? {};
    const writes = f.write === true || o.create === true || o.truncate === true;
    if ((writes || f.mutateDirectory) && !this.flags.mutateDirectory) throw "not-permitted";
    const full = this.resolve(path, follow);
    need("read", full);
    if (writes) need("write", full);
    let info: Deno.FileInfo | undefined;
    try {
      info = follow ? Deno.statSync(full) : Deno.lstatSync(full);
    } catch (e) {
      const code = codeOf(e);
      if (code !== "no-entry") throw code;
    }
    if (info !== undefined) {
      if (o.create && o.exclusive) throw "exist";
      if (info.isSymlink) throw "loop";
      if (info.isDirectory) {
        if (f.write || o.truncate) throw "is-directory";
        return new Descriptor(this.ctx, full, true, undefined, {
          read: f.read,
          mutateDirectory: f.mutateDirectory === true && this.flags.mutateDirectory,
        });
      }
      if (o.directory) throw "not-directory";
    } else {
      if (!o.create) throw "no-entry";
      if (o.directory) throw "invalid";
    }
    const file = fs(() =>
      Deno.openSync(full, {
        read: f.read === true || !writes,
        write: writes,
        create: o.create === true,
        createNew: o.create === true && o.exclusive === true,
        truncate: o.truncate === true,
      })
    );
    return new Descriptor(this.ctx, full, false, file, {
      read: f.read === true,
      write: f.write === true,
      fileIntegritySync: f.fileIntegritySync,
      dataIntegritySync: f.dataIntegritySync,
      requestedWriteSync: f.requestedWriteSync,
    });
  }

  readlinkAt(path: string): string {
    const full = this.resolve(path, false);
    need("read", full);
    return fs(() => Deno.readLinkSync(full));
  }

  removeDirectoryAt(path: string): void {
    this.#needMutate();
    const full = this.resolve(path, false);
    need("write", full);
    const info = fs(() => Deno.lstatSync(full));
    if (!info.isDirectory) throw "not-directory";
    fs(() => Deno.removeSync(full));
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    this.#needMutate();
    if (!(newDescriptor instanceof Descriptor)) throw "bad-descriptor";
    newDescriptor.#needMutate();
    const from = this.resolve(oldPath, false);
    const to = newDescriptor.resolve(newPath, false);
    need("write", from);
    need("write", to);
    fs(() => Deno.renameSync(from, to));
  }

  symlinkAt(oldPath: string, newPath: string): void {
    this.#needMutate();
    if (oldPath.startsWith("/")) throw "not-permitted";
    const full = this.resolve(newPath, false);
    need("write", full);
    fs(() => Deno.symlinkSync(oldPath, full));
  }

  unlinkFileAt(path: string): void {
    this.#needMutate();
    const full = this.resolve(path, false);
    need("write", full);
    const info = fs(() => Deno.lstatSync(full));
    if (info.isDirectory) throw "is-directory";
    fs(() => Deno.removeSync(full));
  }

  isSameObject(other: Descriptor): boolean {
    if (!(other instanceof Descriptor)) return false;
    if (other === this) return true;
    try {
      const a = this.stat0(), b = other.stat0();
      return a.ino !== null && a.ino === b.ino && a.dev === b.dev;
    } catch {
      return false;
    }
  }

  metadataHash() {
    return hashOf(this.stat0());
  }

  metadataHashAt(pathFlags: { symlinkFollow?: boolean }, path: string) {
    const follow = pathFlags?.symlinkFollow === true;
    const full = this.resolve(path, follow);
    need("read", full);
    return hashOf(fs(() => follow ? Deno.statSync(full) : Deno.lstatSync(full)));
  }

  #release(): void {
    if (--this.#refs === 0 && this.#file !== undefined) {
      try {
        this.#file.close();
      } catch { /* closed already */ }
      this.#file = undefined;
    }
  }

  [Symbol.dispose](): void {
    this.#release();
  }
}

/** `wasi:filesystem/types.directory-entry-stream`. */
export class DirectoryEntryStream {
  #i = 0;
  constructor(readonly entries: Deno.DirEntry[]) {}
  readDirectoryEntry(): { type: string; name: string } | undefined {
    const e = this.entries[this.#i++];
    return e === undefined ? undefined : { type: typeOf(e), name: e.name };
  }
  [Symbol.dispose](): void {}
}

function preopened(ctx: WasiContext): [Descriptor, string][] {
  const key = "filesystem.preopens";
  let list = ctx.state.get(key) as [Descriptor, string][] | undefined;
  if (list === undefined) {
    list = ctx.preopens().map((p) => [
      new Descriptor(ctx, p.host.replace(/(.)\/+$/, "$1"), true, undefined, {
        read: true,
        mutateDirectory: !p.readonly,
      }),
      p.guest,
    ]);
    ctx.state.set(key, list);
  }
  return list;
}

register({
  "wasi:filesystem/types": () => ({
    Descriptor,
    DirectoryEntryStream,
    filesystemErrorCode: (err: IoError) => err?.filesystemCode,
  }),
  "wasi:filesystem/preopens": (ctx) => ({
    getDirectories: () => preopened(ctx).map(([d, guest]) => [d, guest]),
  }),
});
