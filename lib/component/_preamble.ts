/** The 8-byte header of a WebAssembly binary: magic, version and layer. */
import { ComponentDecodeError } from "./_error.ts";

/** What the header says the bytes are. */
export type Layer = "module" | "component";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Reads the header at `offset`; throws `not-wasm`, `unexpected-eof` or `unknown-version`.
 */
export function readPreamble(bytes: Uint8Array, offset = 0, end = bytes.length): Layer {
  const avail = end - offset;
  if (avail <= 0) {
    throw new ComponentDecodeError(
      "not-wasm",
      "input is empty, expected a WebAssembly binary",
      offset,
    );
  }
  for (let i = 0; i < 4 && i < avail; i++) {
    if (bytes[offset + i] !== MAGIC[i]) {
      throw new ComponentDecodeError(
        "not-wasm",
        "magic header not detected: the input is not a WebAssembly binary",
        offset,
      );
    }
  }
  if (avail < 8) {
    throw new ComponentDecodeError("unexpected-eof", "unexpected end of input in the header", end);
  }
  const version = bytes[offset + 4] | (bytes[offset + 5] << 8);
  const layer = bytes[offset + 6] | (bytes[offset + 7] << 8);
  if (version === 1 && layer === 0) return "module";
  if (version === 0x0d && layer === 1) return "component";
  throw new ComponentDecodeError(
    "unknown-version",
    `unknown binary version 0x${version.toString(16)} and layer 0x${layer.toString(16)}: ` +
      `expected 0xd/0x1 for a component or 0x1/0x0 for a core module`,
    offset + 4,
  );
}
