/**
 * A Deno program that uses the PII scrubber component through one typed import. The import map
 * entry for "docs:scrubber" is written by `wreg add docs:scrubber` (see README.md), which also
 * composes the scrubber with the logger component that fills its `docs:processor/logger` import.
 *
 * Run: deno run --allow-env --allow-read main.ts
 *
 * @module
 */
import { process, scrubPii } from "docs:scrubber";

console.log(scrubPii("My SSN is 123-45-6789"));
console.log(
  process("Mail ada@example.com or call 555-123-4567.", {
    id: 42n,
    source: "examples/deno-app",
    priority: 1,
  }),
);
