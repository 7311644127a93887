/**
 * `composeFromLock`: a project's component composed with its dependency tree as `wreg.lock`
 * resolved it. The lock's component packages are the plugs; `lock.fills` chooses, per
 * dependency, which package fills which import; the project's own choices (`wreg.json` `fills`)
 * choose for the root. Imports in the `wasi` namespace stay imports of the result by default.
 * The bytes come from a loader by digest (the CLI plugs in its content-addressed cache) and are
 * checked against the digest.
 */
import { type Digest, digestOf } from "../names/mod.ts";
import { ComposeError } from "./_error.ts";
import type { EncodeOptions } from "./_encode.ts";
import { plug, type PlugInput, type PlugResult } from "./_plug.ts";
import { versionedName } from "./_match.ts";

/** The parts of `wreg.lock` composition reads (lib/package's `Lock` has this shape). */
export interface LockView {
  readonly packages: Readonly<
    Record<string, { readonly version: string; readonly kind: string; readonly digest: string }>
  >;
  readonly fills: Readonly<
    Record<
      string,
      Readonly<
        Record<
          string,
          { readonly package: string; readonly version: string; readonly digest: string }
        >
      >
    >
  >;
}

/** Input of {@link composeFromLock}. */
export interface ComposeFromLockInput {
  /** The project's own component. */
  root: PlugInput;
  lock: LockView;
  /** Loads a locked component's bytes by digest (from the CLI's cache). */
  load: (digest: Digest) => Promise<Uint8Array>;
  /** The project's choices for its own imports: interface (with or without version) → package. */
  rootFills?: Readonly<Record<string, string>>;
  /** Imports never filled (left to the host). Default: interfaces in the `wasi` namespace. */
  leaveToHost?: (importName: string) => boolean;
  encode?: EncodeOptions;
}

const wasi = (name: string) => name.startsWith("wasi:");

function choiceFor(
  fills: Readonly<Record<string, string>> | undefined,
  importName: string,
): string | undefined {
  if (fills === undefined) return undefined;
  if (Object.hasOwn(fills, importName)) return fills[importName];
  const base = versionedName(importName)?.base;
  return base !== undefined && Object.hasOwn(fills, base) ? fills[base] : undefined;
}

/**
 * Composes `input.root` with the component packages of the lock.
 *
 * @throws {ComposeError} `missing-component` when a blob cannot be loaded or does not match its
 *   digest, and the errors of {@link plug} (a lock package that fills nothing is allowed).
 */
export async function composeFromLock(input: ComposeFromLockInput): Promise<PlugResult> {
  const plugs: PlugInput[] = [];
  for (const name of Object.keys(input.lock.packages).sort()) {
    const p = input.lock.packages[name];
    if (p.kind !== "component") continue;
    let bytes: Uint8Array;
    try {
      bytes = await input.load(p.digest as Digest);
    } catch (e) {
      throw new ComposeError(
        "missing-component",
        `cannot load ${name}@${p.version} (${p.digest}): ${(e as Error).message}`,
      );
    }
    const actual = await digestOf(bytes);
    if (actual !== p.digest) {
      throw new ComposeError(
        "missing-component",
        `the bytes loaded for ${name}@${p.version} have digest ${actual}, but the lock says ${p.digest}`,
      );
    }
    plugs.push({ bytes, label: `${name}@${p.version}`, package: name, version: p.version });
  }
  return plug(input.root, plugs, {
    leaveToHost: input.leaveToHost ?? wasi,
    allowUnusedPlugs: true,
    encode: input.encode,
    choose: (consumer, importName) => {
      if (consumer.role === "socket") return choiceFor(input.rootFills, importName);
      const pkg = consumer.package;
      if (pkg === undefined || !Object.hasOwn(input.lock.fills, pkg)) return undefined;
      const f = input.lock.fills[pkg];
      return Object.hasOwn(f, importName) ? f[importName].package : undefined;
    },
  });
}
