/**
 * The web index in a real Chromium (Debian's, driven by playwright-core) against a real registry
 * process: the seed examples plus a WIT package in three versions, a composed component, and a
 * WIT package and a component whose docs and metadata are hostile. The tests read what is on
 * screen (headings, text, links), follow links as a person would, use the search with the
 * keyboard, and keep screenshots at a laptop and a phone width in tests/artifacts/web/.
 *
 * Chromium must be installed (tools/setup.mjs does it); without it the test fails, it never
 * passes silently.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page, Response as PwResponse } from "playwright-core";
import { CONTENT_SECURITY_POLICY } from "../registry/web/mod.ts";
import { Client, type ServerProcess, startServerProcess } from "./registry_support.ts";
import { ARTIFACTS, launchChromium, publishWebFixtures, PWNED } from "./web_support.ts";
import { ensureExamples } from "./support/examples.ts";

const ADMIN = "test-admin-secret-0123";
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Everything the browser saw: document responses, console messages, dialogs, page errors. */
interface Seen {
  documents: { url: string; status: number; headers: Record<string, string> }[];
  console: string[];
  dialogs: string[];
  errors: string[];
}

/**
 * Screenshots of the page at a laptop and a phone width; at both, nothing may stick out
 * sideways (the page never scrolls horizontally; wide code scrolls inside its own box).
 */
async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? LAPTOP;
  for (const [tag, viewport] of [["laptop", LAPTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(viewport);
    const width = await page.evaluate("document.documentElement.scrollWidth");
    assert.ok(
      (width as number) <= viewport.width,
      `${name} is ${width}px wide at a ${tag} width of ${viewport.width}px`,
    );
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${tag}.png`, fullPage: true });
  }
  await page.setViewportSize(size);
}

async function pwned(page: Page): Promise<unknown> {
  return await page.evaluate((k) => (window as unknown as Record<string, unknown>)[k], PWNED);
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).trim();
}

async function linkTexts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allInnerTexts()).map((t) => t.trim());
}

/** Asserts that nothing a package brought turned into script or markup on this page. */
async function assertInert(page: Page, seen: Seen): Promise<void> {
  assert.equal(await pwned(page), undefined, `a hostile payload ran on ${page.url()}`);
  assert.equal(await page.locator("script").count(), 0, "the page has no script elements");
  assert.equal(await page.locator("[onerror], [onload], [onmouseover]").count(), 0);
  assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
  assert.deepEqual(seen.dialogs, [], "no dialog opened");
  assert.deepEqual(seen.errors, [], "no script error");
}

Deno.test({
  name:
    "the web index in Chromium: browse, search by world, read WIT, diff versions, follow links; hostile docs stay text",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    let server: ServerProcess | undefined;
    let chromium: { context: BrowserContext; close(): Promise<void> } | undefined;
    try {
      // The seed publishes examples/dist: built here first, so that a failed build fails the
      // test with its reason instead of leaving the seed without those packages.
      await ensureExamples();
      server = await startServerProcess({ args: ["--seed-examples", "--quiet"] });
      const base = server.url;
      const api = new Client(base);
      const alice = await api.token(ADMIN, "alice");
      await publishWebFixtures(api, alice);
      const yank = await api.call("PUT", "/api/v1/packages/acme/greeter/1.0.0/yank", {
        token: alice,
      });
      assert.equal(yank.status, 200, yank.text);
      const stats = (await api.call("GET", "/api/v1/stats")).json;

      chromium = await launchChromium();
      const context = chromium.context;
      const seen: Seen = { documents: [], console: [], dialogs: [], errors: [] };
      context.on("response", (r: PwResponse) => {
        const type = r.request().resourceType();
        if (type === "document" || type === "stylesheet" || type === "image") {
          seen.documents.push({ url: r.url(), status: r.status(), headers: r.headers() });
        }
      });
      const page = await context.newPage();
      await page.setViewportSize(LAPTOP);
      page.on("console", (m) => seen.console.push(`${m.type()}: ${m.text()}`));
      page.on("pageerror", (e) => seen.errors.push(String(e)));
      page.on("dialog", (d) => {
        seen.dialogs.push(d.message());
        d.dismiss().catch(() => {});
      });

      await t.step(
        "the home page shows the totals and the recent packages; the search box takes the keyboard",
        async () => {
          const res = await page.goto(`${base}/`);
          assert.equal(res?.status(), 200);
          assert.equal(await page.title(), "WebAssembly components and WIT packages · wreg");
          assert.equal(await text(page, "h1"), "WebAssembly components, by what they do");
          const totals = await text(page, "ul.totals");
          assert.match(totals, new RegExp(`${stats.packages}\\s+packages`));
          assert.match(totals, new RegExp(`${stats.versions}\\s+versions`));
          const recent = await linkTexts(page, "ul.results a.name");
          for (const p of ["acme:scrubber-composed", "acme:greeter", "docs:processor"]) {
            assert.ok(recent.includes(p), `${p} is among the recent packages: ${recent}`);
          }
          await shoot(page, "home");
          // The search box has the focus: type and press Enter.
          assert.equal(await page.evaluate("document.activeElement?.id"), "q");
          await page.keyboard.type("greet");
          await Promise.all([page.waitForURL(/\/search\?q=greet$/), page.keyboard.press("Enter")]);
          assert.deepEqual(await linkTexts(page, "ul.results a.name"), ["acme:greeter"]);
          assert.match(await text(page, "main h2"), /1 result/);
        },
      );

      await t.step("the first Tab reaches a visible skip link", async () => {
        await page.goto(`${base}/search`);
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(`(() => {
          const el = document.activeElement;
          return { text: el.textContent, x: el.getBoundingClientRect().x,
            outline: getComputedStyle(el).outlineStyle };
        })()`) as { text: string; x: number; outline: string };
        assert.equal(focused.text, "Skip to content");
        assert.ok(focused.x >= 0, "the focused skip link is on screen");
        assert.equal(focused.outline, "solid");
      });

      await t.step(
        "search filters: by world (with and without WASI from the host) and by export",
        async () => {
          await page.goto(`${base}/search`);
          await page.getByLabel("Implements world").fill("docs:processor/processor@0.1.0");
          await Promise.all([
            page.waitForURL(/world=docs%3Aprocessor%2Fprocessor%400\.1\.0/),
            page.getByRole("button", { name: "Search", exact: true }).last().click(),
          ]);
          const withWasi = await linkTexts(page, "ul.results a.name");
          assert.deepEqual(withWasi.sort(), [
            "acme:scrubber-composed",
            "docs:scrubber-c",
            "docs:scrubber-py",
          ]);
          assert.match(
            await text(page, "main"),
            /Checked against the world docs:processor\/processor@0\.1\.0/,
          );
          await shoot(page, "search-world");
          await page.getByLabel("The host provides").selectOption("none");
          await Promise.all([
            page.waitForURL(/host=none/),
            page.getByRole("button", { name: "Search", exact: true }).last().click(),
          ]);
          assert.deepEqual(await linkTexts(page, "ul.results a.name"), ["docs:scrubber-c"]);
          await page.goto(`${base}/search?exports=docs:processor/logger`);
          assert.deepEqual(await linkTexts(page, "ul.results a.name"), ["docs:logger-js"]);
          const bad = await page.goto(`${base}/search?imports=not-an-interface`);
          assert.equal(bad?.status(), 400);
          assert.match(await text(page, "[role=alert]"), /Invalid imports "not-an-interface"/);
        },
      );

      await t.step(
        "a component's page: install line, world, capabilities in plain words, download",
        async () => {
          await page.goto(`${base}/search?world=docs:processor/processor@0.1.0&host=none`);
          await Promise.all([
            page.waitForURL(/\/docs\/scrubber-c$/),
            page.getByRole("link", { name: "docs:scrubber-c" }).click(),
          ]);
          assert.equal(await text(page, "h1"), "docs:scrubber-c");
          assert.equal(await page.title(), "docs:scrubber-c · wreg");
          assert.equal(await text(page, ".install code"), "wreg add docs:scrubber-c");
          assert.match(await text(page, "main"), /Redacts US social security numbers/);
          assert.match(
            await text(page, "#h-imports + ul"),
            /docs:processor 0\.1\.0: logger, types/,
          );
          assert.match(
            await text(page, "#h-exports + ul"),
            /scrub-pii: func\(text: string\) -> string/,
          );
          assert.match(
            await text(page, "ul.caps"),
            /Needs docs:processor, from the host or another component/,
          );
          const download = page.getByRole("link", { name: "Download the component" });
          assert.equal(
            await download.getAttribute("href"),
            "/api/v1/packages/docs/scrubber-c/0.1.0/content",
          );
          assert.equal(await download.getAttribute("download"), "docs-scrubber-c-0.1.0.wasm");
          await shoot(page, "package-component");
          // The logger needs WASI: its capabilities say so in words.
          await page.goto(`${base}/docs/logger-js`);
          const caps = await text(page, "ul.caps");
          for (
            const words of [
              "Reads and writes files",
              "Reads the current date and time",
              "Reads environment variables",
              "Writes to standard output and standard error",
              "Gets non-cryptographic random numbers",
            ]
          ) assert.ok(caps.includes(words), `${words} in ${caps}`);
          assert.ok(!caps.includes("Opens network connections"));
        },
      );

      await t.step(
        "follow a dependency to its WIT package and read its WIT, with links inside",
        async () => {
          await page.goto(`${base}/docs/scrubber-c`);
          await Promise.all([
            page.waitForURL(/\/docs\/processor@0\.1\.0$/),
            page.locator("aside").getByRole("link", { name: "docs:processor" }).click(),
          ]);
          assert.equal(await text(page, "h1"), "docs:processor");
          assert.equal(await page.title(), "docs:processor@0.1.0 · wreg");
          const logger = page.locator("section.item", { has: page.locator("#h-i-logger") });
          const code = await logger.locator("pre.wit").innerText();
          assert.match(code, /\/\/\/ How important a log line is\.\n\s*enum level \{/);
          assert.match(code, /log: func\(level: level, message: string\);/);
          assert.equal(
            await logger.locator(".w-doc").first().innerText(),
            "/// How important a log line is.",
          );
          assert.match(
            await logger.locator(".users").innerText(),
            /Implemented by: docs:logger-js@0\.1\.0/,
          );
          const processor = page.locator("section.item", { has: page.locator("#h-w-processor") });
          assert.match(
            await processor.locator(".users").innerText(),
            /Components that target it: .*docs:scrubber-c@0\.1\.0/,
          );
          assert.match(
            await text(page, "aside"),
            /docs:logger-js@0\.1\.0\s+docs:scrubber-c@0\.1\.0/,
          );
          // A type used in a signature links to its definition.
          await logger.locator("a.w-ref", { hasText: "level" }).click();
          assert.ok(page.url().endsWith("#logger.level"));
          assert.equal(
            await page.evaluate('document.querySelector(":target")?.textContent'),
            "level",
          );
          // A use of another interface links to it.
          await processor.locator("a.w-ref", { hasText: "metadata" }).first().click();
          assert.ok(page.url().endsWith("#types.metadata"));
          await page.goto(`${base}/docs/processor`);
          await shoot(page, "package-wit");
        },
      );

      await t.step(
        "versions with yanked badges, and the diff between versions with its verdict",
        async () => {
          await page.goto(`${base}/acme/greeter`);
          assert.equal(await text(page, "h1"), "acme:greeter");
          assert.match(await text(page, ".lead"), /Greetings in a few languages\./);
          const rows = await page.locator("ul.versions li").allInnerTexts();
          assert.equal(rows.length, 3);
          assert.match(rows[0], /^2\.0\.0\s+LATEST/i);
          assert.match(rows[2], /^1\.0\.0\s+YANKED/i);
          assert.match(
            await text(page, "main"),
            /Compared with 1\.1\.0: BREAKING \(a major change\)/i,
          );
          await Promise.all([
            page.waitForURL(/\/acme\/greeter\/diff\/1\.0\.0\.\.\.1\.1\.0$/),
            page.locator("ul.versions li", { hasText: "1.1.0" }).getByRole("link", {
              name: "changes",
            })
              .click(),
          ]);
          assert.equal(await text(page, "h1"), "acme:greeter: 1.0.0 → 1.1.0");
          assert.match(
            await text(page, ".verdict"),
            /Compatible\s+additions only: a minor release/,
          );
          const added = await page.locator("ul.changes li.added").allInnerTexts();
          assert.ok(
            added.some((a) =>
              a.includes("acme:greeter/greet.goodbye") && a.includes("function added")
            ),
          );
          assert.ok(
            added.some((a) => a.includes("acme:greeter/farewell") && a.includes("interface added")),
          );
          assert.ok((await page.locator(".difftext tr.add").count()) > 5);
          await shoot(page, "diff-minor");
          // The pickers compare any two versions.
          await page.getByLabel("From").selectOption("1.1.0");
          await page.getByLabel("To").selectOption("2.0.0");
          await Promise.all([
            page.waitForURL(/\/acme\/greeter\/diff\/1\.1\.0\.\.\.2\.0\.0$/),
            page.getByRole("button", { name: "Compare" }).click(),
          ]);
          assert.match(await text(page, ".verdict"), /Breaking\s+1 breaking change/);
          assert.match(
            await page.locator("ul.changes li.removed").first().innerText(),
            /acme:greeter\/greet\.hello\.language — parameter removed\s+BREAKING/i,
          );
          assert.equal(await page.locator(".difftext tr.del").count(), 3);
          await shoot(page, "diff-breaking");
          // Versions that are not neighbours are compared too.
          await page.goto(`${base}/acme/greeter/diff/1.0.0...2.0.0`);
          assert.match(await text(page, ".verdict"), /Breaking/);
          assert.ok((await page.locator("ul.changes li.added").count()) >= 2);
        },
      );

      await t.step(
        "a composed component shows what it was composed from, as a picture with links",
        async () => {
          await page.goto(`${base}/acme/scrubber-composed`);
          const figure = page.locator("figure.composed");
          assert.equal(await figure.locator("svg").count(), 1);
          assert.equal(await figure.locator("svg a").count(), 2);
          assert.deepEqual(
            (await figure.locator("svg .cf-name").allTextContents()).sort(),
            ["docs:logger-js@0.1.0", "docs:scrubber-c@0.1.0"],
          );
          assert.match(
            await figure.locator("figcaption").innerText(),
            /docs:logger-js@0\.1\.0 fills docs:processor\/logger@0\.1\.0 of docs:scrubber-c@0\.1\.0/,
          );
          await figure.screenshot({ path: `${ARTIFACTS}/composed-figure.png` });
          await shoot(page, "package-composed");
          await Promise.all([
            page.waitForURL(/\/docs\/logger-js@0\.1\.0$/),
            figure.locator("svg a", { hasText: "docs:logger-js@0.1.0" }).click(),
          ]);
          assert.equal(await text(page, "h1"), "docs:logger-js");
        },
      );

      await t.step(
        "hostile doc comments and metadata render as text, and no script runs",
        async () => {
          await page.goto(`${base}/evil/docs`);
          assert.equal(
            await text(page, ".lead"),
            `<script>window.${PWNED} = "package docs"</script> Looks harmless.`,
          );
          assert.match(
            await text(page, "main"),
            new RegExp(`"><img src=x onerror="window\\.${PWNED}='interface docs'"> An interface`),
          );
          assert.match(
            await page.locator("pre.wit").first().innerText(),
            /\/\/\/ <script>window\.__pwned = 'type docs'<\/script>/,
          );
          assert.match(
            await text(page, "main"),
            /<\/title><script>window\.__pwned='world docs'<\/script><style>/,
          );
          await assertInert(page, seen);
          await shoot(page, "hostile-docs");
          await page.goto(`${base}/evil/widget`);
          assert.match(
            await text(page, ".lead"),
            /^<script>window\.__pwned='description'<\/script>/,
          );
          assert.match(await text(page, "aside"), /<b onmouseover=/);
          assert.ok(
            !(await text(page, "aside")).includes("Homepage"),
            "a javascript: homepage is no link",
          );
          await assertInert(page, seen);
          await shoot(page, "hostile-widget");
          // Reflected input: a search query and a path.
          await page.goto(
            `${base}/search?q=${encodeURIComponent(`<script>window.${PWNED}=1</script>`)}`,
          );
          assert.equal(
            await page.getByLabel("Words").inputValue(),
            `<script>window.${PWNED}=1</script>`,
          );
          await assertInert(page, seen);
          await page.goto(
            `${base}/${encodeURIComponent(`"><script>window.${PWNED}=1</script>`)}/x`,
          );
          assert.match(await text(page, "main p"), /is not a package name/);
          await assertInert(page, seen);
          await page.goto(
            `${base}/x/y/z/${encodeURIComponent(`<script>window.${PWNED}=1</script>`)}`,
          );
          assert.match(await text(page, "main p"), /^There is no page at “\/x\/y\/z\/<script>/);
          await assertInert(page, seen);
          // Even a script injected into the page is refused by the Content-Security-Policy.
          await page.goto(`${base}/evil/docs`);
          const before = seen.console.length;
          // Chromium reports the refusal on the console; wait for that report rather than for a
          // guessed time (the limit only ends a wait that would never end).
          const reported = page.waitForEvent("console", {
            predicate: (m) => /Content Security Policy/.test(m.text()),
            timeout: 30_000,
          });
          reported.catch(() => {}); // awaited below, unless an assertion fails first
          await page.evaluate(`(() => {
          const s = document.createElement("script");
          s.textContent = "window.__cspRan = true";
          document.body.append(s);
        })()`);
          // An inline script runs as it is appended: had the policy let it, the flag is set now.
          assert.equal(await page.evaluate("window.__cspRan"), undefined);
          await reported;
          assert.ok(
            seen.console.slice(before).some((m) => /Content Security Policy/.test(m)),
            `the CSP refused the script: ${seen.console.slice(before)}`,
          );
        },
      );

      await t.step("the 404 page helps: similar names and a search box", async () => {
        const res = await page.goto(`${base}/docs/procesor`);
        assert.equal(res?.status(), 404);
        assert.equal(await text(page, "h1"), "Not found");
        assert.match(await text(page, "main"), /There is no package docs:procesor here/);
        assert.deepEqual((await linkTexts(page, "main ul.plain a")).slice(0, 1), [
          "docs:processor",
        ]);
        assert.equal(await page.getByLabel("Search packages").last().inputValue(), "docs:procesor");
        await shoot(page, "not-found");
        const bad = await page.goto(`${base}/Docs/Processor`);
        assert.equal(bad?.status(), 404);
        assert.match(await text(page, "main"), /is not a package name/);
        assert.deepEqual((await linkTexts(page, "main ul.plain a")).slice(0, 1), [
          "docs:processor",
        ]);
        const version = await page.goto(`${base}/docs/processor@9.9.9`);
        assert.equal(version?.status(), 404);
        assert.match(
          await text(page, "main"),
          /docs:processor has no version 9\.9\.9\. It has 0\.1\.0\./,
        );
        // The API keeps its JSON answers.
        const json = await page.goto(`${base}/api/v1/nothing`);
        assert.equal(json?.status(), 404);
        assert.match(json?.headers()["content-type"] ?? "", /application\/json/);
      });

      await t.step(
        "every page and asset carried the Content-Security-Policy and the other headers",
        () => {
          const pages = seen.documents.filter((d) => !d.url.includes("/api/"));
          assert.ok(pages.length > 20, `${pages.length} responses seen`);
          for (const d of pages) {
            assert.equal(d.headers["content-security-policy"], CONTENT_SECURITY_POLICY, d.url);
            assert.equal(d.headers["x-content-type-options"], "nosniff", d.url);
            assert.equal(d.headers["referrer-policy"], "same-origin", d.url);
          }
          assert.ok(pages.some((d) => d.url.endsWith(".css") && d.status === 200));
          assert.ok(pages.some((d) => d.status === 404));
          // The only refusal was the script injected on purpose: the pages need nothing the
          // policy forbids (no inline style, no foreign image, no script).
          const violations = seen.console.filter((m) =>
            /Content Security Policy/.test(m) && !/inline script/.test(m)
          );
          assert.deepEqual(violations, []);
        },
      );
    } finally {
      await chromium?.close();
      await server?.stop();
    }
  },
});
