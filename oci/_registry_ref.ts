/**
 * How wreg names an OCI registry: `oci://host[:port][/prefix/]`. The host is where the
 * distribution API (`/v2/`) is served; the prefix is prepended to `<namespace>/<name>` to make
 * the repository of a package, as wasm-pkg's `namespacePrefix` is:
 *
 * ```
 * oci://ghcr.io/webassembly/   +  wasi:cli  →  ghcr.io/webassembly/wasi/cli:<version>
 * ```
 *
 * The scheme spoken is HTTPS, except plain HTTP for loopback hosts (`localhost`, `127.0.0.0/8`,
 * `[::1]`), as wkg does for discovery.
 */
import { checkNamespacePrefix } from "../lib/oci/mod.ts";
import { isLoopbackHost } from "./_body.ts";
import { OciClientError } from "./_errors.ts";

/** An OCI registry and the repository prefix of its packages. */
export interface OciRegistryRef {
  /** `host[:port]`, lower case, as it appears in image references. */
  readonly host: string;
  /** The repository prefix: empty, or path segments ending in `/` (`webassembly/`). */
  readonly prefix: string;
  /** `https:`, or `http:` for a loopback host. */
  readonly protocol: "http:" | "https:";
}

const MAX_REF = 1024;

/** The scheme a host is spoken to with: `http:` for loopback, `https:` otherwise. */
export function protocolFor(host: string): "http:" | "https:" {
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return isLoopbackHost(hostname) ? "http:" : "https:";
}

/**
 * Checks a repository prefix (`webassembly/`, or empty) and gives it its trailing `/` (wkg
 * concatenates the prefix as it is; a prefix without its `/` is taken to mean one).
 *
 * @throws {OciClientError} (`invalid`) when a segment is not a valid OCI path component.
 */
export function normalizePrefix(prefix: string, where: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "";
  try {
    return checkNamespacePrefix(`${trimmed}/`);
  } catch {
    throw new OciClientError(
      "invalid",
      `Invalid repository prefix ${JSON.stringify(prefix)} in ${where}: expected lowercase ` +
        `repository components separated by "/"`,
    );
  }
}

/**
 * Checks a `host[:port]` registry host and returns it in lower case.
 *
 * @throws {OciClientError} (`invalid`) when it is not one.
 */
export function normalizeHost(host: string, where: string): string {
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    throw new OciClientError(
      "invalid",
      `Invalid registry host ${JSON.stringify(host)} in ${where}`,
    );
  }
  if (
    url.host === "" || url.username !== "" || url.password !== "" || url.pathname !== "/" ||
    url.search !== "" || url.hash !== "" || url.host !== host.toLowerCase()
  ) {
    throw new OciClientError(
      "invalid",
      `Invalid registry host ${JSON.stringify(host)} in ${where}`,
    );
  }
  return url.host;
}

/**
 * Parses `oci://host[:port][/prefix/]`.
 *
 * @throws {OciClientError} (`invalid`) naming what is wrong.
 *
 * @example
 * ```ts
 * import { parseOciRegistry } from "./mod.ts";
 * const r = parseOciRegistry("oci://127.0.0.1:5000/webassembly");
 * console.assert(r.host === "127.0.0.1:5000" && r.prefix === "webassembly/");
 * console.assert(r.protocol === "http:");
 * ```
 */
export function parseOciRegistry(text: string): OciRegistryRef {
  const t = text.trim();
  if (t.length > MAX_REF || !t.toLowerCase().startsWith("oci://")) {
    throw new OciClientError(
      "invalid",
      `Invalid OCI registry ${
        JSON.stringify(text.slice(0, 100))
      }: expected oci://host[:port]/prefix/`,
    );
  }
  const rest = t.slice("oci://".length);
  const slash = rest.indexOf("/");
  const hostPart = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash);
  if (/[?#@]/.test(rest)) {
    throw new OciClientError(
      "invalid",
      `Invalid OCI registry ${JSON.stringify(text)}: no credentials, query or fragment`,
    );
  }
  const host = normalizeHost(hostPart, JSON.stringify(text));
  return { host, prefix: normalizePrefix(path, JSON.stringify(text)), protocol: protocolFor(host) };
}

/** Whether a text names an OCI registry (`oci://…`). */
export function isOciRegistry(text: string): boolean {
  return text.trim().toLowerCase().startsWith("oci://");
}

/** The one form wreg writes and compares: `oci://host[:port]/prefix/` (`oci://host/` without). */
export function formatOciRegistry(ref: { host: string; prefix: string }): string {
  return `oci://${ref.host}/${ref.prefix}`;
}
