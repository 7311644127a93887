/**
 * README.md's set-up section stays true to what tools/setup.mjs installs: every Debian package,
 * every Python package (with its version) and every peer tool of tools/peers.json (with its
 * version) is named there, so a new machine's owner learns from the README what the first run
 * will install and build.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const readme = await Deno.readTextFile(`${ROOT}README.md`);
const setup = await Deno.readTextFile(`${ROOT}tools/setup.mjs`);
const peers = JSON.parse(await Deno.readTextFile(`${ROOT}tools/peers.json`)).tools as {
  name: string;
  version: string;
  kind: string;
}[];

/** The README's "Set-up on a fresh machine" section. */
const section = (() => {
  const start = readme.indexOf("## Set-up on a fresh machine");
  assert.ok(start >= 0, "README.md has a set-up section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
})();

/** The string literals of the array `const NAME = [...]` in setup.mjs. */
function arrayOf(name: string): string[] {
  const m = new RegExp(`const ${name} = \\[([^\\]]*(?:\\][^;\\]]*)*)\\];`).exec(setup);
  assert.ok(m, `tools/setup.mjs declares ${name}`);
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

Deno.test("README names every Debian package the set-up installs", () => {
  const packages = arrayOf("DEBIAN_PACKAGES");
  assert.ok(packages.length > 0);
  for (const p of packages) assert.ok(section.includes(`\`${p}\``), `README names ${p}`);
});

Deno.test("README names every Python package of the project's venv, with its version", () => {
  const list = arrayOf("PYTHON_PACKAGES");
  assert.ok(list.length > 0 && list.length % 2 === 0);
  for (let i = 0; i < list.length; i += 2) {
    const [name, version] = [list[i], list[i + 1]];
    assert.ok(section.includes(`\`${name}\` ${version}`), `README names ${name} ${version}`);
  }
});

Deno.test("README names every peer tool built from source, with its pinned version", () => {
  assert.ok(peers.length > 0);
  for (const t of peers) {
    const named = t.kind === "go-src" ? `\`${t.name}\`` : `\`${t.name}\` ${t.version}`;
    assert.ok(section.includes(named), `README names ${named}`);
  }
});
