/**
 * The frame every page shares (head, header with a search box, footer), the stylesheet and the
 * icon, and the security headers pages are served with. The stylesheet is a static file whose
 * name carries a hash of its content, so it is cached for good and the Content-Security-Policy
 * needs no inline style.
 */
import { type Html, markup } from "./_html.ts";

/**
 * The Content-Security-Policy of every page: nothing runs (no script at all), styles and images
 * only from this origin, forms only submit here, nothing may frame the pages.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of every web response (pages, the stylesheet, the icon, the 404 page). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
});

/** The stylesheet: one file, no framework; readable on a phone and a laptop, light and dark. */
export const STYLE = `
:root{--bg:#fff;--fg:#1c2128;--muted:#57606a;--line:#d5dbe1;--soft:#f5f7f9;--code:#f6f8fa;
--accent:#5a3fc0;--accent-fg:#fff;--link:#4b2fb5;--add:#e3f6e8;--add-fg:#12622b;--del:#fde9ea;
--del-fg:#a1132a;--chg:#fff4d4;--chg-fg:#7a4b00;--kw:#a0279b;--ty:#0a6f83;--doc:#5d6a76;
--pkg:#a65300;--ann:#7d6500;--def:#1748c6;--shadow:0 1px 2px rgba(0,0,0,.06)}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e3e7ec;--muted:#9aa5b1;--line:#2d343c;
--soft:#161b21;--code:#12171d;--accent:#8f7aff;--accent-fg:#0f1216;--link:#b2a4ff;--add:#0f2e1a;
--add-fg:#7fdc9a;--del:#3a1219;--del-fg:#ff9aa8;--chg:#33280c;--chg-fg:#f5cd6b;--kw:#e38ce0;
--ty:#5fd0e2;--doc:#8d9aa6;--pkg:#f0a35a;--ann:#d8c05a;--def:#8fb1ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,"Noto Sans",sans-serif;
color:var(--fg);background:var(--bg)}
a{color:var(--link);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:3px}
.skip{position:absolute;left:-9999px;top:.5rem}
.skip:focus{left:.5rem;z-index:10;background:var(--bg);padding:.4rem .8rem}
header.site{background:var(--soft);border-bottom:1px solid var(--line)}
.bar{max-width:74rem;margin:0 auto;padding:.55rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;
align-items:center}
.brand{display:flex;align-items:center;gap:.45rem;font-weight:750;font-size:1.2rem;color:var(--fg);
text-decoration:none;letter-spacing:-.01em}
.brand img{width:28px;height:28px;display:block}
.bar form{flex:1 1 16rem;display:flex;gap:.4rem;min-width:0}
.bar nav{display:flex;gap:1rem;font-size:.95rem}
.bar nav a{color:var(--muted);text-decoration:none}
.bar nav a:hover{color:var(--fg);text-decoration:underline}
input,select,button{font:inherit;font-size:.95rem}
input[type=search],input[type=text],select{padding:.45rem .65rem;border:1px solid var(--line);
border-radius:7px;background:var(--bg);color:var(--fg);min-width:0}
.bar input[type=search]{flex:1}
button{padding:.45rem 1rem;border:1px solid var(--accent);border-radius:7px;background:var(--accent);
color:var(--accent-fg);font-weight:600;cursor:pointer}
button:hover{filter:brightness(1.08)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
main{max-width:74rem;margin:0 auto;padding:1.3rem 1rem 3rem;overflow-wrap:anywhere}
time{white-space:nowrap}
footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
footer.site div{max-width:74rem;margin:0 auto;padding:1rem}
h1{font-size:1.75rem;line-height:1.25;margin:.2rem 0 .5rem;overflow-wrap:anywhere;letter-spacing:-.01em}
h2{font-size:1.25rem;margin:2.2rem 0 .7rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.6rem 0 .35rem;overflow-wrap:anywhere}
h3 .kind{color:var(--muted);font-weight:500}
p{margin:.4rem 0 .8rem}
code,pre,kbd{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;
font-size:.86em}
code{overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;
overflow-x:auto;line-height:1.5;margin:.5rem 0 1rem}
pre code{overflow-wrap:normal}
.lead{font-size:1.08rem;color:var(--fg);max-width:48rem}
.muted,.note{color:var(--muted)}
.note{font-size:.92rem}
.badge{display:inline-block;font-size:.72rem;font-weight:650;line-height:1.6;padding:0 .55rem;
border-radius:999px;border:1px solid var(--line);background:var(--soft);color:var(--muted);
vertical-align:.15em;white-space:nowrap;text-transform:uppercase;letter-spacing:.03em}
.badge.component{color:var(--ty);border-color:currentColor}
.badge.wit-package{color:var(--kw);border-color:currentColor}
.badge.yanked,.badge.breaking{background:var(--del);color:var(--del-fg);border-color:currentColor}
.badge.pre{background:var(--chg);color:var(--chg-fg);border-color:currentColor}
.badge.ok{background:var(--add);color:var(--add-fg);border-color:currentColor}
.crumbs{font-size:.9rem;color:var(--muted);margin:0}
.crumbs a{color:var(--muted)}
.install{display:flex;align-items:center;gap:.6rem;flex-wrap:wrap;margin:.8rem 0 .4rem}
.install pre{margin:0;padding:.45rem .8rem;flex:0 1 auto;max-width:100%}
.install span{font-size:.9rem;color:var(--muted)}
.callout{border:1px solid var(--line);border-left:4px solid var(--accent);background:var(--soft);
padding:.6rem .9rem;border-radius:6px;margin:.8rem 0}
.callout.warn{border-left-color:var(--del-fg)}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 20rem;gap:2.2rem;align-items:start}
.layout>aside{border-left:1px solid var(--line);padding-left:1.4rem}
.layout>aside h2{font-size:1rem;margin:1.4rem 0 .5rem}
.layout>aside h2:first-child{margin-top:.3rem}
@media (max-width:56rem){.layout{grid-template-columns:minmax(0,1fr);gap:.5rem}
.layout>aside{border-left:0;padding-left:0;border-top:1px solid var(--line)}}
dl.facts{display:grid;grid-template-columns:auto minmax(0,1fr);gap:.25rem .8rem;margin:0;font-size:.92rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.plain{list-style:none;padding:0;margin:.3rem 0}
ul.plain li{padding:.2rem 0}
ul.versions{list-style:none;padding:0;margin:0;font-size:.92rem}
ul.versions li{display:flex;flex-wrap:wrap;gap:.2rem .5rem;align-items:baseline;padding:.28rem 0;
border-bottom:1px solid var(--line)}
ul.versions li.current{font-weight:650}
ul.versions time{color:var(--muted);margin-left:auto;font-variant-numeric:tabular-nums}
ul.versions .changes{font-size:.85rem}
ul.results{list-style:none;padding:0;margin:.5rem 0}
ul.results li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.results .name{font-weight:650;font-size:1.05rem;overflow-wrap:anywhere}
ul.results p{margin:.2rem 0 0;color:var(--muted)}
.hero{padding:1.2rem 0 .6rem}
.hero h1{font-size:2rem}
.hero form{display:flex;gap:.5rem;max-width:40rem;margin:1rem 0 .5rem}
.hero input[type=search]{flex:1;font-size:1.05rem;padding:.6rem .8rem}
.totals{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:.8rem;margin:1.4rem 0;padding:0;
list-style:none}
.totals li{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem}
.totals b{display:block;font-size:1.4rem;font-variant-numeric:tabular-nums}
.totals span{color:var(--muted);font-size:.88rem}
@media (max-width:40rem){.totals{grid-template-columns:repeat(2,minmax(0,1fr))}
.hero form{flex-direction:column}h1{font-size:1.45rem}.hero h1{font-size:1.6rem}}
form.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.7rem 1rem;
background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:.5rem 0 1rem}
form.filters label{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem;font-weight:600}
form.filters input,form.filters select{font-weight:400}
form.filters .hint{font-weight:400;color:var(--muted);font-size:.8rem}
form.filters .actions{display:flex;align-items:end;gap:.6rem}
.world{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:1rem}
.world section{border:1px solid var(--line);border-radius:8px;padding:.3rem 1rem .6rem}
.world h3{margin:.6rem 0 .3rem}
.world li{overflow-wrap:anywhere}
ul.caps{list-style:none;padding:0;margin:.3rem 0}
ul.caps li{padding:.45rem .7rem;border:1px solid var(--line);border-radius:7px;margin:.35rem 0;
background:var(--soft)}
ul.caps li small{display:block;color:var(--muted);overflow-wrap:anywhere}
ul.caps li.pure{border-color:var(--add-fg);background:var(--add);color:var(--add-fg)}
.item{margin-bottom:1.6rem}
ul.items li{padding:.25rem 0;border-bottom:1px dashed var(--line)}
ul.items li:last-child{border-bottom:0}
.pkgname{font-weight:650}
details.deps{margin:.4rem 0 1rem}
details.deps summary{cursor:pointer;color:var(--link);overflow-wrap:anywhere}
.users{font-size:.92rem;margin:.2rem 0 0}
.users b{font-weight:600}
.w-kw{color:var(--kw)}.w-ty{color:var(--ty)}.w-doc,.w-com{color:var(--doc);font-style:italic}
.w-pkg{color:var(--pkg)}.w-ann{color:var(--ann)}.w-num{color:var(--ty)}
a.w-ref,a.w-pkg,a.w-def{text-decoration:none}
a.w-ref:hover,a.w-pkg:hover,a.w-def:hover{text-decoration:underline}
a.w-def{color:var(--def);font-weight:650}
a.w-ref{color:inherit;border-bottom:1px dotted var(--muted)}
a.w-pkg{border-bottom:1px dotted var(--pkg)}
:target{background:var(--chg);border-radius:3px}
.verdict{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;border-radius:8px;
padding:.8rem 1rem;margin:.8rem 0;border:1px solid currentColor}
.verdict.ok{background:var(--add);color:var(--add-fg)}
.verdict.breaking{background:var(--del);color:var(--del-fg)}
.verdict strong{font-size:1.1rem}
form.pick{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.6rem 0}
form.pick label{display:flex;flex-direction:column;font-size:.85rem;gap:.15rem}
ul.changes{list-style:none;padding:0;margin:.4rem 0}
ul.changes li{border:1px solid var(--line);border-left-width:5px;border-radius:6px;padding:.5rem .8rem;
margin:.45rem 0}
ul.changes li.added{border-left-color:var(--add-fg)}
ul.changes li.removed{border-left-color:var(--del-fg)}
ul.changes li.changed{border-left-color:var(--chg-fg)}
ul.changes .what{font-weight:650}
ul.changes li.added .what{color:var(--add-fg)}
ul.changes li.removed .what{color:var(--del-fg)}
ul.changes li.changed .what{color:var(--chg-fg)}
ul.changes pre{margin:.35rem 0 0;padding:.35rem .6rem}
ul.changes pre.old{background:var(--del)}
ul.changes pre.new{background:var(--add)}
.difftext{border:1px solid var(--line);border-radius:8px;overflow-x:auto;background:var(--code)}
.difftext table{border-collapse:collapse;width:100%;font-family:ui-monospace,SFMono-Regular,
"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.82rem;line-height:1.5}
.difftext td{padding:0 .6rem;white-space:pre;vertical-align:top}
.difftext td.n{color:var(--muted);text-align:right;user-select:none;width:1%;padding:0 .4rem}
.difftext tr.add{background:var(--add)}.difftext tr.del{background:var(--del)}
.difftext tr.add td.t::before{content:"+ ";color:var(--add-fg)}
.difftext tr.del td.t::before{content:"- ";color:var(--del-fg)}
.difftext tr.same td.t::before{content:"  "}
.difftext tr.fold td{color:var(--muted);background:var(--soft);font-style:italic;padding:.15rem .6rem}
figure.composed{margin:.6rem 0 1rem}
figure.composed svg{max-width:100%;height:auto;display:block;border:1px solid var(--line);
border-radius:8px;background:var(--soft)}
.cf-box rect{fill:var(--bg);stroke:var(--line);stroke-width:1.5}
.cf-root rect{stroke:var(--accent);stroke-width:2.5}
a.cf-box:hover rect,a.cf-box:focus rect{stroke:var(--link);stroke-width:3}
.cf-name{font:600 13px ui-monospace,SFMono-Regular,"DejaVu Sans Mono",monospace;fill:var(--fg)}
.cf-digest{font:11px ui-monospace,SFMono-Regular,"DejaVu Sans Mono",monospace;fill:var(--muted)}
.cf-edge line{stroke:var(--accent);stroke-width:2}
.cf-head{fill:var(--accent)}
.cf-edge text{font:11px ui-monospace,SFMono-Regular,"DejaVu Sans Mono",monospace;fill:var(--fg)}
.cf-legend{font:11px system-ui,sans-serif;fill:var(--muted)}
figure.composed figcaption{font-size:.9rem}
.notfound{max-width:44rem}
.notfound form{display:flex;gap:.5rem;margin:1rem 0}
.notfound input[type=search]{flex:1}
`.trim();

/** A short hash of a text (FNV-1a), for file names that change with their content. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The stylesheet's path: its name carries a hash of its content (cached for good). */
export const STYLE_PATH = `/-/style.${shortHash(STYLE)}.css`;

/** The icon. */
export const ICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#5a3fc0"/><path d="M7 10h5v5H7zM20 10h5v5h-5zM13.5 17h5v5h-5z" fill="#fff"/><path d="M12 12.5h8M10 15v4.5h3.5M22 15v4.5h-3.5" stroke="#fff" stroke-width="1.6" fill="none"/></svg>`;

/** The icon's path. */
export const ICON_PATH = `/-/icon.${shortHash(ICON_SVG)}.svg`;

/** What a page says about itself. */
export interface PageOptions {
  /** The title, before " · wreg". */
  title: string;
  /** One sentence for the description meta tag. */
  description?: string;
  /** The body inside `<main>`. */
  body: Html;
  /** The text already in the header's search box. */
  query?: string;
  /** Leave out the header's search box (the home page has its own). */
  bareHeader?: boolean;
}

/**
 * A whole page: doctype, head (title, description, viewport, stylesheet, icon), a header with
 * the name and a search box, the body in `<main id="main">`, a footer.
 */
export function page(options: PageOptions): Html {
  const search = options.bareHeader ? "" : markup`<form action="/search" method="get" role="search">
<label class="sr-only" for="top-q">Search packages</label>
<input type="search" id="top-q" name="q" value="${
    options.query ?? ""
  }" placeholder="Search packages" autocomplete="off">
<button type="submit">Search</button>
</form>
`;
  const description = options.description === undefined
    ? ""
    : markup`<meta name="description" content="${options.description}">\n`;
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · wreg</title>
${description}<link rel="stylesheet" href="${STYLE_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="bar">
<a class="brand" href="/"><img src="${ICON_PATH}" alt="" width="28" height="28">wreg</a>
${search}<nav aria-label="Site"><a href="/search">Search by interface or world</a><a href="/api/v1">API</a></nav>
</div></header>
<main id="main">
${options.body}
</main>
<footer class="site"><div>wreg, a registry of WebAssembly components and WIT packages. Everything shown here comes from the published packages; the JSON API serves the same data under <a href="/api/v1">/api/v1</a>.</div></footer>
</body>
</html>
`;
}
