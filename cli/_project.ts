/**
 * The project in the folder wreg runs in: its `wreg.json` (optional: a project that only uses
 * packages needs none until `wreg add` writes it) and `wreg.lock`, read and written atomically.
 */
import { CliError, EXIT } from "./_command.ts";
import { joinPath, readTextIfExists, writeFileAtomic } from "./_fs.ts";
import {
  type Lock,
  LockError,
  type Manifest,
  ManifestError,
  parseLock,
  parseManifest,
  printLock,
  printManifest,
} from "../lib/package/mod.ts";

/** File names of the project files. */
export const MANIFEST_FILE = "wreg.json";
export const LOCK_FILE = "wreg.lock";

/** A project folder and what it holds. */
export interface Project {
  /** The folder (absolute). */
  dir: string;
  /** `wreg.json` as read (empty when there is no file). */
  manifest: Manifest;
  /** Whether `wreg.json` exists. */
  hasManifest: boolean;
  /** The text of `wreg.json` as read, to tell whether a write changes it. */
  manifestText?: string;
  /** `wreg.lock` as read. */
  lock?: Lock;
  lockText?: string;
}

/** Reads the project in `dir`. Bad files are usage errors naming the file and the JSON path. */
export async function loadProject(dir: string): Promise<Project> {
  const manifestText = await readTextIfExists(joinPath(dir, MANIFEST_FILE));
  let manifest: Manifest = {};
  if (manifestText !== undefined) {
    try {
      manifest = parseManifest(manifestText);
    } catch (e) {
      if (e instanceof ManifestError) {
        throw new CliError(`Invalid ${MANIFEST_FILE}: ${e.message}`, EXIT.usage);
      }
      throw e;
    }
  }
  const lockText = await readTextIfExists(joinPath(dir, LOCK_FILE));
  const lock = lockText === undefined
    ? undefined
    : parseLockFile(lockText, LOCK_FILE, "; fix it, or delete it and run `wreg update`");
  return {
    dir,
    manifest,
    hasManifest: manifestText !== undefined,
    manifestText,
    lock,
    lockText,
  };
}

/** Parses the text of a lock file; a bad one is a usage error naming `file` (then `hint`). */
export function parseLockFile(text: string, file: string, hint = ""): Lock {
  try {
    return parseLock(text);
  } catch (e) {
    if (e instanceof LockError) {
      throw new CliError(`Invalid ${file}: ${e.message}${hint}`, EXIT.usage);
    }
    throw e;
  }
}

/** Writes `wreg.json` when its text changes; resolves to whether it was written. */
export async function saveManifest(project: Project, manifest: Manifest): Promise<boolean> {
  const text = printManifest(manifest);
  if (text === project.manifestText) return false;
  await writeFileAtomic(joinPath(project.dir, MANIFEST_FILE), text);
  project.manifestText = text;
  project.manifest = manifest;
  project.hasManifest = true;
  return true;
}

/** Writes `wreg.lock` when its text changes; resolves to whether it was written. */
export async function saveLock(project: Project, lock: Lock): Promise<boolean> {
  const text = printLock(lock);
  if (text === project.lockText) return false;
  await writeFileAtomic(joinPath(project.dir, LOCK_FILE), text);
  project.lockText = text;
  project.lock = lock;
  return true;
}
