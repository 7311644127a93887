import assert from "node:assert/strict";
import {
  escapeHtml,
  escapeText,
  externalHref,
  Html,
  join,
  markup,
  queryString,
  trustedHtml,
} from "./_html.ts";

const HOSTILE = `<script>alert("x")</script>"'&><img src=x onerror='y'>`;

Deno.test("escapeHtml replaces the five characters markup needs and nothing else", () => {
  assert.equal(escapeHtml(`&<>"'`).value, "&amp;&lt;&gt;&quot;&#39;");
  assert.equal(escapeHtml("plain text, ünïcode, `ticks`").value, "plain text, ünïcode, `ticks`");
  assert.equal(escapeText("a&amp;b"), "a&amp;amp;b");
});

Deno.test("every interpolation of markup is escaped: text, numbers, lists, nested lists", () => {
  const out = markup`<p title="${HOSTILE}">${HOSTILE}${[HOSTILE, [HOSTILE]]}${42}</p>`.value;
  assert.ok(!out.includes("<script"));
  assert.ok(!out.includes("<img"));
  assert.ok(!out.includes(`"'`));
  assert.equal(out.split("&lt;script&gt;").length - 1, 4);
  assert.match(out, /^<p title="&lt;script&gt;alert\(&quot;x&quot;\)/);
  assert.ok(out.endsWith("42</p>"));
});

Deno.test("markup made by the tag passes through it unchanged; plain strings never do", () => {
  const inner = markup`<b>${HOSTILE}</b>`;
  assert.equal(markup`<p>${inner}</p>`.value, `<p>${inner.value}</p>`);
  // A string that looks like markup is still text.
  assert.equal(markup`${"<b>x</b>"}`.value, "&lt;b&gt;x&lt;/b&gt;");
  // An object that only claims to be markup is text too.
  const fake = { value: "<script>", toString: () => "<script>" };
  assert.equal(markup`${fake as unknown as string}`.value, "&lt;script&gt;");
  assert.ok(inner instanceof Html);
});

Deno.test("null, undefined and false add nothing; true and zero are text", () => {
  assert.equal(markup`[${null}${undefined}${false}]`.value, "[]");
  assert.equal(markup`[${true}${0}]`.value, "[true0]");
});

Deno.test("join escapes items and separators alike", () => {
  assert.equal(join(["<a>", markup`<b>`], "<,>").value, "&lt;a&gt;&lt;,&gt;<b>");
  assert.equal(join([]).value, "");
});

Deno.test("trustedHtml is the only way to mark text as markup", () => {
  assert.equal(trustedHtml("<i>ok</i>").value, "<i>ok</i>");
});

Deno.test("externalHref keeps http and https links and drops every other scheme", () => {
  assert.equal(externalHref("https://example.com/a?b=c"), "https://example.com/a?b=c");
  assert.equal(externalHref(" http://example.com "), "http://example.com/");
  for (
    const bad of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>",
      "vbscript:x",
      "file:///etc/passwd",
      "//evil.example",
      "/relative",
      '"><img onerror=x>',
      "",
      "x".repeat(3000),
    ]
  ) assert.equal(externalHref(bad), undefined, bad);
  assert.equal(externalHref(42), undefined);
  assert.equal(externalHref(null), undefined);
});

Deno.test("queryString encodes values and leaves empty ones out", () => {
  assert.equal(
    queryString({ q: `a b&c="<>"`, world: undefined, kind: "" }),
    "?q=a+b%26c%3D%22%3C%3E%22",
  );
  assert.equal(queryString({}), "");
});
