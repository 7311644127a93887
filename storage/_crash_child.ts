/**
 * The child of storage/crash_test.ts: publishes versions (blob + commit) into a data directory as
 * fast as it can and prints `ack <package> <version> <digest>` after each commit returns, until
 * it is killed. Run: `deno run -A storage/_crash_child.ts <dataDir>`.
 */
import { digestOf, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { bytesOf, streamOf } from "./_contract.ts";
import { openStorage } from "./mod.ts";

const dataDir = Deno.args[0];
const storage = await openStorage({ dataDir });
let i = (await storage.metadata.totals()).versions;
const encoder = new TextEncoder();
while (true) {
  // 64 KiB to 1 MiB, so that a kill often lands in the middle of writing a blob.
  const bytes = bytesOf(65_536 + (i * 7919 % 15) * 65_536, i + 1);
  const digest = await digestOf(bytes);
  const put = await storage.blobs.put(streamOf(bytes, 65_536), { digest });
  const name = `crash:pkg${i % 5}`;
  const version = `1.0.${i}`;
  await storage.metadata.commitVersion({
    name: parsePackageName(name),
    version: parseVersion(version),
    kind: "component",
    digest: put.digest,
    size: put.size,
    publisher: "crash-test",
    document: { i },
    searchRows: [
      {
        relation: "exports",
        namespace: "crash",
        package: "api",
        name: "run",
        version: parseVersion(version),
      },
      {
        relation: "imports",
        namespace: "wasi",
        package: "cli",
        name: "stdout",
        version: parseVersion("0.2.0"),
      },
    ],
  });
  Deno.stdout.writeSync(encoder.encode(`ack ${name} ${version} ${digest}\n`));
  i++;
}
