/** A growable byte buffer with the primitives of the binary format: LEB128, names, sections. */

const UTF8 = new TextEncoder();

/** Appends bytes; `finish()` returns exactly what was written. */
export class ByteWriter {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  /** An empty writer with room for `capacity` bytes. */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** One byte. */
  u8(b: number): this {
    this.grow(1);
    this.buf[this.length++] = b;
    return this;
  }

  /** Unsigned LEB128. */
  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.u8(b);
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 (for the s33 of value types this is only ever a non-negative index). */
  s33(v: number): this {
    let x = v;
    for (;;) {
      const b = x & 0x7f;
      x = Math.floor(x / 128);
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.u8(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A length-prefixed UTF-8 string. */
  name(s: string): this {
    const b = UTF8.encode(s);
    this.u32(b.length);
    return this.bytes(b);
  }

  /** A section: id, size, contents. */
  section(id: number, contents: Uint8Array): this {
    this.u8(id);
    this.u32(contents.length);
    return this.bytes(contents);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** `vec(items)`: the count and the concatenated items. */
export function vec(items: Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  w.u32(items.length);
  for (const i of items) w.bytes(i);
  return w.finish();
}

/** Builds bytes with a writer callback. */
export function build(f: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  f(w);
  return w.finish();
}
