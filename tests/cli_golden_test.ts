/**
 * Golden tests of the package manager's commands: `--help` of each, and the text and JSON they
 * print in the seed scenario against a real registry process. The files are in
 * tests/golden/cli/; refresh them with `WREG_UPDATE_GOLDEN=1 deno test -A
 * tests/cli_golden_test.ts` and review the diff.
 *
 * What changes from run to run is replaced before comparing: the registry's port, digests,
 * timestamps and the sandbox's temporary folder.
 */
import assert from "node:assert/strict";
import { type RunResult, Sandbox, withExamplesRegistry, writeTree } from "./cli_support.ts";

const GOLDEN = new URL("./golden/cli/", import.meta.url).pathname;
const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";

function normalize(text: string, box?: Sandbox): string {
  let t = text;
  if (box) t = t.replaceAll(box.root, "<sandbox>");
  return t
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    // A transparency log's verifier key (each registry process makes its own).
    .replace(/[^\s"+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}/g, "<log key>")
    .replace(/sha256:[0-9a-f]{64}/g, "sha256:<digest>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/\d{4}-\d\d-\d\d/g, "<date>")
    .replace(/\b\d+(\.\d+)? (KB|MB|B)\b/g, "<size>")
    .replace(/"size": \d+/g, '"size": <size>');
}

async function golden(name: string, args: string[], r: RunResult, box?: Sandbox) {
  const actual = normalize(
    `$ wreg ${args.join(" ")}\nexit: ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`,
    box,
  );
  const file = `${GOLDEN}${name}.txt`;
  if (UPDATE) {
    await Deno.mkdir(GOLDEN, { recursive: true });
    await Deno.writeTextFile(file, actual);
    return;
  }
  const expected = await Deno.readTextFile(file);
  assert.equal(actual, expected, `golden ${name}.txt differs; refresh with WREG_UPDATE_GOLDEN=1`);
}

const HELP = [
  "init",
  "login",
  "token",
  "publish",
  "add",
  "remove",
  "install",
  "update",
  "search",
  "info",
  "yank",
  "unyank",
  "key",
  "verify",
];

Deno.test("wreg --help and each package command's --help match tests/golden/cli", async () => {
  const box = await Sandbox.create();
  try {
    const dir = await box.folder("p");
    await golden("help", ["--help"], await box.wreg(dir, ["--help"]));
    for (const c of HELP) {
      await golden(`help-${c}`, [c, "--help"], await box.wreg(dir, [c, "--help"]));
    }
  } finally {
    await box.remove();
  }
});

/** Cases without a registry: name → arguments. */
const OFFLINE: Record<string, string[]> = {
  "error-add-no-registry": ["add", "docs:scrubber"],
  "error-add-bad-spec": ["add", "docs:scrubber@^^1"],
  "error-add-nothing": ["add"],
  "error-remove-not-a-dependency": ["remove", "docs:scrubber"],
  "error-unknown-flag": ["install", "--frozen"],
  "error-install-no-manifest": ["install"],
  "error-publish-missing-value": ["publish", "--name"],
  "init-defaults": ["init"],
};

Deno.test("the package commands' errors and outputs without a registry match tests/golden/cli", async () => {
  const box = await Sandbox.create();
  try {
    for (const [name, args] of Object.entries(OFFLINE)) {
      const dir = await box.folder(name);
      await golden(name, args, await box.wreg(dir, args), box);
    }
  } finally {
    await box.remove();
  }
});

Deno.test("add, install, publish, search and info print what tests/golden/cli holds", async () => {
  await withExamplesRegistry(async (box) => {
    const run = async (name: string, dir: string, args: string[]) =>
      await golden(name, args, await box.wreg(dir, args), box);

    const app = await box.folder("app");
    await run("add-scrubber", app, ["add", "docs:scrubber"]);
    await run("add-again", app, ["add", "docs:scrubber"]);
    const copy = await box.folder("copy");
    await writeTree(copy, {
      "wreg.json": await Deno.readTextFile(`${app}/wreg.json`),
      "wreg.lock": await Deno.readTextFile(`${app}/wreg.lock`),
    });
    await run("install-from-lock", copy, ["install"]);
    const json = await box.folder("json");
    await run("add-json", json, ["add", "docs:processor@0.1", "--json"]);
    await run("remove", app, ["remove", "docs:scrubber"]);

    await writeTree(box.root, {
      "wit/processor.wit": (await Deno.readTextFile(
        new URL("../examples/processor/wit/processor.wit", import.meta.url),
      )).replace("package docs:processor@0.1.0;", "package docs:processor@0.1.1;")
        .replace("log: func(level: level, message: string);", "log: func(message: string);"),
    });
    await run("publish-breaking", box.root, ["publish", "wit", "--dry-run"]);
    await run("search-text", app, ["search", "scrub"]);
    await run("search-exports", app, ["search", "--exports", "docs:processor/logger"]);
    await run("info-package", app, ["info", "docs:processor"]);
    await run("info-version", app, ["info", "docs:scrubber@0.1.0"]);
  });
});
