/** The OCI surface's in-memory state (registry/oci/_state.ts). */
import assert from "node:assert/strict";
import { RecentUploads } from "./_state.ts";

Deno.test("just-uploaded components are kept within a bound of bytes and age, each taken once", () => {
  const r = new RecentUploads(100, 1000);
  const b = (n: number) => new Uint8Array(n);
  // Uploads in flight reserve their copies within the bound: declared sizes cannot add up past it.
  assert.equal(r.reserve(60), true);
  assert.equal(r.reserve(60), false);
  r.release(60);
  assert.equal(r.reserve(60), true);
  r.release(60);
  // Kept bytes: the oldest go first past the bound; an entry is taken once; old ones lapse.
  r.put("sha256:a", b(40), 0);
  r.put("sha256:b", b(40), 10);
  r.put("sha256:c", b(40), 20);
  assert.equal(r.take("sha256:a", 30), undefined);
  assert.equal(r.take("sha256:b", 30)?.length, 40);
  assert.equal(r.take("sha256:b", 30), undefined);
  assert.equal(r.take("sha256:c", 2000), undefined);
  r.put("sha256:d", b(101), 0);
  assert.equal(r.take("sha256:d", 0), undefined);
});
