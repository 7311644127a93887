/**
 * `wreg login` on a real terminal: the token is asked for with echo off, so it never appears on
 * the screen, and what was typed (with a backspace edit) is what gets stored. A pseudo-terminal
 * from Python's standard `pty` module stands in for the user's terminal.
 */
import assert from "node:assert/strict";
import { ROOT } from "./cli_support.ts";
import { projectPython } from "../tools/python.ts";

/**
 * Runs `argv` on a new pseudo-terminal, types `keys` once the prompt shows, and prints everything
 * the terminal displayed (base64, so control bytes survive) when the program ends.
 */
const DRIVER = `
import base64, os, pty, select, sys, time
argv, keys, marker = sys.argv[3:], sys.argv[1].encode(), sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
seen, typed, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    if not typed and marker in seen:
        time.sleep(0.2)
        os.write(fd, keys)
        typed = True
_, status = os.waitpid(pid, 0)
print(base64.b64encode(seen).decode())
print(os.waitstatus_to_exitcode(status))
`;

Deno.test("wreg login on a terminal does not echo the token and stores what was typed", async () => {
  const root = await Deno.makeTempDir({ prefix: "wreg-login-tty-" });
  try {
    const token = "wreg_tty_secret_token_0123456789";
    // A typo, two backspaces (DEL, as terminals send them), then the rest and Enter.
    const keys = `${token.slice(0, 10)}XY\x7f\x7f${token.slice(10)}\r`;
    const out = await new Deno.Command(projectPython(), {
      args: [
        "-c",
        DRIVER,
        keys,
        "Token for",
        Deno.execPath(),
        "run",
        "-A",
        "--config",
        `${ROOT}/deno.json`,
        `${ROOT}/cli/main.ts`,
        "login",
        "--registry",
        "http://127.0.0.1:9/",
        "--no-verify",
      ],
      env: { WREG_CONFIG_DIR: `${root}/config`, NO_COLOR: "1" },
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const screen = new TextDecoder().decode(
      Uint8Array.from(atob(text[0]), (c) => c.charCodeAt(0)),
    );
    assert.equal(text[1], "0", `wreg login exited ${text[1]}; the terminal showed:\n${screen}`);
    assert.match(screen, /Token for http:\/\/127\.0\.0\.1:9/);
    assert.ok(!screen.includes(token.slice(0, 10)), `the token was echoed:\n${screen}`);
    assert.ok(!screen.includes(token.slice(10)), `the token was echoed:\n${screen}`);
    const config = JSON.parse(await Deno.readTextFile(`${root}/config/config.json`));
    assert.ok(
      JSON.stringify(config).includes(`"${token}"`),
      `the stored token is not the typed one: ${JSON.stringify(config)}`,
    );
    const mode = (await Deno.stat(`${root}/config/config.json`)).mode! & 0o777;
    assert.equal(mode, 0o600);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
