import { blobStoreContract, metadataStoreContract } from "./_contract.ts";
import { MemoryBlobStore, MemoryMetadataStore } from "./mod.ts";

const noCleanup = () => Promise.resolve();

blobStoreContract(
  "memory",
  () => Promise.resolve({ store: new MemoryBlobStore(), cleanup: noCleanup }),
);
metadataStoreContract(
  "memory",
  ({ now }) => Promise.resolve({ store: new MemoryMetadataStore({ now }), cleanup: noCleanup }),
);
