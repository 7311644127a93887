/**
 * The examples/deno-app walk-through of README.md, for real: a registry process with the example
 * packages published, the example app copied to a fresh folder, `wreg add docs:scrubber` there,
 * then the program (`main.ts`) run and the HTTP gateway (`gateway.ts`) started and asked over
 * HTTP. Every call goes through the composed scrubber ← logger component in-process.
 */
import assert from "node:assert/strict";
import { publishExamples, type Registry, ROOT, Sandbox, startRegistry } from "./cli_support.ts";

const APP = `${ROOT}/examples/deno-app`;

async function copyApp(box: Sandbox): Promise<string> {
  const dir = await box.folder("app");
  for (const name of ["main.ts", "gateway.ts", "deno.json"]) {
    await Deno.copyFile(`${APP}/${name}`, `${dir}/${name}`);
  }
  return dir;
}

/** A port the kernel says is free now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForHealth(url: string, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) throw new Error("the gateway exited before it answered");
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok && await res.text() === "ok\n") return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the gateway did not answer /healthz within 60 s");
}

Deno.test("examples/deno-app: wreg add, then the program and the HTTP gateway use the component", async () => {
  const box = await Sandbox.create("wreg-deno-app-");
  let registry: Registry | undefined;
  let gateway: Deno.ChildProcess | undefined;
  try {
    registry = await startRegistry();
    await publishExamples(box, registry);
    const app = await copyApp(box);

    const added = await box.wregProcess(app, ["add", "docs:scrubber"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /"docs:scrubber"|docs:scrubber -> \.\/wreg_modules/);

    const check = await box.deno(app, ["check", "main.ts", "gateway.ts"]);
    assert.equal(check.code, 0, check.stderr);

    const run = await box.deno(app, ["task", "start"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      "My SSN is [REDACTED]\nMail [REDACTED] or call [REDACTED].\n",
    );
    // process() logs through the composed JS logger, which writes to standard error.
    assert.match(run.stderr, /\[info\] .*42.*examples\/deno-app/);

    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    gateway = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-env",
        "--allow-read",
        "--allow-net",
        "gateway.ts",
        "--port",
        `${port}`,
      ],
      cwd: app,
      env: {
        ...box.env,
        NO_COLOR: "1",
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await waitForHealth(url, gateway);

    const scrub = await fetch(`${url}/scrub`, {
      method: "POST",
      body: "SSN 123-45-6789, (555) 123-4567",
    });
    assert.equal(scrub.status, 200);
    assert.equal(await scrub.text(), "SSN [REDACTED], [REDACTED]");

    // Every request is its own component call; the same instance serves them in turn.
    const texts = await Promise.all(
      ["a@b.co", "nothing personal", "+1 555 123 4567"].map(async (body) =>
        await (await fetch(`${url}/scrub`, { method: "POST", body })).text()
      ),
    );
    assert.deepEqual(texts, ["[REDACTED]", "nothing personal", "[REDACTED]"]);

    const processed = await fetch(`${url}/process?id=7&source=gateway-test&priority=2`, {
      method: "POST",
      body: "call 555-123-4567",
    });
    assert.equal(await processed.text(), "call [REDACTED]");

    // Bad requests get clear answers and leave the gateway serving.
    const bad = await fetch(`${url}/process?id=-1`, { method: "POST", body: "x" });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /unsigned integers/);
    const wrongMethod = await fetch(`${url}/scrub`);
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();
    const missing = await fetch(`${url}/nope`, { method: "POST", body: "x" });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const again = await fetch(`${url}/scrub`, { method: "POST", body: "123-45-6789" });
    assert.equal(await again.text(), "[REDACTED]");

    gateway.kill("SIGTERM");
    const out = await gateway.output();
    gateway = undefined;
    assert.match(new TextDecoder().decode(out.stderr), /\[info\] .*7.*gateway-test/);
  } finally {
    if (gateway) {
      gateway.kill("SIGKILL");
      await gateway.output().catch(() => {});
    }
    await registry?.stop();
    await box.remove();
  }
});
