import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { openStorage, verifyStorage } from "./mod.ts";

const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;

interface Ack {
  name: string;
  version: string;
  digest: string;
}

/** Runs the child until it acknowledged `acks` publishes, then kills it with SIGKILL. */
async function runAndKill(
  dataDir: string,
  acks: number,
  delayMs: number,
): Promise<{ acked: Ack[]; strays: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, dataDir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const acked: Ack[] = [];
  let buffer = "";
  let killed = false;
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const [word, name, version, digest] = buffer.slice(0, nl).split(" ");
      buffer = buffer.slice(nl + 1);
      assert.equal(word, "ack");
      acked.push({ name, version, digest });
    }
    if (!killed && acked.length >= acks) {
      killed = true;
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill("SIGKILL");
    }
  }
  const status = await child.status;
  const err = await stderr;
  assert.equal(status.signal, "SIGKILL", `the child ended on its own: ${err}`);
  let strays = 0;
  for await (const _ of Deno.readDir(`${dataDir}/blobs/tmp`)) strays++;
  return { acked, strays };
}

Deno.test({
  name:
    "storage after kill -9: every acknowledged publish is there and intact, nothing half-published",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "wreg-crash-" });
    try {
      const all: Ack[] = [];
      let strayRounds = 0;
      const rounds: [number, number][] = [[3, 0], [8, 7], [5, 13], [12, 3], [6, 21]];
      for (const [acks, delay] of rounds) {
        const { acked, strays } = await runAndKill(dataDir, acks, delay);
        all.push(...acked);
        if (strays > 0) strayRounds++;
        // A stray upload planted by hand as well, so the clean-up is always exercised.
        await Deno.writeFile(`${dataDir}/blobs/tmp/planted.part`, new Uint8Array(10));

        const storage = await openStorage({ dataDir });
        try {
          assert.ok(storage.blobs.removedTempFiles >= 1);
          const tmp = [];
          for await (const e of Deno.readDir(`${dataDir}/blobs/tmp`)) tmp.push(e.name);
          assert.deepEqual(tmp, []);
          for (const a of all) {
            const v = await storage.metadata.getVersion(
              parsePackageName(a.name),
              parseVersion(a.version),
            );
            assert.ok(v, `acknowledged ${a.name}@${a.version} is missing`);
            assert.equal(v.digest, a.digest);
            const body = await storage.blobs.get(v.digest);
            const hash = createHash("sha256");
            for await (const chunk of body.stream) hash.update(chunk);
            assert.equal(`sha256:${hash.digest("hex")}`, a.digest);
            const rows = await storage.metadata.searchRowsOf(
              parsePackageName(a.name),
              parseVersion(a.version),
            );
            assert.equal(
              rows.length,
              2,
              `${a.name}@${a.version} is visible without its search rows`,
            );
          }
          // At most one commit can have landed after the last acknowledgement was printed.
          const totals = await storage.metadata.totals();
          assert.ok(
            totals.versions === all.length || totals.versions === all.length + 1,
            `${totals.versions} versions for ${all.length} acknowledgements`,
          );
          if (totals.versions === all.length + 1) {
            const page = await storage.metadata.listVersions({ limit: 1000 });
            const extra = page.find((v) =>
              !all.some((a) => a.name === v.package && a.version === v.version)
            )!;
            all.push({ name: extra.package, version: extra.version, digest: extra.digest });
          }
          // Every visible version, acknowledged or not, has an intact blob of the recorded size.
          const report = await verifyStorage(storage, { rehash: true });
          assert.equal(report.versions, all.length);
          assert.deepEqual(report.missing, []);
          assert.deepEqual(report.corrupt, []);
        } finally {
          await storage.close();
        }
      }
      console.log(
        `crash test: ${rounds.length} kills, ${all.length} versions checked, ` +
          `${strayRounds} kills left an unfinished upload behind`,
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
