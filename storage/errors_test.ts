import assert from "node:assert/strict";
import { isStorageError, STORAGE_ERRORS, StorageError, type StorageErrorCode } from "./mod.ts";

Deno.test("every storage error code has an HTTP status and a meaning", () => {
  for (const [code, entry] of Object.entries(STORAGE_ERRORS)) {
    assert.match(code, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(entry.status >= 400 && entry.status < 600, code);
    assert.ok(entry.meaning.length > 0 && !entry.meaning.endsWith("."), code);
  }
  assert.equal(STORAGE_ERRORS.conflict.status, 409);
  assert.equal(STORAGE_ERRORS["not-found"].status, 404);
  assert.equal(STORAGE_ERRORS["too-large"].status, 413);
});

Deno.test("a storage error carries its code, status, details and cause", () => {
  const cause = new Error("disk on fire");
  const e = new StorageError("io", "Cannot write", { path: "/x" }, { cause });
  assert.equal(e.name, "StorageError");
  assert.equal(e.status, 500);
  assert.deepEqual(e.details, { path: "/x" });
  assert.equal(e.cause, cause);
  assert.ok(isStorageError(e));
  assert.ok(isStorageError(e, "io"));
  assert.ok(!isStorageError(e, "conflict" as StorageErrorCode));
  assert.ok(!isStorageError(new Error("plain")));
});
