/**
 * Support for the web index's tests and benchmark: the packages they publish (a WIT package in
 * three versions for diffs, a WIT package and a component whose docs and metadata are hostile, a
 * component composed from two seed examples), and a headless Chromium driven by playwright-core.
 */
import { type BrowserContext, chromium } from "playwright-core";
import { plug } from "../lib/compose/mod.ts";
import {
  type Client,
  ROOT,
  tinyComponent,
  withCustomSections,
  witPackage,
} from "./registry_support.ts";
import { exampleWasm } from "./support/examples.ts";

/** Where the browser tests keep their screenshots (gitignored). */
export const ARTIFACTS = `${ROOT}/tests/artifacts/web`;

/** The Chromium the browser tests drive (Debian's `chromium`, installed by tools/setup.mjs). */
export const CHROMIUM = Deno.env.get("WREG_CHROMIUM") ?? "/usr/bin/chromium";

/** The flags TOOLCHAIN.md lists for headless Chromium on these machines. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/**
 * Starts headless Chromium with a fresh profile (a new `--user-data-dir`, removed on close).
 * Fails with a clear message when Chromium is not installed: the browser tests never pass
 * without a browser.
 */
export async function launchChromium(): Promise<
  { context: BrowserContext; close(): Promise<void> }
> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`deno task setup\` (tools/setup.mjs installs Debian's chromium), or set WREG_CHROMIUM to a Chromium binary`,
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "wreg-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    headless: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** `acme:greeter` at a version: 1.0.0, 1.1.0 adds (minor), 2.0.0 breaks. */
export function greeterWit(version: "1.0.0" | "1.1.0" | "2.0.0"): string {
  const hello = version === "2.0.0"
    ? "  /// Greets someone by name, in English.\n  hello: func(name: string) -> string;\n"
    : "  /// Greets someone by name.\n  hello: func(name: string, language: language) -> string;\n";
  const goodbye = version === "1.0.0"
    ? ""
    : "\n  /// Says goodbye.\n  goodbye: func(name: string) -> string;\n";
  const farewell = version === "1.0.0" ? "" : `
/// Partings.
interface farewell {
  /// How long until we meet again, in days.
  type days = u32;

  /// Waves.
  wave: func(times: u8) -> days;
}
`;
  return `/// Greetings in a few languages.
package acme:greeter@${version};

/// Greets people.
interface greet {
  /// A language to greet in.
  enum language {
    english,
    french,
  }

${hello}${goodbye}}
${farewell}
/// An app that greets through the host's \`greet\`.
world app {
  import greet;

  /// Runs the app.
  export run: func() -> string;
}
`;
}

/** What the hostile payloads set when they run (they never should). */
export const PWNED = "__pwned";

/** A WIT package whose doc comments try to inject markup and script. */
export const EVIL_WIT = `/// <script>window.${PWNED} = "package docs"</script> Looks harmless.
package evil:docs@0.1.0;

/// "><img src=x onerror="window.${PWNED}='interface docs'"> An interface with teeth.
interface payload {
  /// <script>window.${PWNED} = 'type docs'</script>
  record thing {
    field: string,
  }

  /// '><svg onload=window.${PWNED}='function docs'> \`</code></pre><script>window.${PWNED}=1</script>\`
  run: func(t: thing) -> string;
}

/// </title><script>window.${PWNED}='world docs'</script><style>body{display:none}</style>
world evil {
  export payload;
}
`;

/** The hostile metadata of `evil:widget` (custom sections of the component). */
export const EVIL_METADATA: Record<string, string> = {
  description:
    `<script>window.${PWNED}='description'</script>"><img src=x onerror="window.${PWNED}='img'">`,
  homepage: `javascript:window.${PWNED}='homepage'`,
  source: `"><a href="javascript:window.${PWNED}='source'">x</a>`,
  licenses: `<b onmouseover="window.${PWNED}='licenses'">MIT</b>`,
  authors: `</dd><script>window.${PWNED}='authors'</script>`,
};

/** `evil:widget`: a tiny component with {@link EVIL_METADATA}. */
export async function evilWidget(): Promise<Uint8Array> {
  return withCustomSections(await tinyComponent("evil:widget@0.1.0"), EVIL_METADATA);
}

/** The seed's scrubber with the seed's logger plugged in (records `wreg:composed-from`). */
export async function composedScrubber(): Promise<Uint8Array> {
  const result = await plug(
    { bytes: await exampleWasm("scrubber-c"), package: "docs:scrubber-c", version: "0.1.0" },
    [{ bytes: await exampleWasm("logger-js"), package: "docs:logger-js", version: "0.1.0" }],
  );
  return result.bytes;
}

/** Publishes bytes and fails loudly unless the registry took them. */
export async function mustPublish(
  client: Client,
  token: string,
  name: string,
  version: string,
  bytes: Uint8Array,
): Promise<void> {
  const r = await client.publish(token, name, version, bytes);
  if (r.status !== 201) throw new Error(`publish ${name}@${version}: ${r.status} ${r.text}`);
}

/** Publishes what the browser tests read besides the seed. */
export async function publishWebFixtures(client: Client, token: string): Promise<void> {
  for (const v of ["1.0.0", "1.1.0", "2.0.0"] as const) {
    await mustPublish(client, token, "acme:greeter", v, witPackage(greeterWit(v)));
  }
  await mustPublish(client, token, "evil:docs", "0.1.0", witPackage(EVIL_WIT));
  await mustPublish(client, token, "evil:widget", "0.1.0", await evilWidget());
  await mustPublish(client, token, "acme:scrubber-composed", "0.1.0", await composedScrubber());
}
