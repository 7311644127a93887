/**
 * Digests of registered components. WebCrypto (`digestOf` of lib/names) hashes at about 1 GB/s
 * but an awaited call costs 60–80 µs here (the round trip to its thread) and ~9 µs of main-thread
 * time to dispatch, more than hashing a small component takes: components under {@link SMALL}
 * bytes are hashed here, synchronously (SHA-256, FIPS 180-4, ~150 MB/s), the rest by WebCrypto.
 * Both give the same `sha256:` digest.
 */
import { type Digest, digestOf } from "../names/mod.ts";

/** Inputs below this size are hashed in JavaScript (about where both cost the same). */
export const SMALL = 8 * 1024;

const K = new Int32Array([
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
]);

const W = new Int32Array(64);
const H = new Int32Array(8);
const IV = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);
/** The padded last block(s), reused: a typed array over 64 bytes is a costly allocation in V8. */
const TAIL = new Uint8Array(128);
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

/**
 * Compresses the 64-byte blocks of `b[start..end)` into {@link H}. Everything is kept in int32
 * (Int32Array, `| 0`): values read from a Uint32Array above 2^31 are doubles in V8, which made
 * every round floating-point arithmetic.
 */
function compress(b: Uint8Array, start: number, end: number): void {
  const w = W, h = H, k = K;
  for (let off = start; off < end; off += 64) {
    for (let i = 0, p = off; i < 16; i++, p += 4) {
      w[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + k[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + bb) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + hh) | 0;
  }
}

/** SHA-256 of `bytes`, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  H.set(IV);
  const n = bytes.length;
  const whole = n - (n % 64);
  compress(bytes, 0, whole);
  // The last partial block, the 0x80 marker and the 64-bit bit length: one or two blocks.
  const tail = TAIL, end = n - whole < 56 ? 64 : 128;
  tail.fill(0);
  for (let i = whole; i < n; i++) tail[i - whole] = bytes[i];
  tail[n - whole] = 0x80;
  const hi = Math.floor(n / 0x20000000), lo = (n << 3) >>> 0;
  for (let i = 0; i < 4; i++) {
    tail[end - 8 + i] = (hi >>> (24 - 8 * i)) & 0xff;
    tail[end - 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
  compress(tail, 0, end);
  let hex = "";
  for (let i = 0; i < 8; i++) {
    const x = H[i];
    hex += HEX[(x >>> 24) & 0xff] + HEX[(x >>> 16) & 0xff] + HEX[(x >>> 8) & 0xff] + HEX[x & 0xff];
  }
  return hex;
}

/** The `sha256:` digest of a component: in JavaScript when small, else by WebCrypto. */
export function componentDigest(bytes: Uint8Array): Digest | Promise<Digest> {
  if (bytes.length < SMALL) return `sha256:${sha256Hex(bytes)}` as Digest;
  return digestOf(bytes);
}
