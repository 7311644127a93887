/**
 * The independent verifiers of wreg's trust formats, as the tests run them:
 * - `wregoracle` (tools/oracle: Go's x/mod sumdb packages and transparency-dev's formats and
 *   merkle, built by `node tools/setup.mjs`) for checkpoints, tiles, inclusion and consistency;
 * - `@sigstore/verify` 3.1.x under Node (tests/support/sigstore_verify.mjs) for release bundles.
 *
 * Each returns whether the verifier accepted and what it said; a missing verifier throws with
 * what to do (a failure, never a skip).
 *
 * @module
 */
import { peerPath } from "../../tools/peers.ts";

/** What one verifier run said. */
export interface VerifierRun {
  /** Whether it accepted (exit status 0). */
  ok: boolean;
  /** Its exit status. */
  code: number;
  /** Standard output and error, as text. */
  output: string;
}

async function run(cmd: string, args: string[]): Promise<VerifierRun> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return {
    ok: out.success,
    code: out.code,
    output: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}

/** Runs `wregoracle` (see tools/oracle/main.go for its commands). */
export function oracle(...args: string[]): Promise<VerifierRun> {
  return run(peerPath("wregoracle"), args);
}

const SIGSTORE_SCRIPT = new URL("./sigstore_verify.mjs", import.meta.url).pathname;

/**
 * Verifies a Sigstore bundle with @sigstore/verify under Node: the signature with `publicKeyPem`,
 * and that the statement names `name` (`ns:name@version`) with the SHA-256 of `artifact`.
 */
export function sigstoreVerify(
  bundlePath: string,
  artifactPath: string,
  publicKeyPemPath: string,
  name: string,
  options: { fileUnderHint?: boolean } = {},
): Promise<VerifierRun> {
  return run("node", [
    SIGSTORE_SCRIPT,
    bundlePath,
    artifactPath,
    publicKeyPemPath,
    name,
    ...(options.fileUnderHint ? ["--file-under-hint"] : []),
  ]);
}
