/**
 * Property tests for untrusted input: corpus binaries, truncated and mutated (bit flips, random
 * bytes, overlong or huge LEB128 counts, deleted and duplicated ranges) with a fixed seed, must
 * each either decode or throw a ComponentDecodeError, and no other exception.
 *
 * The work per input is bounded by the inputs and the decoder's limits, not by a clock: inputs
 * are corpus files under 400 KB with a few bytes changed, parsing reads each byte a bounded
 * number of times, and type checking stops at `DecodeLimits.maxTypeWork` with `limit-exceeded`
 * (decode_test.ts checks that budget; some mutations here end that way).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ComponentDecodeError,
  decodeComponent,
  detectKind,
  validateComponent,
} from "../lib/component/mod.ts";
import { CORPUS, corpusIndex } from "./component_support.ts";

const SEED = 20250601;

const files = corpusIndex()
  .filter((e) => e.size < 400_000)
  .map((e) => Deno.readFileSync(CORPUS + e.file));

let inputs = 0;
let decoded = 0;
let refused = 0;
const codes = new Map<string, number>();

function check(bytes: Uint8Array): void {
  inputs++;
  for (const f of [decodeComponent, validateComponent, detectKind]) {
    try {
      f(bytes);
      if (f === decodeComponent) decoded++;
    } catch (e) {
      if (!(e instanceof ComponentDecodeError)) {
        throw new Error(`${f.name} threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.ok(
        Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length,
        `offset ${e.offset}`,
      );
      assert.match(e.message, /^Cannot decode component: .+ \(at offset 0x[0-9a-f]+\)$/s);
      if (f === decodeComponent) {
        refused++;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
  }
}

/** A position in the input, as a fraction; fast-check's doubles crowd at 0 and 1, so use integers. */
const position = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_001);

const file = fc.integer({ min: 0, max: files.length - 1 }).map((i) => files[i]);

/** A LEB128 that decodes to a huge count, or is overlong. */
const hostileLeb = fc.constantFrom(
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0x7f],
  [0xbf, 0x84, 0x3d],
  [0x00],
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate"), at: position }),
  fc.record({
    kind: fc.constant("flip"),
    edits: fc.array(
      fc.tuple(position, fc.integer({ min: 0, max: 255 })),
      {
        minLength: 1,
        maxLength: 8,
      },
    ),
  }),
  fc.record({
    kind: fc.constant("leb"),
    at: position,
    leb: hostileLeb,
  }),
  fc.record({
    kind: fc.constant("insert"),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant("delete"),
    at: position,
    len: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant("duplicate"),
    at: position,
    len: fc.integer({ min: 1, max: 256 }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function join(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function apply(src: Uint8Array, m: Mutation): Uint8Array {
  const pos = (x: number) => Math.min(src.length, Math.floor(x * src.length));
  switch (m.kind) {
    case "truncate":
      return src.slice(0, pos(m.at));
    case "flip": {
      const out = src.slice();
      for (const [at, v] of m.edits) if (out.length > 0) out[Math.min(out.length - 1, pos(at))] = v;
      return out;
    }
    case "leb": {
      const p = pos(m.at);
      return join(src.subarray(0, p), m.leb, src.subarray(Math.min(src.length, p + m.leb.length)));
    }
    case "insert": {
      const p = pos(m.at);
      return join(src.subarray(0, p), m.bytes, src.subarray(p));
    }
    case "delete": {
      const p = pos(m.at);
      return join(src.subarray(0, p), src.subarray(Math.min(src.length, p + m.len)));
    }
    case "duplicate": {
      const p = pos(m.at);
      const slice = src.subarray(p, Math.min(src.length, p + m.len));
      return join(src.subarray(0, p), slice, slice, src.subarray(p + slice.length));
    }
  }
}

Deno.test("every truncation of a small corpus file throws ComponentDecodeError or decodes", () => {
  const small = files.filter((f) => f.length < 2000);
  for (const f of small) for (let i = 0; i <= f.length; i++) check(f.subarray(0, i));
});

Deno.test("mutated corpus files decode or fail cleanly (fixed seed)", () => {
  fc.assert(
    fc.property(file, fc.array(mutation, { minLength: 1, maxLength: 3 }), (src, ms) => {
      let bytes: Uint8Array = src;
      for (const m of ms) bytes = apply(bytes, m);
      check(bytes);
    }),
    { seed: SEED, numRuns: 6000 },
  );
});

Deno.test("random bytes behind a valid component header fail cleanly (fixed seed)", () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 256 }),
      (tail) => check(join(header, tail)),
    ),
    { seed: SEED, numRuns: 3000 },
  );
});

Deno.test("fuzzing ran thousands of inputs and most mutations were refused", () => {
  console.log(
    `fuzz: ${inputs} inputs, ${decoded} decoded, ${refused} refused; codes: ` +
      [...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", "),
  );
  assert.ok(inputs >= 8000, `only ${inputs} inputs`);
  assert.ok(refused > inputs / 4);
});
