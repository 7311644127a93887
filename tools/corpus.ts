/**
 * Where the shared test corpus is (real components, WIT packages and peers' test suites, read in
 * place and never copied): `WREG_CORPUS` when set, else `../shared/corpus` beside the checkout,
 * else `/work/shared/corpus` (the workplace's fixed location, for clones made elsewhere).
 *
 * @module
 */

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function locate(): string {
  const fromEnv = Deno.env.get("WREG_CORPUS");
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    new URL("../../shared/corpus", import.meta.url).pathname,
    "/work/shared/corpus",
  ];
  const found = candidates.find(isDir);
  if (found === undefined) {
    throw new Error(
      `Cannot find the shared corpus (looked in ${candidates.join(", ")}): set WREG_CORPUS`,
    );
  }
  return found.endsWith("/") ? found : `${found}/`;
}

/** Absolute path of the corpus folder, ending in `/`. */
export const CORPUS: string = locate();
