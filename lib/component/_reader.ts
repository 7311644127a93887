/**
 * A cursor over a byte array with absolute offsets: LEB128 integers, bytes, UTF-8 names and vector
 * lengths, each failing with a {@link ComponentDecodeError} that carries the offset.
 */
import { ComponentDecodeError, type ComponentDecodeErrorCode } from "./_error.ts";
import type { DecodeLimits } from "./_limits.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Vector elements read so far from one input, against `DecodeLimits.maxSyntaxItems`. */
export interface ItemCount {
  used: number;
}

/** Reads `bytes[pos..end)`; offsets in errors are indexes into `bytes`. */
export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly limits: DecodeLimits,
    pos = 0,
    public end = bytes.length,
    /** When given, every vector length read is counted here against `maxSyntaxItems`. */
    readonly items?: ItemCount,
  ) {
    this.pos = pos;
  }

  /** A reader over `[pos, pos + len)` that shares the buffer, limits and item count. */
  sub(len: number): Reader {
    this.need(len);
    const r = new Reader(this.bytes, this.limits, this.pos, this.pos + len, this.items);
    return r;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  fail(code: ComponentDecodeErrorCode, reason: string, at = this.pos): never {
    throw new ComponentDecodeError(code, reason, at);
  }

  /** Throws `unexpected-eof` unless `n` more bytes are there. */
  need(n: number): void {
    if (n > this.end - this.pos) {
      this.fail("unexpected-eof", "unexpected end of input", this.end);
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected-eof", "unexpected end of input", this.end);
    return this.bytes[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.end) this.fail("unexpected-eof", "unexpected end of input", this.end);
    return this.bytes[this.pos];
  }

  /** Raw bytes (a view, not a copy). */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Unsigned LEB128 of at most 32 bits (5 bytes). */
  u32(): number {
    const start = this.pos;
    let b = this.u8();
    if (b < 0x80) return b;
    let result = b & 0x7f;
    let shift = 7;
    for (;;) {
      b = this.u8();
      if (shift === 28) {
        if (b & 0x80) this.fail("invalid-integer", "integer representation too long", start);
        if (b & 0x70) this.fail("invalid-integer", "integer too large", start);
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
      shift += 7;
    }
  }

  /** Signed LEB128 of at most 33 bits (a type index or a negative type opcode). */
  s33(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4) {
        // The fifth byte holds bits 28..32: 5 payload bits and sign extension bits that must agree.
        if (b & 0x80) this.fail("invalid-integer", "integer representation too long", start);
        const sign = b & 0x10;
        const high = b & 0x70;
        if ((sign && high !== 0x70) || (!sign && high !== 0)) {
          this.fail("invalid-integer", "integer too large", start);
        }
        result += (b & 0x1f) * mul;
        if (sign) result -= 2 ** 33;
        return result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        if (b & 0x40) result -= mul;
        return result;
      }
    }
    return result;
  }

  /** Signed LEB128 of at most 32 bits (core `i32.const` and friends). */
  s32(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.u8();
      if (shift === 28) {
        if (b & 0x80) this.fail("invalid-integer", "integer representation too long", start);
        const high = b & 0x78;
        if (high !== 0 && high !== 0x78) this.fail("invalid-integer", "integer too large", start);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 32 && (b & 0x40)) result |= -1 << shift;
    return result | 0;
  }

  /** Unsigned LEB128 of at most 64 bits, as a number (exact up to 2^53). */
  u64approx(): number {
    const start = this.pos;
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9 && b > 1) this.fail("invalid-integer", "integer too large", start);
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return result;
    }
    this.fail("invalid-integer", "integer representation too long", start);
  }

  /** Skips a LEB128 of at most `maxBytes` bytes (used for 64-bit constants we never interpret). */
  skipLeb(maxBytes: number): void {
    const start = this.pos;
    for (let i = 0; i < maxBytes; i++) {
      if (!(this.u8() & 0x80)) return;
    }
    this.fail("invalid-integer", "integer representation too long", start);
  }

  /**
   * A vector length: at most `maxVectorLength`, and (since every element takes at least
   * `minElementBytes` bytes) at most what the remaining bytes can hold.
   */
  count(what: string, minElementBytes = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.limits.maxVectorLength) {
      this.fail(
        "limit-exceeded",
        `${what} count ${n} exceeds the limit of ${this.limits.maxVectorLength}`,
        at,
      );
    }
    if (n * minElementBytes > this.end - this.pos) {
      this.fail("unexpected-eof", `${what} count ${n} is larger than the remaining input`, at);
    }
    if (this.items !== undefined) {
      this.items.used += n;
      if (this.items.used > this.limits.maxSyntaxItems) {
        this.fail(
          "limit-exceeded",
          `the input has more than the limit of ${this.limits.maxSyntaxItems} items of component syntax (definitions, declarations, fields, arguments)`,
          at,
        );
      }
    }
    return n;
  }

  /** A length-prefixed UTF-8 string. */
  name(): string {
    const at = this.pos;
    const len = this.u32();
    if (len > this.limits.maxStringBytes) {
      this.fail(
        "limit-exceeded",
        `string of ${len} bytes exceeds the limit of ${this.limits.maxStringBytes}`,
        at,
      );
    }
    this.need(len);
    const s = len < 64 ? shortName(this.bytes, this.pos, len) : undefined;
    if (s !== undefined) {
      this.pos += len;
      return s;
    }
    try {
      const out = UTF8.decode(this.bytes.subarray(this.pos, this.pos + len));
      this.pos += len;
      return out;
    } catch {
      this.fail("invalid-utf8", "malformed UTF-8 encoding", this.pos);
    }
  }

  /** Fails with `invalid-byte` naming what the byte was meant to select. */
  badByte(b: number, what: string, at = this.pos - 1): never {
    this.fail("invalid-byte", `invalid leading byte 0x${b.toString(16)} for ${what}`, at);
  }

  /** A 0x00/0x01 flag. */
  bool(what: string): boolean {
    const b = this.u8();
    if (b === 0) return false;
    if (b === 1) return true;
    this.fail(
      "invalid-byte",
      `invalid boolean value 0x${b.toString(16)} for ${what}`,
      this.pos - 1,
    );
  }

  /** Throws unless the reader has consumed everything up to `end`. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      this.fail(
        "invalid-section-size",
        `${what} has ${this.end - this.pos} unexpected trailing bytes`,
      );
    }
  }
}

/**
 * Short ASCII names decoded before, by a hash of their bytes (direct-mapped, so bounded): the same
 * names recur within a component and across components (interface names, `get`, `memory`…), and
 * building a string from bytes costs far more than finding and comparing it. Keeping a name only
 * saves work; the string returned is the same either way.
 */
const NAMES: (string | undefined)[] = new Array(4096);
const NAME_MASK = NAMES.length - 1;

/** The ASCII string of `bytes[at..at+len)` (len < 64), or `undefined` if it is not ASCII. */
function shortName(bytes: Uint8Array, at: number, len: number): string | undefined {
  let h = len;
  for (let i = at; i < at + len; i++) {
    const b = bytes[i];
    if (b >= 0x80) return undefined;
    h = Math.imul(h ^ b, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & NAME_MASK;
  const known = NAMES[slot];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === bytes[at + i]) i++;
    if (i === len) return known;
  }
  const s = String.fromCharCode.apply(
    null,
    bytes.subarray(at, at + len) as unknown as number[],
  );
  NAMES[slot] = s;
  return s;
}
