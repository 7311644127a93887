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

/** Checks a lowercase label, throwing a {@link NameError} that names `what` and the reason. */
export function checkLabel(s: string, what: string, input: string): string {
  if (!isLowercaseLabel(s)) {
    throw new NameError(
      "invalid-label",
      `Invalid ${what} ${JSON.stringify(s)} in ${JSON.stringify(input)}: ${
        whyNotLabel(s)
      } (expected lowercase words of a-z and 0-9 joined by "-", each starting with a letter)`,
      input,
      s,
    );
  }
  return s;
}
