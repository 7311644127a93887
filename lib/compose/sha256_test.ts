import assert from "node:assert/strict";
import { digestOf } from "../names/mod.ts";
import { componentDigest, sha256Hex, SMALL } from "./_sha256.ts";

Deno.test("the WebAssembly SHA-256 agrees with WebCrypto at every padding and chunk boundary", async () => {
  const sizes = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, SMALL - 1];
  // Past SMALL too: the path stays correct over many blocks, a padding edge, and the 60 KiB
  // chunks the input goes through the module's memory in.
  sizes.push(SMALL, SMALL + 55, 65537);
  for (const c of [61440, 2 * 61440]) sizes.push(c - 73, c - 72, c - 1, c, c + 1, c + 63, c + 64);
  for (const n of sizes) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 131 + n) & 0xff;
    assert.equal(`sha256:${sha256Hex(bytes)}`, await digestOf(bytes), `size ${n}`);
    assert.equal(await componentDigest(bytes), await digestOf(bytes));
  }
  assert.equal(
    sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  const big = new Uint8Array(SMALL + 1).fill(7);
  assert.equal(await componentDigest(big), await digestOf(big));
});
