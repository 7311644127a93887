// A logger component for interface `docs:processor/logger`, written in JavaScript and built with
// componentize-qjs (QuickJS).
//
// Each call writes one line, `[level] message`, to standard error through WASI
// (`wasi:cli/stderr`): QuickJS here has no console, and no TextEncoder, so the line is encoded to
// UTF-8 by hand.
import stderr from "wasi:cli/stderr@0.2.12";

/** Most bytes `blocking-write-and-flush` accepts in one call. */
const WRITE_LIMIT = 4096;

/**
 * Encodes a string as UTF-8. Lone surrogates (impossible in a WIT string) become U+FFFD.
 * @param {string} text
 * @returns {Uint8Array}
 */
function encodeUtf8(text) {
  const bytes = [];
  for (const char of text) {
    let cp = char.codePointAt(0);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) {
      bytes.push(cp);
    } else if (cp < 0x800) {
      bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      bytes.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
    }
  }
  return new Uint8Array(bytes);
}

/** The exported interface, named after the WIT interface, as componentize-qjs expects. */
export const logger = {
  /**
   * Writes `[level] message` and a newline to standard error.
   * @param {"debug" | "info" | "warn" | "error"} level
   * @param {string} message
   */
  log(level, message) {
    const line = encodeUtf8(`[${level}] ${message}\n`);
    const out = stderr.getStderr();
    try {
      for (let at = 0; at < line.length; at += WRITE_LIMIT) {
        out.blockingWriteAndFlush(line.subarray(at, at + WRITE_LIMIT));
      }
    } finally {
      out[Symbol.dispose]();
    }
  },
};
