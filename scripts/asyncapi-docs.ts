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
    const html = readFileSync(join(out, "index.html"), "utf8");
    const at = /<body[^>]*>/i.exec(html);
    if (!at) throw new Error(`@asyncapi/html-template gave a page without <body> for ${specFile}`);
    const nav = ASYNCAPI_VIEW_NAV.replace("</nav>", `<span style="color:#555">${escapeHtml(title)} · AsyncAPI view</span></nav>`);
    const page = html.slice(0, at.index + at[0].length) + nav + html.slice(at.index + at[0].length);
    const remote = remoteResource(page);
    if (remote) throw new Error(`the AsyncAPI view of ${specFile} loads a remote resource: ${remote}`);
    return page;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
