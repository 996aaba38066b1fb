/**
 * `npm run docs`: render every API's reference into docs/api/ as self-contained HTML that
 * works offline (no CDN), plus docs/api/index.html listing the APIs.
 *
 * OpenAPI: `redocly build-docs` prerenders the page but hydrates it from a CDN script; the
 * same redoc bundle ships inside @redocly/cli, so it is inlined in place of that import.
 * AsyncAPI: scripts/asyncapi-docs.ts (@asyncapi/generator + html-template, single file).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { readApis, ROOT, type ApiEntry } from "./api-registry.js";

const OUT = join(ROOT, "docs", "api");

export function redocBundle(): string {
  const require = createRequire(import.meta.url);
  const cliDir = dirname(require.resolve("@redocly/cli/package.json"));
  const text = readFileSync(join(cliDir, "lib", "chunks", "redoc.standalone.js"), "utf8");
  // The bundle is an ES module ending in `export{RedocStandalone,hydrate,init}`: inline it as
  // module-scope declarations. `</script` inside string literals would end the tag early.
  return text.replace(/export\s*\{[^}]*\}\s*;?\s*$/, "").replace(/<\/script/gi, "<\\/script");
}

/** Make a Redocly page self-contained: drop the CDN preload, inline the hydrate import. */
export function inlineRedoc(html: string, bundle: string): string {
  const out = html
    .replace(/<link rel="modulepreload" href="https:\/\/cdn\.redocly\.com\/[^"]*"[^>]*>/g, "")
    .replace(/import\s*\{\s*hydrate\s*\}\s*from\s*"https:\/\/cdn\.redocly\.com\/[^"]*";?/, () => bundle);
  const left = /<(?:script|link)[^>]*(?:src|href)="https?:\/\/[^"]*"/i.exec(out) ?? /from\s*"https?:\/\/[^"]*"/.exec(out);
  if (left) throw new Error(`docs page still loads a remote resource: ${left[0]}`);
  return out;
}

function openapiDocs(api: ApiEntry, bundle: string): string {
  const tmp = join(tmpdir(), `tradeapi-docs-${process.pid}-${api.name}.html`);
  execFileSync(join(ROOT, "node_modules/.bin/redocly"), ["build-docs", api.name, "-o", tmp], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  const html = inlineRedoc(readFileSync(tmp, "utf8"), bundle);
  rmSync(tmp, { force: true });
  const file = join(OUT, `${api.name}.html`);
  writeFileSync(file, html);
  return file;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function summary(api: ApiEntry): { title: string; version: string; count: string } {
  const doc = parse(readFileSync(join(ROOT, api.root), "utf8")) as Record<string, any>;
  if (api.kind === "openapi") {
    let n = 0;
    for (const item of Object.values(doc.paths ?? {})) for (const m of ["get", "post", "put", "delete", "patch"]) if ((item as any)[m]) n++;
    return { title: doc.info?.title ?? api.name, version: doc.info?.version ?? "", count: `${n} operations` };
  }
  return { title: doc.info?.title ?? api.name, version: doc.info?.version ?? "", count: `${Object.keys(doc.components?.messages ?? {}).length} messages` };
}

function indexPage(apis: ApiEntry[]): string {
  const rows = apis
    .map((a) => {
      const s = summary(a);
      return `<tr><td><a href="${a.name}.html">${escapeHtml(s.title)}</a></td><td><code>${a.name}</code></td><td>${a.kind === "openapi" ? "OpenAPI 3.1" : "AsyncAPI 3.0"}</td><td>${escapeHtml(s.version)}</td><td>${s.count}</td><td><code>${escapeHtml(a.root)}</code></td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradeapi: API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left}
th{background:#f5f5f5}code{font-size:90%}</style></head>
<body><h1>tradeapi: API reference</h1>
<p>Rendered from the hand-written specs in <code>specs/</code> by <code>npm run docs</code>. Every page works offline.</p>
<table><thead><tr><th>API</th><th>CLI name</th><th>Spec</th><th>Version</th><th>Size</th><th>Source</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

async function main(): Promise<void> {
  const apis = readApis();
  mkdirSync(OUT, { recursive: true });
  const bundle = redocBundle();
  for (const api of apis) {
    let file: string;
    if (api.kind === "openapi") file = openapiDocs(api, bundle);
    else {
      const mod = "./asyncapi-docs.js";
      const { buildAsyncApiDocs } = (await import(mod)) as { buildAsyncApiDocs(api: ApiEntry, outDir: string): Promise<string> };
      file = await buildAsyncApiDocs(api, OUT);
    }
    process.stdout.write(`wrote docs/api/${basename(file)}\n`);
  }
  writeFileSync(join(OUT, "index.html"), indexPage(apis));
  process.stdout.write("wrote docs/api/index.html\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) await main();
