import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  type CheckedComponent,
  ComponentDecodeError,
  decodeComponent,
  validateComponent,
  validateOuterComponent,
  walkSections,
} from "./mod.ts";
import { DEFAULT_LIMITS } from "./_limits.ts";

/** Defines a resource `r` and exports it with `consume: func(x: own<r>)`. */
const PROVIDER = `(component
  (type $r (resource (rep i32)))
  (export $re "r" (type $r))
  (core module $m (func (export "consume") (param i32)))
  (core instance $ci (instantiate $m))
  (type $ft (func (param "x" (own $re))))
  (func $consume (type $ft) (canon lift (core func $ci "consume")))
  (export "consume" (func $consume)))`;

/** Imports an instance whose `consume` takes the `r` of that same instance. */
const CONSUMER = `(component
  (import "i" (instance
    (export "r" (type $r (sub resource)))
    (export "consume" (func (param "x" (own $r)))))))`;

/** Two instances of the provider; the consumer gets `r` from `rFrom` and `consume` from `a2`. */
function outer(rFrom: "a1" | "a2"): string {
  return `(component
    (component $A ${PROVIDER.slice("(component".length, -1)})
    (component $B ${CONSUMER.slice("(component".length, -1)})
    (instance $a1 (instantiate $A))
    (instance $a2 (instantiate $A))
    (alias export $${rFrom} "r" (type $r))
    (alias export $a2 "consume" (func $c))
    (instance $bag (export "r" (type $r)) (export "consume" (func $c)))
    (instance $b (instantiate $B (with "i" (instance $bag)))))`;
}

/** The nested components of the top level, each checked on its own, by where they start. */
function checkedNested(bytes: Uint8Array): Map<number, CheckedComponent> {
  const out = new Map<number, CheckedComponent>();
  for (const s of walkSections(bytes, DEFAULT_LIMITS)) {
    if (s.id !== 4) continue;
    const own = bytes.slice(s.contents.start, s.contents.end);
    out.set(s.contents.start, decodeComponent(own, { wit: false }).checked!);
  }
  return out;
}

function refusal(f: () => unknown): ComponentDecodeError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ComponentDecodeError, String(e));
    return e;
  }
  assert.fail("expected a ComponentDecodeError");
}

function tryValidate(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    assert.ok(e instanceof ComponentDecodeError && e.code === "limit-exceeded", String(e));
    return false;
  }
}

Deno.test("an outer component over checked nested components validates as a whole does", async () => {
  const bytes = await parse(outer("a2"));
  const nested = checkedNested(bytes);
  assert.equal(nested.size, 2);
  assert.equal(validateComponent(bytes), "component");
  assert.equal(validateOuterComponent(bytes, nested), "component");
});

Deno.test("a resource-identity clash between instances of checked nested components is refused", async () => {
  // `r` of one instance with `consume` of another: the same WIT, different resources.
  const bytes = await parse(outer("a1"));
  const whole = refusal(() => validateComponent(bytes));
  const outerOnly = refusal(() => validateOuterComponent(bytes, checkedNested(bytes)));
  assert.equal(outerOnly.code, "invalid-component");
  assert.match(outerOnly.message, /type mismatch for import `i`.*`consume`.*parameter `x`/);
  assert.equal(outerOnly.message, whole.message);
  assert.equal(outerOnly.offset, whole.offset);
});

Deno.test("checked nested components are not parsed again, but their work and depth count", async () => {
  const bytes = await parse(outer("a2"));
  const nested = checkedNested(bytes);
  // A byte of a nested component's export section made invalid: taken as checked, unread.
  const [provider] = [...walkSections(bytes, DEFAULT_LIMITS)].filter((s) => s.id === 4);
  const exports = [
    ...walkSections(bytes, DEFAULT_LIMITS, provider.contents.start, provider.contents.end),
  ]
    .find((s) => s.id === 11)!;
  const changed = bytes.slice();
  changed[exports.contents.end - 1] = 0xff;
  assert.equal(validateOuterComponent(changed, nested), "component");
  refusal(() => validateComponent(changed));

  // The type-checking work of the nested components still counts against the limit: the same
  // total as checking everything.
  const total = decodeComponent(bytes, { wit: false }).checked!.work!;
  assert.ok([...nested.values()].every((c) => c.work! > 0));
  for (const maxTypeWork of [total, total - 1]) {
    const limits = { maxTypeWork };
    const ok = maxTypeWork === total;
    assert.equal(ok, tryValidate(() => validateComponent(bytes, { limits })));
    assert.equal(ok, tryValidate(() => validateOuterComponent(bytes, nested, { limits })));
  }

  // So does their nesting: the provider nests nothing, so a depth limit of 0 refuses it.
  const depth = { maxNestingDepth: 0 };
  assert.equal(refusal(() => validateComponent(bytes, { limits: depth })).code, "limit-exceeded");
  assert.equal(
    refusal(() => validateOuterComponent(bytes, nested, { limits: depth })).code,
    "limit-exceeded",
  );
});

Deno.test("a nested section whose size is not the checked component's is parsed and checked", async () => {
  const bytes = await parse(outer("a1"));
  const nested = checkedNested(bytes);
  const [first, second] = [...nested.keys()];
  // Each offset given the other component's check: sizes differ, so both are checked here.
  const swapped = new Map([[first, nested.get(second)!], [second, nested.get(first)!]]);
  assert.notEqual(
    nested.get(first)!.ast.range.end - nested.get(first)!.ast.range.start,
    nested.get(second)!.ast.range.end - nested.get(second)!.ast.range.start,
  );
  assert.match(
    refusal(() => validateOuterComponent(bytes, swapped)).message,
    /type mismatch for import `i`/,
  );
  assert.equal(validateOuterComponent(await parse(outer("a2")), swapped), "component");
});
