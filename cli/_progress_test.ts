import assert from "node:assert/strict";
import type { Io } from "./_command.ts";
import { DownloadProgress, formatBytes } from "./_progress.ts";

function io(isTerminal: boolean): { io: Io; err: string[] } {
  const err: string[] = [];
  return {
    io: { stdout: () => {}, stderr: (t) => void err.push(t), cwd: "/", env: {}, isTerminal },
    err,
  };
}

Deno.test("without a terminal each finished download is one plain line", () => {
  const { io: plain, err } = io(false);
  const p = new DownloadProgress(plain);
  const a = p.start("docs:logger@0.1.0");
  a.update(100, 2000);
  a.update(2000, 2000);
  a.done(1_600_000);
  p.finish();
  assert.deepEqual(err, ["downloaded docs:logger@0.1.0 (1.6 MB)\n"]);
});

Deno.test("on a terminal one line is redrawn in place, then a summary is left", async () => {
  const { io: tty, err } = io(true);
  const p = new DownloadProgress(tty);
  const a = p.start("docs:a@1.0.0");
  a.update(0, 1000);
  await new Promise((r) => setTimeout(r, 100));
  a.update(500, 1000);
  a.done(1000);
  p.finish();
  assert.ok(err.slice(0, -1).every((e) => e.startsWith("\r\x1b[K")));
  assert.match(err.join(""), /downloading 0\/1 \[-{24}\] 0 B docs:a@1\.0\.0/);
  assert.match(err.join(""), /downloading 0\/1 \[#{12}-{12}\] 500 B docs:a@1\.0\.0/);
  assert.equal(err.at(-1), "downloaded 1 package (1.0 KB)\n");
});

Deno.test("quiet progress prints nothing", () => {
  const { io: tty, err } = io(true);
  const p = new DownloadProgress(tty, { quiet: true });
  const a = p.start("x");
  a.update(1, 2);
  a.done(2);
  p.finish();
  assert.deepEqual(err, []);
});

Deno.test("sizes read like people write them", () => {
  assert.equal(formatBytes(812), "812 B");
  assert.equal(formatBytes(6555), "6.6 KB");
  assert.equal(formatBytes(1_599_445), "1.6 MB");
  assert.equal(formatBytes(2_500_000_000), "2.50 GB");
});
