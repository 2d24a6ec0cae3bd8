// Builds the query page's editor bundle into the Python package:
//   src/kg/web/static/query/vendor/codemirror.js   (one minified ES module)
//   src/kg/web/static/query/vendor/LICENSES.txt    (the licence of every package in it)
// Run from frontend/:  npm ci && npm run build
// The bundle is committed, so serving the page needs neither Node nor the network.
import { build } from "esbuild";
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "src", "kg", "web", "static", "query", "vendor");
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: [join(here, "src", "codemirror.js")],
  outfile: join(outDir, "codemirror.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none", // collected whole into LICENSES.txt below instead
  metafile: true,
  logLevel: "info",
});

// Every npm package that contributed a file to the bundle, with its version and licence text.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = relative(here, input).match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const sections = [...packages].sort().map((name) => {
  const root = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const licenceFile = readdirSync(root).find((f) => /^licen[cs]e/i.test(f));
  if (!licenceFile) throw new Error(`${name} ships no licence file`);
  const text = readFileSync(join(root, licenceFile), "utf8").trim();
  return `${name}@${meta.version} (${meta.license})\n${"-".repeat(60)}\n${text}\n`;
});
writeFileSync(
  join(outDir, "LICENSES.txt"),
  "Third-party code bundled in codemirror.js (built by frontend/build.mjs).\n\n" +
    sections.join("\n"),
);
console.log(`bundled ${packages.size} packages: ${[...packages].sort().join(", ")}`);
