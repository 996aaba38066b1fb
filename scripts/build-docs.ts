/**
 * `npm run docs`: the docs portal in docs/api/ (git-ignored), fully offline:
 *
 * - `<api>.html` for every API, OpenAPI and AsyncAPI alike, rendered by `redocly build-docs
 *   --inlineBundle` (Redoc ships inside @redocly/cli; it renders AsyncAPI 3 too, so every page
 *   has the same sidebar, search and layout) from a bundled copy of the spec that adds, per
 *   operation, its operationId at the top of the description and code samples
 *   (`x-codeSamples`, scripts/docs-samples.ts), and a sidebar logo linking back to the index.
 *   specs/ is never written.
 * - `<api>.asyncapi.html` for every AsyncAPI spec: the AsyncAPI initiative's own rendering
 *   (@asyncapi/generator with @asyncapi/html-template; scripts/asyncapi-docs.ts), linked from
 *   the index next to the Redoc page.
 * - `index.html`: the APIs and one search over every operation of all of them
 *   (scripts/docs-portal.ts), linking to each operation's section.
 * - `changelog-<api>.html`: that API's sections of CHANGELOG.md, if the file exists.
 *
 * Nothing is loaded from the network: the Redoc bundle's only remote resource (its attribution
 * logo on cdn.redoc.ly) is replaced by an inline image, and every page is checked.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseDocument, type Document } from "yaml";
import { readApis, ROOT, type ApiEntry } from "./api-registry.js";
import { remoteResource, renderAsyncApiView } from "./asyncapi-docs.js";
import { asyncApiViewFile, changelogPage, changelogSections, indexPage, portalApi, type PortalApi } from "./docs-portal.js";
import { asyncOperationSamples, CLIENTS, operationSamples, operationsOf, SAMPLE_LANGUAGES, type CodeSample } from "./docs-samples.js";

export const DOCS_OUT = join(ROOT, "docs", "api");

const svg = (body: string, w: number, h: number) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`)}`;

/** Sidebar logo of every Redoc page: a link back to the portal index. */
export const PORTAL_LOGO = svg(
  `<rect width="240" height="36" rx="6" fill="#f6f8fa" stroke="#d1d9e0"/><text x="12" y="23" font-family="system-ui,sans-serif" font-size="14" fill="#0969da">\u2190 tradeapi: all APIs, search</text>`,
  240,
  36,
);
/** Stands in for Redoc's attribution logo, which the bundle would load from cdn.redoc.ly. */
const REDOC_MARK = svg(`<text x="0" y="13" font-family="system-ui,sans-serif" font-size="12" font-weight="600" fill="#555">Redoc</text>`, 40, 16);

/** Remote resources Redoc's bundle would fetch, each with its inline stand-in. */
const REDOC_REMOTE: Array<[RegExp, string]> = [
  [/https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g, REDOC_MARK],
  // Icon sets for configured icons (font-awesome, code); these pages configure none. Pointed at
  // a local folder that does not exist, so a use would show as an error, never as a request.
  [/https:\/\/cdn\.redocly\.com\/icons\//g, "./redoc-icons/"],
];

/** Make a rendered Redoc page self-contained, or say what still needs the network. */
export function offlinePage(html: string): string {
  let out = html;
  for (const [re, local] of REDOC_REMOTE) out = out.replace(re, local);
  const left = remoteResource(out) ?? /https?:\/\/cdn\.[^"'`\s)]*/.exec(out)?.[0] ?? /\bfrom\s*["']https?:\/\/[^"']*/.exec(out)?.[0];
  if (left) throw new Error(`docs page still loads a remote resource: ${left}`);
  return out;
}

/**
 * Code samples as markdown, for the AsyncAPI page (its operations have no `x-codeSamples`
 * panel): one fenced block per sample after the description.
 */
export function samplesMarkdown(samples: CodeSample[]): string {
  if (!samples.length) return "";
  const blocks = samples.map((s) => `${s.label === "CLI" ? "CLI" : "TypeScript (the typed session)"}:\n\n\`\`\`${s.lang === "Shell" ? "sh" : "ts"}\n${s.source.trimEnd()}\n\`\`\``);
  return `\n\n**Code samples**\n\n${blocks.join("\n\n")}\n`;
}

function operationIdLine(id: string, extra = ""): string {
  return `**operationId** \`${id}\`${extra}\n\n`;
}

/**
 * The copy of a spec the page is rendered from: operationIds shown, code samples added, a logo
 * linking back to the index. Big integers keep every digit (read as bigint).
 */
export function bundledSpec(api: ApiEntry, text: string): Document {
  const doc = parseDocument(text, { intAsBigInt: true });
  const spec = doc.toJS({ maxAliasCount: -1 }) as Record<string, any>;
  doc.setIn(["info", "x-logo"], doc.createNode({ url: PORTAL_LOGO, href: "index.html", altText: "tradeapi API portal: all APIs and search" }));
  if (api.kind === "openapi") {
    for (const [method, path, op] of operationsOf(spec)) {
      const at = ["paths", path, method];
      doc.setIn([...at, "description"], operationIdLine(op.operationId, ` · \`npx tradeapi call ${api.name} ${op.operationId}\``) + (op.description ?? ""));
      doc.setIn([...at, "x-codeSamples"], doc.createNode(operationSamples(spec, api.name, method, path, op)));
    }
  } else {
    for (const [id, op] of Object.entries((spec.operations ?? {}) as Record<string, any>)) {
      if (op?.$ref) continue;
      doc.setIn(["operations", id, "description"], operationIdLine(id) + (op.description ?? op.summary ?? "") + samplesMarkdown(asyncOperationSamples(spec, api.name, id, op)));
    }
  }
  return doc;
}

/** Redocly config of one page: the sample languages its operations have, no telemetry. */
function redoclyConfig(api: ApiEntry): string {
  const languages = SAMPLE_LANGUAGES.filter((l) => l.label !== "openapi-fetch" || CLIENTS[api.name]?.openapiFetch);
  return JSON.stringify({ telemetry: "off", openapi: { codeSamples: { languages } } }, null, 2);
}

async function renderRedoc(api: ApiEntry, specFile: string, config: string, outFile: string, title: string): Promise<void> {
  await promisify(execFile)(join(ROOT, "node_modules/.bin/redocly"), ["build-docs", specFile, "-o", outFile, "--inlineBundle", "--title", title, "--config", config], {
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`redocly build-docs ${api.name} failed: ${e.stderr || e.message}`);
  });
  writeFileSync(outFile, offlinePage(readFileSync(outFile, "utf8")));
}

export interface BuildDocsOptions {
  /** Output folder (default docs/api). */
  outDir?: string;
  /** CHANGELOG.md to read (default the repo's); absent file: "no changes recorded yet". */
  changelog?: string;
  log?: (line: string) => void;
  /** Check the AsyncAPI specs with the AsyncAPI parser first (default true; `npm run generate` does too). */
  validate?: boolean;
}

export async function buildDocs(options: BuildDocsOptions = {}): Promise<{ apis: PortalApi[]; files: string[] }> {
  const out = options.outDir ?? DOCS_OUT;
  const log = options.log ?? (() => {});
  mkdirSync(out, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "tradeapi-docs-"));
  const files: string[] = [];
  const apis: PortalApi[] = [];
  try {
    const entries = readApis();
    // Render the pages side by side: each is one redocly process, mostly waiting on I/O.
    const rendered = await Promise.all(
      entries.map(async (api) => {
        const started = Date.now();
        const text = readFileSync(join(ROOT, api.root), "utf8");
        if (api.kind === "asyncapi" && options.validate !== false) {
          // Fail on an invalid spec with the parser's diagnostics, as `npm run generate` does.
          const { parseAsyncApi } = await import("./generate-asyncapi.js");
          await parseAsyncApi(api);
        }
        const doc = bundledSpec(api, text);
        // The index shows the spec's own descriptions, without the added operationId line.
        const portal = portalApi(api.name, api.kind, parseDocument(text, { intAsBigInt: true }).toJS({ maxAliasCount: -1 }) as Record<string, any>);
        const specFile = join(tmp, `${api.name}.yaml`);
        writeFileSync(specFile, doc.toString({ lineWidth: 0 }));
        const file = join(out, `${api.name}.html`);
        const config = join(tmp, `${api.name}.redocly.yaml`);
        writeFileSync(config, redoclyConfig(api));
        await renderRedoc(api, specFile, config, file, `${portal.title} (${portal.version}) · tradeapi`);
        log(`wrote ${relative(ROOT, file) || file} (${portal.operations.length} operations, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
        if (api.kind !== "asyncapi") return { portal, files: [file] };
        const viewStarted = Date.now();
        const view = join(out, asyncApiViewFile(api.name));
        writeFileSync(view, await renderAsyncApiView(join(ROOT, api.root), `${portal.title} (${portal.version})`));
        log(`wrote ${relative(ROOT, view) || view} (@asyncapi/html-template, ${((Date.now() - viewStarted) / 1000).toFixed(1)} s)`);
        return { portal, files: [file, view] };
      }),
    );
    for (const r of rendered) {
      apis.push(r.portal);
      files.push(...r.files);
    }
    const changelogFile = options.changelog ?? join(ROOT, "CHANGELOG.md");
    const changelog = existsSync(changelogFile) ? readFileSync(changelogFile, "utf8") : null;
    const has: Record<string, boolean> = {};
    for (const api of apis) {
      const sections = changelog === null ? null : changelogSections(changelog, api.name);
      has[api.name] = !!sections?.length;
      const file = join(out, `changelog-${api.name}.html`);
      writeFileSync(file, changelogPage(api, sections));
      files.push(file);
    }
    log(`wrote ${apis.length} changelog pages (${changelog === null ? "no CHANGELOG.md yet" : "from CHANGELOG.md"})`);
    const index = join(out, "index.html");
    writeFileSync(index, indexPage(apis, has));
    files.push(index);
    log(`wrote ${relative(ROOT, index) || index} (${apis.reduce((n, a) => n + a.operations.length, 0)} operations searchable)`);
    for (const f of files) {
      const remote = remoteResource(readFileSync(f, "utf8"));
      if (remote) throw new Error(`${f} still loads a remote resource: ${remote}`);
    }
    return { apis, files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await buildDocs({ log: (l) => process.stdout.write(`${l}\n`) });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) await main();
