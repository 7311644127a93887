/** What both blob stores share for the parts of uploads in progress. */
import { StorageError } from "./_errors.ts";
import { checkOciId } from "./_oci_rules.ts";

/** Checks an upload id and a part id (`[a-z0-9-]`, 1 to 64 characters; they name files). */
export function checkPartIds(upload: string, part?: string): void {
  checkOciId(upload);
  if (part !== undefined) checkOciId(part, "part id");
}

/** `not-found` for a part. */
export function partNotFound(upload: string, part: string): StorageError {
  return new StorageError("not-found", `Cannot find part "${part}" of upload "${upload}"`, {
    upload,
    part,
  });
}

/**
 * One stream of several, read one after the other: `open(part)` is called when the previous
 * part has ended, so only one is open at a time; a failure to open fails the stream.
 */
export function concatParts(
  parts: readonly string[],
  open: (part: string) => Promise<ReadableStream<Uint8Array>>,
): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (true) {
          if (reader === undefined) {
            if (index >= parts.length) {
              controller.close();
              return;
            }
            reader = (await open(parts[index++])).getReader();
          }
          const step = await reader.read();
          if (!step.done) {
            controller.enqueue(step.value);
            return;
          }
          reader.releaseLock();
          reader = undefined;
        }
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
