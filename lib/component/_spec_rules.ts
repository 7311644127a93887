/**
 * Rules of the current component-model specification that the decoder enforces beyond the
 * grammar of the binary format: encodings that older producers wrote, or that a reader which
 * only follows the grammar would let through, and that the specification (and wasm-tools, jco
 * and wasmtime after it) now refuses. A component breaking one is refused with the error code
 * `spec-rule`, the rule's id, what is wrong, why, and the byte offset, so `inspect`, `wit`,
 * `plug` and `publish` never accept bytes the rest of the ecosystem will refuse (a plug's output
 * would otherwise fail `wasm-tools validate`).
 *
 * Each rule has a test in `tests/component_spec_rules_test.ts` with a component built to break
 * it, refused by wreg and by native wasm-tools alike.
 */
import { ComponentDecodeError } from "./_error.ts";

/** One rule: its stable id, what it requires, and where the specification says so. */
export interface SpecRule {
  /** Stable id, named in error messages (`cancellable-immediate`). */
  readonly id: string;
  /** What the rule requires, in one sentence. */
  readonly requires: string;
  /** The specification text that states it (file, section, and the change that made it). */
  readonly spec: string;
  /** A short reference for one-line messages. */
  readonly ref: string;
}

/** The rules, by id. */
export const SPEC_RULES = {
  "cancellable-immediate": {
    id: "cancellable-immediate",
    requires: "the `cancellable` immediate of `thread.yield`, `thread.suspend`, " +
      "`thread.{suspend,yield}-then-{resume,promote}` and `waitable-set.{wait,poll}` is 0x00",
    spec: "WebAssembly/component-model#716 (design/mvp/Binary.md, canon: the `cancel?` immediate " +
      "stays in the binary format and must be 0; the text format has no `cancellable` any more)",
    ref: "component-model#716",
  },
  "async-needs-async-type": {
    id: "async-needs-async-type",
    requires: "the `async` option of `canon lift` and `canon lower` goes with an `async` " +
      "function type",
    spec: "design/mvp/CanonicalABI.md, canonopt validation: `async` is only allowed when used " +
      "with an `async` function type in `canon lift` or `canon lower`",
    ref: "CanonicalABI.md, canonopt validation",
  },
  "async-lift-needs-callback": {
    id: "async-lift-needs-callback",
    requires: "an `async` `canon lift` has a `callback` (lifting without one is the stackful " +
      "ABI, not part of the released specification)",
    spec: "design/mvp/CanonicalABI.md, canonopt validation: 🔀,not(🚟) `async` - `callback` " +
      "must also be present",
    ref: "CanonicalABI.md, canonopt validation",
  },
  "callback-needs-async": {
    id: "callback-needs-async",
    requires: "the `callback` option appears only with `async`, on `canon lift`",
    spec: "design/mvp/CanonicalABI.md, canonopt validation: `callback` cannot be present " +
      "without `async` and is only allowed with `canon lift`",
    ref: "CanonicalABI.md, canonopt validation",
  },
  "async-without-post-return": {
    id: "async-without-post-return",
    requires: "`async` and `post-return` are not both options of one `canon lift`",
    spec: "design/mvp/CanonicalABI.md, canonopt validation: `async` cannot be present with " +
      "`post-return`",
    ref: "CanonicalABI.md, canonopt validation",
  },
  "post-return-on-lift": {
    id: "post-return-on-lift",
    requires: "the `post-return` option appears only on `canon lift`",
    spec: "design/mvp/CanonicalABI.md, canonopt validation: `post-return` is only allowed on " +
      "`canon lift`",
    ref: "CanonicalABI.md, canonopt validation",
  },
  "task-return-options": {
    id: "task-return-options",
    requires: "`task.return` takes no options but `memory` and `string-encoding`",
    spec: "design/mvp/CanonicalABI.md, `canon task.return`: `$opts` may only contain `memory` " +
      "and `string-encoding`",
    ref: "CanonicalABI.md, canon task.return",
  },
} as const satisfies Record<string, SpecRule>;

/** The id of a rule in {@link SPEC_RULES}. */
export type SpecRuleId = keyof typeof SPEC_RULES;

/**
 * The error for a broken rule: what the component does, then that the specification forbids it,
 * with the rule's id and reference ("`thread.yield` sets its `cancellable` immediate to 0x01 (it
 * must be 0x00), which the current specification forbids (rule cancellable-immediate,
 * component-model#716)").
 */
export function specRuleError(id: SpecRuleId, what: string, offset: number): ComponentDecodeError {
  const rule: SpecRule = SPEC_RULES[id];
  return new ComponentDecodeError(
    "spec-rule",
    `${what}, which the current specification forbids (rule ${rule.id}, ${rule.ref})`,
    offset,
    rule.id,
  );
}
