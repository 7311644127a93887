import { NameError } from "./_error.ts";

// The component model's label grammar restricted to lowercase, as wreg names packages:
//   label ::= word ('-' word)*      word ::= [a-z][0-9a-z]*
const LOWER_LABEL = /^[a-z][0-9a-z]*(?:-[a-z][0-9a-z]*)*$/;
// The full grammar of the component model, which also allows all-uppercase acronym words
// (`HTTP-client`); item names inside WIT use it.
const LABEL = /^(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*))*$/;

/** Whether `s` is a lowercase kebab label (`http-client`), the form of wreg's namespaces and names. */
export function isLowercaseLabel(s: string): boolean {
  return LOWER_LABEL.test(s);
}

/** Whether `s` is a label of the component model (kebab words, each all lower or all upper case). */
export function isLabel(s: string): boolean {
  return LABEL.test(s);
}

/** Explains why `s` is not a lowercase label, for error messages. */
export function whyNotLabel(s: string): string {
  if (s === "") return "it is empty";
  if (/[A-Z]/.test(s)) return "it has upper-case letters";
  if (s.startsWith("-") || s.endsWith("-")) return "it starts or ends with a hyphen";
  if (s.includes("--")) return "it has two hyphens in a row";
  const bad = [...s].find((c) => !/[a-z0-9-]/.test(c));
  if (bad !== undefined) return `it contains ${JSON.stringify(bad)}`;
  return "a word starts with a digit";
}

/**
 * Longest namespace and longest package name, in characters. Names become folder names on the
 * user's side (`wreg_modules/<ns>/<name>`, `wit/deps/`) and keys of the registry's pages and
 * caches; 64 is far beyond any real name and well inside file-name limits.
 */
export const MAX_NAME_PART = 64;

/** `text` cut to `max` characters with "…" when longer: long input is never echoed whole. */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Checks a lowercase label of at most {@link MAX_NAME_PART} characters, throwing a
 * {@link NameError} that names `what` and the reason.
 */
export function checkLabel(s: string, what: string, input: string): string {
  if (s.length > MAX_NAME_PART) {
    throw new NameError(
      "invalid-label",
      `Invalid ${what} ${JSON.stringify(clip(s, 32))} in ${
        JSON.stringify(clip(input, 80))
      }: it has ${s.length} characters, at most ${MAX_NAME_PART} are allowed`,
      clip(input, 150),
      clip(s, 100),
    );
  }
  if (!isLowercaseLabel(s)) {
    throw new NameError(
      "invalid-label",
      `Invalid ${what} ${JSON.stringify(clip(s))} in ${JSON.stringify(clip(input, 140))}: ${
        whyNotLabel(s)
      } (expected lowercase words of a-z and 0-9 joined by "-", each starting with a letter)`,
      clip(input, 150),
      clip(s, 100),
    );
  }
  return s;
}
