/**
 * The registry's web index: server-rendered HTML pages to browse packages, search by interface
 * and world, read WIT and see what changed between versions. Pages are rendered from the version
 * documents written at publish time (registry/_document.ts), never by decoding a component per
 * request; everything a package brings is escaped ({@link html}); every answer carries a
 * Content-Security-Policy that allows no script ({@link CONTENT_SECURITY_POLICY}).
 *
 * | path                                   | page                                              |
 * | -------------------------------------- | ------------------------------------------------- |
 * | `/`                                    | search box, totals, recently published            |
 * | `/search?q=&exports=&imports=&world=`  | search with filters (`kind`, `host=none`)          |
 * | `/{namespace}/{name}`                  | the package at its latest version                 |
 * | `/{namespace}/{name}@{version}`        | the package at one version                        |
 * | `/{namespace}/{name}/diff/{a}...{b}`   | the WIT API diff between two versions             |
 * | `/{namespace}/{name}/diff?from=&to=`   | redirects to the diff (the version pickers' form) |
 * | `/log`                                 | the transparency log: size, checkpoint, how to verify |
 * | `/-/style.{hash}.css`, `/-/icon.{hash}.svg` | the stylesheet and the icon                  |
 *
 * The renderers are pure functions of plain views (`renderHome`, `renderSearch`,
 * `renderPackage`, `renderDiff`, `renderNotFound`); the handlers gather the views.
 *
 * @module
 */
export { escapeHtml, externalHref, Html, type Interpolation, join, markup } from "./_html.ts";
export {
  CONTENT_SECURITY_POLICY,
  ICON_PATH,
  page,
  type PageOptions,
  SECURITY_HEADERS,
  STYLE,
  STYLE_PATH,
} from "./_layout.ts";
export { type Capability, type CapabilitySummary, summarizeCapabilities } from "./_capabilities.ts";
export {
  componentLabel,
  type ComposedFromDoc,
  composedFromSvg,
  layerComponents,
} from "./_composed_svg.ts";
export { type DiffHunk, type DiffLine, diffLines, hunks } from "./_line_diff.ts";
export { type HighlightedWit, highlightWit, lexWit, type WitLinks } from "./_wit_highlight.ts";
export { editDistance, similarNames } from "./_suggest.ts";
export { diffHref, downloadHref, packageHref, searchHref, type SearchParams } from "./_urls.ts";
export {
  type DiffView,
  formatBytes,
  type Found,
  type HomeView,
  type LogView,
  type NotFoundView,
  type PackageView,
  prose,
  renderDiff,
  renderHome,
  renderLog,
  renderNotFound,
  renderPackage,
  renderSearch,
  type SearchView,
} from "./_pages.ts";
export {
  asset,
  diffForm,
  diffPage,
  homePage,
  logPage,
  notFoundPage,
  packagePage,
  type PageHandler,
  searchPage,
  unknownPathPage,
  wantsPage,
} from "./_handlers.ts";
