/**
 * Finds the peer tools that tools/setup.mjs builds from source (tools/peers.json): the same search
 * in the same order, so a test runs exactly the binary the set-up built or accepted. A test that
 * needs a peer calls {@linkcode peerPath}, which throws with what to do when it is missing; under
 * `CI=true` that is a failure, never a skip.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** One entry of tools/peers.json. */
export interface PeerTool {
  /** The tool's name, as the tests ask for it. */
  name: string;
  /** The pinned version. */
  version: string;
  /**
   * How it is built: `cargo` (crates.io), `go` (the Go module proxy), or `go-src` (a folder of this
   * repository, its libraries from the Go module proxy).
   */
  kind: string;
  /** The binary's file name. */
  bin: string;
  /** Arguments that make it print its version. */
  versionArgs: string[];
}

const TABLE: PeerTool[] = (JSON.parse(
  Deno.readTextFileSync(new URL("./peers.json", import.meta.url)),
).tools as (PeerTool & { dir?: string })[]).map(withSourceVersion);

/**
 * A `go-src` tool is built from a folder of this repository; its version is `src-` and a hash of
 * the folder's go.mod, go.sum and .go files (the same hash as tools/setup.mjs).
 */
function withSourceVersion(tool: PeerTool & { dir?: string }): PeerTool {
  if (tool.kind !== "go-src" || !tool.dir) return tool;
  const dir = new URL(`../${tool.dir}/`, import.meta.url);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name)
    .filter((f) => f === "go.mod" || f === "go.sum" || f.endsWith(".go")).sort();
  const hash = createHash("sha256");
  for (const f of files) {
    hash.update(`${f}\0`).update(Deno.readFileSync(new URL(f, dir))).update("\0");
  }
  return { ...tool, version: `src-${hash.digest("hex").slice(0, 12)}` };
}

const found = new Map<string, string>();

/** The folder peer tools are cached in: `$WREG_TOOLS_DIR`, else `~/.local/share/wreg-tools`. */
export function toolsDir(): string {
  return Deno.env.get("WREG_TOOLS_DIR") ??
    `${Deno.env.get("HOME") ?? "/root"}/.local/share/wreg-tools`;
}

function versionMatches(bin: string, tool: PeerTool): boolean {
  try {
    const out = new Deno.Command(bin, { args: tool.versionArgs, stdout: "piped", stderr: "piped" })
      .outputSync();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return out.success && text.includes(tool.version);
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The pinned version of a peer tool (as tools/peers.json gives it). */
export function peerVersion(name: string): string {
  const tool = TABLE.find((t) => t.name === name);
  if (!tool) throw new Error(`tools/peers.json has no tool named ${name}`);
  return tool.version;
}

/** The path of a peer tool, or undefined when it is not installed. */
export function peerPathIfInstalled(name: string): string | undefined {
  const cached = found.get(name);
  if (cached) return cached;
  const tool = TABLE.find((t) => t.name === name);
  if (!tool) throw new Error(`tools/peers.json has no tool named ${name}`);
  const home = Deno.env.get("HOME") ?? "/root";
  const inToolsDir = `${toolsDir()}/${tool.name}-${tool.version}/bin/${tool.bin}`;
  let path: string | undefined = exists(inToolsDir) ? inToolsDir : undefined;
  // A test suite (kind go-suite) has no version flag: only the cache counts.
  if (!path && tool.kind !== "go-suite") {
    const cargoHome = Deno.env.get("CARGO_HOME") ?? `${home}/.cargo`;
    const goBin = `${Deno.env.get("GOPATH") ?? `${home}/go`}/bin`;
    path = [tool.bin, `${cargoHome}/bin/${tool.bin}`, `${goBin}/${tool.bin}`].find((c) =>
      versionMatches(c, tool)
    );
  }
  if (path) found.set(name, path);
  return path;
}

/** The path of a peer tool; throws with what to do when it is not installed. */
export function peerPath(name: string): string {
  const path = peerPathIfInstalled(name);
  if (path === undefined) {
    throw new Error(
      `Cannot find ${name} ${peerVersion(name)} (looked in ${toolsDir()}, PATH, ~/.cargo/bin, ` +
        `~/go/bin): run \`node tools/setup.mjs\``,
    );
  }
  return path;
}
