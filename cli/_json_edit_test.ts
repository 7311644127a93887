import assert from "node:assert/strict";
import {
  getJsonValue,
  JsonEditError,
  parseJsonc,
  removeJsonValue,
  setJsonValue,
} from "./_json_edit.ts";

const USER = `{
  // A comment the user wrote.
  "tasks": { "start": "deno run main.ts" },
  "imports": {
    "utils/": "./utils/"
  },
  "fmt": { "lineWidth": 80 } /* trailing block comment */
}
`;

Deno.test("a new key goes after the last member, indented like its siblings", () => {
  const out = setJsonValue(
    USER,
    ["imports", "docs:scrubber"],
    "./wreg_modules/docs/scrubber/mod.ts",
  );
  assert.equal(
    out,
    USER.replace(
      '"utils/": "./utils/"\n',
      '"utils/": "./utils/",\n    "docs:scrubber": "./wreg_modules/docs/scrubber/mod.ts"\n',
    ),
  );
});

Deno.test("a missing parent object is created with the whole path", () => {
  const out = setJsonValue(USER, ["scopes", "./wreg_modules/"], { a: "b" });
  assert.ok(out.startsWith(USER.slice(0, USER.indexOf(" /* trailing"))));
  assert.ok(out.endsWith("} /* trailing block comment */\n}\n"), out);
  assert.deepEqual(parseJsonc(out), {
    tasks: { start: "deno run main.ts" },
    imports: { "utils/": "./utils/" },
    fmt: { lineWidth: 80 },
    scopes: { "./wreg_modules/": { a: "b" } },
  });
  assert.match(
    out,
    /,\n {2}"scopes": \{\n {4}"\.\/wreg_modules\/": \{\n {6}"a": "b"\n {4}\}\n {2}\}/,
  );
});

Deno.test("setting then removing an entry gives back the text byte for byte", () => {
  let t = setJsonValue(USER, ["imports", "docs:scrubber"], "./x.ts");
  t = setJsonValue(t, ["scopes", "./wreg_modules/"], { a: "b", c: "d" });
  t = removeJsonValue(t, ["scopes", "./wreg_modules/"]);
  t = removeJsonValue(t, ["scopes"]);
  t = removeJsonValue(t, ["imports", "docs:scrubber"]);
  assert.equal(t, USER);
});

Deno.test("an existing value is replaced in place", () => {
  const out = setJsonValue(USER, ["imports", "utils/"], "./lib/");
  assert.equal(out, USER.replace('"./utils/"', '"./lib/"'));
});

Deno.test("inline objects, empty objects, tabs and trailing commas keep their style", () => {
  assert.equal(setJsonValue('{"a": 1}', ["b"], 2), '{"a": 1, "b": 2}');
  assert.equal(
    setJsonValue("{}", ["imports", "x"], "y"),
    '{\n  "imports": {\n    "x": "y"\n  }\n}',
  );
  assert.equal(setJsonValue("", ["a"], 1), '{\n  "a": 1\n}\n');
  assert.equal(
    setJsonValue('{\n\t"a": 1,\n}\n', ["b"], { c: 2 }),
    '{\n\t"a": 1,\n\t"b": {\n\t\t"c": 2\n\t},\n}\n',
  );
});

Deno.test("removing the first, a middle and the only member leaves valid JSON", () => {
  const t = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n';
  assert.equal(removeJsonValue(t, ["a"]), '{\n  "b": 2,\n  "c": 3\n}\n');
  assert.equal(removeJsonValue(t, ["b"]), '{\n  "a": 1,\n  "c": 3\n}\n');
  assert.equal(removeJsonValue(t, ["c"]), '{\n  "a": 1,\n  "b": 2\n}\n');
  assert.equal(removeJsonValue('{"a": {"x": 1}}', ["a", "x"]), '{"a": {}}');
  assert.equal(removeJsonValue(t, ["nope"]), t);
  assert.equal(removeJsonValue(t, ["a", "deeper"]), t);
});

Deno.test("strings with braces, slashes and escapes are not mistaken for structure", () => {
  const t = '{"a": "}{//\\"", "b": "/* no */"}';
  assert.deepEqual(parseJsonc(t), { a: '}{//"', b: "/* no */" });
  assert.equal(getJsonValue(setJsonValue(t, ["c"], true), ["c"]), true);
});

Deno.test("text that is not JSON is refused with a position", () => {
  assert.throws(() => setJsonValue('{"a": }', ["b"], 1), (e: unknown) => {
    assert.ok(e instanceof JsonEditError);
    assert.match(e.message, /Expected a JSON value at line 1, column 7/);
    return true;
  });
  assert.throws(() => setJsonValue('{"a": 1} x', ["b"], 1), JsonEditError);
  assert.throws(() => setJsonValue('{"a": [1]}', ["a", "b"], 1), /it is not an object/);
});
