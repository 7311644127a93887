import { metadataStoreContract } from "./_contract.ts";
import { SqliteMetadataStore } from "./mod.ts";

metadataStoreContract("sqlite", async ({ now }) => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-sqlite-" });
  return {
    store: await SqliteMetadataStore.open(`${dir}/metadata.sqlite`, { now }),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});
