import { blobStoreContract } from "./_contract.ts";
import { FsBlobStore } from "./mod.ts";

blobStoreContract("file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-blobs-" });
  return {
    store: await FsBlobStore.open(`${dir}/blobs`),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});
