// Front-end build: compile Sass and copy vendored JS. Run with `npm run build`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const nm = (p) => resolve(here, "node_modules", p);
const staticDir = resolve(root, "src/cpdnet/static/cpdnet");

// Source-map comments are dropped: the maps are not shipped, and collectstatic's manifest
// storage fails on references to files that do not exist.
function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  const text = readFileSync(from, "utf8").replace(/^\/\/# sourceMappingURL=.*$/gm, "");
  writeFileSync(to, text);
  console.log(`copied ${to.replace(root + "/", "")}`);
}

// 1. Sass -> compressed CSS
const result = sass.compile(resolve(here, "src/cpdnet.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(here)],
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});

// Strip GOV.UK branding the Sass settings cannot turn off: the footer's
// crown-copyright crest (.govuk-footer__copyright-logo::before, which points
// at govuk-crest.svg). Then drop any @media/@supports blocks left empty.
let css = result.css.replace(
  /(^|[{}])\.govuk-footer__copyright-logo::before\{[^{}]*\}/g,
  "$1",
);
for (let prev; prev !== css; ) {
  prev = css;
  css = css.replace(/@(?:media|supports)[^{}]*\{\}/g, "");
}

const cssOut = resolve(staticDir, "cpdnet.css");
mkdirSync(dirname(cssOut), { recursive: true });
writeFileSync(cssOut, css + "\n");
console.log(`wrote  ${cssOut.replace(root + "/", "")}`);

// 2. Vendored JavaScript
copy(nm("govuk-frontend/dist/govuk/govuk-frontend.min.js"), resolve(staticDir, "vendor/govuk-frontend.min.js"));
copy(nm("accessible-autocomplete/dist/accessible-autocomplete.min.js"), resolve(staticDir, "vendor/accessible-autocomplete.min.js"));
copy(nm("htmx.org/dist/htmx.min.js"), resolve(staticDir, "vendor/htmx.min.js"));
copy(nm("axe-core/axe.min.js"), resolve(root, "tests/browser/vendor/axe.min.js"));

// 3. No images copied: after the crest is stripped, the CSS references no
//    govuk-frontend assets (the only images shipped are favicon/crest
//    branding, deliberately excluded). Fail loudly if that ever changes.
const urls = [...css.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]);
const assetRefs = urls.filter((u) => !u.startsWith("#") && !u.startsWith("data:"));
if (assetRefs.length) {
  console.error("Unexpected asset url() references in CSS:", assetRefs);
  process.exit(1);
}
if (css.includes("GDS Transport") || css.includes("@font-face")) {
  console.error("GDS Transport font reference found in CSS");
  process.exit(1);
}
