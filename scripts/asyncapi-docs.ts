/**
 * AsyncAPI pages and offline checks for the docs portal (scripts/build-docs.ts).
 *
 * AsyncAPI specs are rendered by Redoc like the OpenAPI ones (`redocly build-docs` reads
 * AsyncAPI 3), so quant-ws gets the same sidebar, search and layout as the other APIs. Each
 * AsyncAPI spec also gets `<api>.asyncapi.html`, the AsyncAPI initiative's own rendering
 * (@asyncapi/generator running @asyncapi/html-template, one self-contained file): channels,
 * operations, messages with their payload schemas and examples, as AsyncAPI readers know
 * them. This file also keeps the check that a page loads no script or stylesheet from the
 * network.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { escapeHtml } from "./docs-portal.js";

/** A `<script src>` / `<link href>` (or CSS import) that would need the network. */
export function remoteResource(html: string): string | undefined {
  const hit =
    /<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /<img\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /@import\s+(?:url\()?["']?(?:https?:)?\/\/[^"')\s;]*/i.exec(html) ??
    /url\(\s*["']?(?:https?:)?\/\/[^"')\s;]*/i.exec(html);
  return hit?.[0];
}

/** Where @asyncapi/html-template's single-file page puts the spec and its settings, as JSON, in an inline script. */
const APP_SCRIPT_START = "<script>\n    const schema = ";
const APP_SCRIPT_END = ";\n    const appRoot = document.getElementById('root');";
const APP_SCRIPT_TAIL = /^;\n\s*const appRoot = document\.getElementById\('root'\);\s*AsyncApiStandalone\.render\(\s*\{ schema, config, \}, appRoot\s*\);\s*<\/script>\s*<\/body>\s*<\/html>\s*$/;

/**
 * Keep the spec text that @asyncapi/html-template writes into the page as it is from being read
 * as markup. The template embeds the spec's JSON in an inline `<script>` and its title in
 * `<title>` unescaped: a description with `</script>` (or `<!--`) ends or breaks that script
 * and whatever follows runs as HTML, a title with `</title>` does the same in the head. Every
 * `<` in the JSON becomes `\u003c` (the same string to the script) and the title is
 * HTML-escaped. `info` is the spec's title and version, as the template printed them. Throws
 * if the page is not laid out as this template version lays it out.
 */
export function escapeEmbeddedSpec(html: string, info: { title: string; version: string }): string {
  const start = html.indexOf(APP_SCRIPT_START);
  // A JSON string has no raw line break, so this text (with one) is the script's own, after the JSON.
  const end = html.lastIndexOf(APP_SCRIPT_END);
  if (start < 0 || html.indexOf(APP_SCRIPT_START, start + 1) >= 0 || end < start || !APP_SCRIPT_TAIL.test(html.slice(end))) {
    throw new Error("@asyncapi/html-template's page is not laid out as expected (one inline script with `const schema = …`, last in <body>): check escapeEmbeddedSpec against the template");
  }
  const from = start + APP_SCRIPT_START.length;
  const title = `<title>${info.title} ${info.version} documentation</title>`;
  const at = html.indexOf("<title>");
  if (at < 0 || at > start || !html.startsWith(title, at)) throw new Error("@asyncapi/html-template's page has no <title> with the spec's title and version where expected: check escapeEmbeddedSpec against the template");
  const head = `${html.slice(0, at)}<title>${escapeHtml(`${info.title} ${info.version}`)} documentation</title>${html.slice(at + title.length, from)}`;
  return head + html.slice(from, end).replace(/</g, "\\u003c") + html.slice(end);
}

/** The part of @asyncapi/generator (CommonJS, untyped) this file uses. */
interface AsyncApiGenerator {
  generateFromFile(file: string): Promise<void>;
}
type GeneratorClass = new (
  template: string,
  targetDir: string,
  options: { forceWrite: boolean; templateParams: Record<string, string>; compile: boolean; debug: boolean },
) => AsyncApiGenerator;

/** Put at the top of the generated page: the way back to the portal, as on every other page. */
export const ASYNCAPI_VIEW_NAV =
  '<nav class="tradeapi-portal" style="position:sticky;top:0;z-index:100;display:flex;gap:16px;align-items:center;padding:8px 16px;background:#f6f8fa;border-bottom:1px solid #d1d9e0;font:14px system-ui,sans-serif">' +
  '<a href="index.html" style="color:#0969da;font-weight:600">tradeapi API portal</a><a href="index.html#search" style="color:#0969da">Search all operations</a></nav>';

/**
 * Render `specFile` with @asyncapi/html-template (single file: its script and styles inline)
 * and return the page, with the portal link added after `<body>` and checked for remote
 * resources. `title` is shown in the link bar.
 *
 * The generator transpiles the template in place, into the template package's `__transpiled`
 * folder (the copy the package ships refers to its build machine's paths), so renders are
 * queued: one at a time in this process.
 */
export function renderAsyncApiView(specFile: string, title: string): Promise<string> {
  const run = queue.then(() => renderNow(specFile, title));
  queue = run.catch(() => undefined);
  return run;
}
let queue: Promise<unknown> = Promise.resolve();

/** Babel's note that it did not pretty-print the template's 500 kB script: not a problem, not shown. */
const BABEL_NOTE = /^\[BABEL\] Note: The code generator has deoptimised the styling/;

/**
 * The global node_modules folder of the npm running this build. @asyncapi/generator looks for
 * npm among the global modules of the running Node when it loads (to install templates; this
 * build installs none); a Node binary without npm beside it (CI's pinned Node 22 and 24, run
 * by the machine's npm) has none there, and the load fails.
 */
function npmGlobalRoot(): string | undefined {
  const cli = process.env.npm_execpath;
  const fromCli = cli && existsSync(cli) ? /^(.*[\\/]node_modules)[\\/]npm[\\/]/.exec(realpathSync(cli))?.[1] : undefined;
  if (fromCli) return fromCli;
  try {
    return execFileSync("npm", ["root", "-g"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function loadGenerator(): GeneratorClass {
  const require = createRequire(import.meta.url);
  const before = process.env.NODE_PATH;
  const root = npmGlobalRoot();
  if (root && !(before ?? "").split(delimiter).includes(root)) process.env.NODE_PATH = before ? `${before}${delimiter}${root}` : root;
  try {
    return require("@asyncapi/generator") as GeneratorClass;
  } catch (e) {
    throw new Error(`@asyncapi/generator did not load (${(e as Error).message}); it needs npm installed, and looked for it ${root ? `in ${root}` : "but found none"}`, { cause: e });
  } finally {
    if (before === undefined) delete process.env.NODE_PATH;
    else process.env.NODE_PATH = before;
  }
}

/**
 * The template's badge and label colours that fall short of WCAG AA contrast (4.5:1: its orange
 * text was 2.55:1 on white, its white on teal 2.58:1, its grey notes 2:1), each made darker.
 */
const READABLE_COLOURS = [
  ".aui-root .text-orange-500,.aui-root .text-orange-600{color:#9c4221}",
  ".aui-root .text-blue-500{color:#1d4ed8}",
  ".aui-root .text-teal-500{color:#234e52}",
  ".aui-root .text-gray-500,.aui-root .text-gray-600{color:#4a5568}",
  ".aui-root .bg-blue-500,.aui-root .bg-blue-600{background-color:#1d4ed8}",
  ".aui-root .bg-teal-500{background-color:#285e61}",
  ".aui-root .bg-orange-600{background-color:#9c4221}",
  ".aui-root .bg-red-600{background-color:#c53030}",
  ".aui-root .bg-green-600{background-color:#276749}",
].join("");

async function renderNow(specFile: string, title: string): Promise<string> {
  const Generator = loadGenerator();
  const out = mkdtempSync(join(tmpdir(), "tradeapi-asyncapi-view-"));
  try {
    const generator = new Generator("@asyncapi/html-template", out, {
      forceWrite: true,
      compile: true,
      debug: false,
      templateParams: { singleFile: "true", outFilename: "index.html" },
    });
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      if (!(typeof args[0] === "string" && BABEL_NOTE.test(args[0]))) consoleError(...args);
    };
    try {
      await generator.generateFromFile(specFile);
    } finally {
      console.error = consoleError;
    }
    const spec = parseYaml(readFileSync(specFile, "utf8")) as { info?: { title?: unknown; version?: unknown } };
    const html = escapeEmbeddedSpec(readFileSync(join(out, "index.html"), "utf8"), { title: String(spec.info?.title), version: String(spec.info?.version) });
    const at = /<body[^>]*>/i.exec(html);
    if (!at) throw new Error(`@asyncapi/html-template gave a page without <body> for ${specFile}`);
    const nav = ASYNCAPI_VIEW_NAV.replace("</nav>", `<span style="color:#555">${escapeHtml(title)} · AsyncAPI view</span></nav>`);
    const withNav = html.slice(0, at.index + at[0].length) + nav + html.slice(at.index + at[0].length);
    const head = withNav.search(/<\/head>/i);
    const page = head < 0 ? withNav : withNav.slice(0, head) + `<style>${READABLE_COLOURS}</style>` + withNav.slice(head);
    const remote = remoteResource(page);
    if (remote) throw new Error(`the AsyncAPI view of ${specFile} loads a remote resource: ${remote}`);
    return page;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
