/**
 * Digests of registered components. WebCrypto (`digestOf` of lib/names) hashes at about 1 GB/s
 * but an awaited call costs 60–80 µs here (the round trip to its thread) and ~9 µs of main-thread
 * time to dispatch, more than hashing a small component takes: components under {@link SMALL}
 * bytes are hashed here, synchronously, the rest by WebCrypto. Both give the same `sha256:` digest.
 *
 * The SHA-256 here (FIPS 180-4) is a WebAssembly compression function emitted below opcode by
 * opcode (9 KB: the 64 rounds unrolled, the working variables and the message schedule in locals),
 * about 1.7× the speed of the same function in JavaScript (~250 MB/s against ~145 MB/s here); the
 * padding and the hex are done in JavaScript.
 */
import { type Digest, digestOf } from "../names/mod.ts";
import { build, ByteWriter } from "../component/mod.ts";

/** Inputs below this size are hashed here (about where both cost the same). */
export const SMALL = 8 * 1024;

const K = [
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
];
const IV = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

// The module's memory (one page): the hash state, then the blocks to compress.
const STATE = 0, INPUT = 64;
/** Bytes compressed per call (whole blocks that fit in the page). */
const CHUNK = 60 * 1024;

// Locals of the compression function: 0 is the parameter (the byte length of the blocks); the
// working variables a..h rotate over 8 locals (round i finds a in V + (-i mod 8)), the state
// h0..h7 and the message schedule w0..w63 are locals too.
const LEN = 0, OFF = 1, T1 = 2, T2 = 3, V = 4, H0 = 12, W = 20;
const N_LOCALS = W + 64 - 1;

// Opcodes.
const GET = 0x20, SET = 0x21, CONST = 0x41, LOAD = 0x28, STORE = 0x36;
const ADD = 0x6a, AND = 0x71, OR = 0x72, XOR = 0x73, SHR_U = 0x76, ROTL = 0x77, ROTR = 0x78;
const GE_U = 0x4f, LOOP = 0x03, BLOCK = 0x02, BR = 0x0c, BR_IF = 0x0d, END = 0x0b;
const VOID = 0x40;

/** The module's code, emitted opcode by opcode on lib/component's byte writer. */
class Emitter extends ByteWriter {
  /** Raw bytes (opcodes and their immediates). */
  op(...bytes: number[]): this {
    for (const b of bytes) this.u8(b);
    return this;
  }

  /** `i32.const n` (signed LEB128 of `n` as an i32). */
  i32(n: number): this {
    return this.u8(CONST).s33(n | 0);
  }

  get(l: number): this {
    return this.op(GET, l);
  }

  set(l: number): this {
    return this.op(SET, l);
  }

  /** `i32.load`/`i32.store` with alignment 4 and a constant offset. */
  load(offset: number): this {
    return this.op(LOAD, 2).u32(offset);
  }

  store(offset: number): this {
    return this.op(STORE, 2).u32(offset);
  }

  /** `rotr(x, a) ^ rotr(x, b) ^ op(x, c)` with `x` in local `l`. */
  sigma(l: number, a: number, b: number, c: number, last: number): this {
    this.get(l).i32(a).op(ROTR).get(l).i32(b).op(ROTR, XOR);
    return this.get(l).i32(c).op(last, XOR);
  }
}

/** The compression function's body: whole blocks at `INPUT`, `len` bytes, into the state. */
function compressBody(e: Emitter): void {
  e.u32(1).u32(N_LOCALS).op(0x7f);
  for (let j = 0; j < 8; j++) e.i32(0).load(STATE + 4 * j).set(H0 + j);
  e.op(BLOCK, VOID, LOOP, VOID);
  e.get(OFF).get(LEN).op(GE_U, BR_IF, 1);
  for (let j = 0; j < 8; j++) e.get(H0 + j).set(V + j);
  for (let i = 0; i < 64; i++) {
    // w[i]: the block's words (big-endian), then the schedule.
    if (i < 16) {
      e.get(OFF).load(INPUT + 4 * i).set(T1);
      e.get(T1).i32(8).op(ROTL).i32(0x00ff00ff).op(AND);
      e.get(T1).i32(8).op(ROTR).i32(0xff00ff00).op(AND, OR).set(W + i);
    } else {
      e.sigma(W + i - 2, 17, 19, 10, SHR_U).get(W + i - 7).op(ADD);
      e.sigma(W + i - 15, 7, 18, 3, SHR_U).op(ADD).get(W + i - 16).op(ADD).set(W + i);
    }
    const v = (j: number) => V + ((j - i) % 8 + 8) % 8; // a=0 … h=7 in round i
    // t1 = h + S1(e) + ch(e, f, g) + K[i] + w[i]
    e.get(v(7)).sigma(v(4), 6, 11, 25, ROTR).op(ADD);
    e.get(v(4)).get(v(5)).op(AND).get(v(4)).i32(-1).op(XOR).get(v(6)).op(AND, XOR, ADD);
    e.i32(K[i]).op(ADD).get(W + i).op(ADD).set(T1);
    // t2 = S0(a) + maj(a, b, c)
    e.sigma(v(0), 2, 13, 22, ROTR);
    e.get(v(0)).get(v(1)).op(AND).get(v(0)).get(v(2)).op(AND, XOR);
    e.get(v(1)).get(v(2)).op(AND, XOR, ADD).set(T2);
    // d += t1 (the next round's e); h = t1 + t2 (the next round's a)
    e.get(v(3)).get(T1).op(ADD).set(v(3));
    e.get(T1).get(T2).op(ADD).set(v(7));
  }
  // After 64 rounds the roles are back where they started: h0..h7 += a..h.
  for (let j = 0; j < 8; j++) e.get(H0 + j).get(V + j).op(ADD).set(H0 + j);
  e.get(OFF).i32(64).op(ADD).set(OFF).op(BR, 0, END, END);
  for (let j = 0; j < 8; j++) e.i32(0).get(H0 + j).store(STATE + 4 * j);
  e.op(END);
}

/** The module: `(func (export "c") (param i32))` and `(memory (export "m") 1)`. */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const body = new Emitter();
  compressBody(body);
  const code = body.finish();
  return build((w) => {
    w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    w.section(1, new Uint8Array([1, 0x60, 1, 0x7f, 0])); // (func (param i32))
    w.section(3, new Uint8Array([1, 0])); // one function of that type
    w.section(5, new Uint8Array([1, 0x00, 1])); // one page of memory
    w.section(7, build((x) => x.u8(2).name("c").u8(0).u8(0).name("m").u8(2).u8(0)));
    w.section(10, build((c) => c.u32(1).u32(code.length).bytes(code)));
  }) as Uint8Array<ArrayBuffer>;
}

interface Engine {
  compress: (len: number) => void;
  bytes: Uint8Array;
  words: Int32Array;
}

let engine: Engine | undefined;

function start(): Engine {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
  const memory = instance.exports.m as WebAssembly.Memory;
  const e: Engine = {
    compress: instance.exports.c as (len: number) => void,
    bytes: new Uint8Array(memory.buffer),
    words: new Int32Array(memory.buffer),
  };
  return e;
}

/** The character codes of the two hex digits of each byte, the high one first. */
const HEX = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).padStart(2, "0");
  HEX[i] = (s.charCodeAt(0) << 8) | s.charCodeAt(1);
}

/**
 * `sha256:` and 64 hex digits, as character codes: the digest string is made from them in one
 * piece (joining 32 two-digit strings made a tree of cons strings that every Map lookup by the
 * digest then flattened).
 */
const DIGEST_CHARS: number[] = [..."sha256:"].map((c) => c.charCodeAt(0)).concat(
  new Array(64).fill(0x30),
);
const PREFIX = 7;

/** SHA-256 of `bytes`, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  hashInto(bytes);
  return String.fromCharCode.apply(null, DIGEST_CHARS.slice(PREFIX));
}

/** Hashes `bytes` and writes the digest's hex digits into {@link DIGEST_CHARS}. */
function hashInto(bytes: Uint8Array): void {
  const e = engine ??= start();
  const mem = e.bytes;
  e.words.set(IV, STATE / 4);
  const n = bytes.length;
  // Whole blocks a chunk at a time, while more than a chunk is left.
  let at = 0;
  while (n - at > CHUNK) {
    mem.set(bytes.subarray(at, at + CHUNK), INPUT);
    e.compress(CHUNK);
    at += CHUNK;
  }
  // The rest, the 0x80 marker, zeros and the 64-bit bit length, compressed in one call.
  const rest = n - at, end = (rest + 72) & ~63;
  mem.set(at === 0 ? bytes : bytes.subarray(at), INPUT);
  mem[INPUT + rest] = 0x80;
  mem.fill(0, INPUT + rest + 1, INPUT + end - 8);
  const hi = Math.floor(n / 0x20000000), lo = (n << 3) >>> 0;
  for (let i = 0; i < 4; i++) {
    mem[INPUT + end - 8 + i] = (hi >>> (24 - 8 * i)) & 0xff;
    mem[INPUT + end - 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
  e.compress(end);
  const w = e.words;
  const out = DIGEST_CHARS;
  for (let i = 0; i < 8; i++) {
    const x = w[STATE / 4 + i];
    for (let j = 0; j < 4; j++) {
      const h = HEX[(x >>> (24 - 8 * j)) & 0xff];
      const at = PREFIX + 8 * i + 2 * j;
      out[at] = h >>> 8;
      out[at + 1] = h & 0xff;
    }
  }
}

/** The `sha256:` digest of a component: here when small, else by WebCrypto. */
export function componentDigest(bytes: Uint8Array): Digest | Promise<Digest> {
  if (bytes.length < SMALL) {
    hashInto(bytes);
    return String.fromCharCode.apply(null, DIGEST_CHARS) as Digest;
  }
  return digestOf(bytes);
}
