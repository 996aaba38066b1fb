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
 * logo on cdn.redoc.ly) is replaced by an inline image, and every page is checked. Redoc renders
 * the specs' markdown in the browser, so a spec whose text would load something remote (an
 * image, a frame, a script or style source) is refused before any page is built, and every page
 * carries a Content-Security-Policy that lets it load nothing from outside itself.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseDocument, visit, type Document } from "yaml";
import { danglingRefs, danglingText } from "../src/spec-tools/spec-model.js";
import { parseSpecDocument, readSpecFile } from "../src/spec-tools/spec-file.js";
import { readApis, ROOT, type ApiEntry } from "./api-registry.js";
import { remoteResource, renderAsyncApiView } from "./asyncapi-docs.js";
import { zhMarkdown } from "./docs-lang.js";
import { errorCodesMarkdown, errorTableKey, linkErrorTable, pipeRowsMarkdown, plainHeadings, requestFieldsMarkdown, securitySchemeMarkdown } from "./docs-extensions.js";
import { asyncApiViewFile, changelogPage, changelogSections, indexPage, portalApi, type PortalApi } from "./docs-portal.js";
import { operationIdProblems } from "./spec-rules.js";
import { asyncOperationSamples, clientRecipe, operationSamples, operationsOf, SAMPLE_LANGUAGES, type CodeSample } from "./docs-samples.js";

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

/**
 * Colours of Redoc's theme that read below WCAG's 4.5:1 on its white and tinted backgrounds
 * (axe color-contrast): GET badges (#25b869, 2.58:1), the other method and channel badges, the search box's
 * placeholder (#9b9ca8, 2.72:1), links (#1f7cff, 3.89:1), muted text. Redoc sets them as CSS
 * variables in styles it adds at run time, so these are `!important` (a custom property's
 * `!important` wins over later rules). Its markdown tables wrap instead of scrolling sideways.
 */
export const REDOC_CONTRAST_CSS = [
  // (each badge colour at least 4.5:1 on white and on its own tinted background)
  ".tag-get,.tag-query{--tag-color:#137a45 !important}",
  ".tag-delete{--tag-color:#b8062f !important}",
  ".tag-put,.tag-channel,.tag-topic{--tag-color:#9a5000 !important}",
  ".tag-patch{--tag-color:#735600 !important}",
  ".tag-http-additional-operation{--tag-color:#a8420a !important}",
  ".tag-receive,.tag-sub,.tag-cons{--tag-color:#246b1e !important}",
  ".tag-queue{--tag-color:#a81f63 !important}",
  ".tag-exchange,.tag-exch{--tag-color:#7a35b5 !important}",
  // (a markdown table wraps its cells' text instead of scrolling: a scrolling region no keyboard reaches fails axe's scrollable-region-focusable)
  ".md-table-wrapper{overflow:visible !important}.md-table-wrapper td,.md-table-wrapper th{overflow-wrap:anywhere}",
  ":root{--input-content-placeholder-color:#5f6068 !important;--search-trigger-color:#5f6068 !important;--link-color-primary:#0b57d0 !important;--link-color-primary-hover:#0842a0 !important;--link-color-visited:#0b57d0 !important;--text-color-description:#55565f !important;--color-warm-grey-7:#55565f !important;--color-brand-4:#5f6068 !important}",
].join("");

/** A rendered Redoc page with REDOC_CONTRAST_CSS at the end of its `<head>`. */
export function withContrastStyle(html: string): string {
  const at = html.search(/<\/head\s*>/i);
  if (at < 0) throw new Error("page without </head>: no place for its contrast style");
  return `${html.slice(0, at)}<style id="tradeapi-contrast">${REDOC_CONTRAST_CSS}</style>${html.slice(at)}`;
}

/** Make a rendered Redoc page self-contained, or say what still needs the network. */
export function offlinePage(html: string): string {
  let out = html;
  for (const [re, local] of REDOC_REMOTE) out = out.replace(re, local);
  // Redoc writes its prerendered sidebar and permalink links as "/trade", routed by its script on
  // a click only: opened in a new tab, copied or bookmarked they named file:///trade. As the hash
  // routes they are ("#/trade") they work everywhere.
  out = out.replace(/(<a\b[^>]*?\shref=")\/(?!\/)/g, "$1#/");
  const left = remoteResource(out) ?? /https?:\/\/cdn\.[^"'`\s)]*/.exec(out)?.[0] ?? /\bfrom\s*["']https?:\/\/[^"']*/.exec(out)?.[0];
  if (left) throw new Error(`docs page still loads a remote resource: ${left}`);
  return out;
}

/**
 * The inline scripts of a page, each as the browser hashes it (its text up to `</script`, line
 * breaks as LF): every `<script>` without `src` whose type is JavaScript or a module.
 */
export function inlineScripts(html: string): string[] {
  const out: string[] = [];
  const open = /<script\b([^>]*)>/gi;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const from = m.index + m[0].length;
    const close = /<\/script[\s/>]/i.exec(html.slice(from));
    const to = close ? from + close.index : html.length;
    const attrs = new Map(attributes(m[1]!));
    const type = (attrs.get("type") ?? "").trim().toLowerCase();
    if (!attrs.has("src") && (type === "" || type === "module" || /^(?:text|application)\/(?:x-)?(?:java|ecma)script$/.test(type))) out.push(html.slice(from, to).replace(/\r\n?/g, "\n"));
    open.lastIndex = to;
  }
  return out;
}

/**
 * The Content-Security-Policy of every portal page: it loads nothing from outside itself. Its
 * own inline scripts run (by their SHA-256, so no other script or inline event handler does)
 * and may eval, inline styles apply; images and fonts come from `data:` / `blob:` URLs only,
 * workers from `blob:`; no frame, object, media, connection, form target or base URL.
 */
export function contentSecurityPolicy(html: string): string {
  const hashes = inlineScripts(html).map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
  return [
    "default-src 'none'",
    // 'unsafe-eval': the AsyncAPI view compiles its schema validators (ajv), Redoc its search worker.
    `script-src ${hashes.length ? `${[...new Set(hashes)].join(" ")} 'unsafe-eval'` : "'none'"}`,
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "font-src data:",
    "worker-src blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** `html` with its Content-Security-Policy as the first thing in `<head>` (after the charset). */
export function withContentSecurityPolicy(html: string): string {
  if (/<meta\s+http-equiv\s*=\s*["']?content-security-policy/i.test(html)) throw new Error("page already has a Content-Security-Policy meta");
  const head = /<head\b[^>]*>(\s*<meta\s+charset\s*=[^>]*>)?/i.exec(html);
  if (!head) throw new Error("page without <head>: no place for its Content-Security-Policy");
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(html)}">${html.slice(at)}`;
}

/** HTML entities a URL can be spelled with in markup (`&#104;ttps`, `https&colon;`): decoded before it is judged. */
function decodeEntities(s: string): string {
  const named: Record<string, string> = { colon: ":", sol: "/", bsol: "\\", period: ".", tab: "\t", newline: "\n", amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };
  return s.replace(/&(?:#x([0-9a-f]+)|#(\d+)|([a-z]+));?/gi, (m, hex?: string, dec?: string, name?: string) => {
    if (hex || dec) {
      const code = parseInt(hex ?? dec!, hex ? 16 : 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return named[name!.toLowerCase()] ?? m;
  });
}

/**
 * Whether a browser would fetch `url` from outside the page: any scheme but `data:`, `blob:`,
 * `about:`, `javascript:`, `mailto:`, `tel:`, or `//host` (with slashes or backslashes). Tabs
 * and line breaks are dropped first, as URL parsers do.
 */
export function isRemoteUrl(url: string): boolean {
  const u = decodeEntities(url).replace(/[\t\n\r]/g, "").replace(/^[\x00-\x20]+/, "");
  if (/^[\\/]{2}/.test(u)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1]?.toLowerCase();
  return scheme !== undefined && !["data", "blob", "about", "javascript", "mailto", "tel"].includes(scheme);
}

/** Remote URLs a stylesheet would load: `url(…)`, `@import "…"`, `image-set("…")`. */
function cssRemoteUrls(css: string): string[] {
  const urls = [...css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)|@import\s*(["'])([^"']*)\3|image-set\(\s*(["'])([^"']*)\5/gi)].map((m) => m[2] ?? m[4] ?? m[6] ?? "");
  return urls.filter(isRemoteUrl);
}

/** Markdown with its code (fenced blocks, code spans) blanked: what it shows as code loads nothing. */
function withoutCode(md: string): string {
  const lines = md.split("\n");
  let fence: string | null = null;
  const out = lines.map((line) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null) {
      if (open && !(open[0] === "`" && line.slice(line.indexOf(open) + open.length).includes("`"))) fence = open;
      return fence === null ? line : "";
    }
    if (open && open[0] === fence[0] && open.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(line)) fence = null;
    return "";
  });
  return out.join("\n").replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, " ");
}

/** A tag's attributes, names lower-cased, values unquoted. */
function attributes(source: string): Array<[string, string]> {
  return [...source.matchAll(/([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? ""]);
}

export interface RemoteLoad {
  /** What would load it: "image", "<iframe src>", "<style>" … */
  what: string;
  url: string;
}

/**
 * What a markdown text (a description, as Redoc and the AsyncAPI view render it) would load
 * from the network as soon as it is shown: images (`![…](…)`, reference images too) and HTML
 * elements' sources (`src`, `srcset`, `data`, `poster`, `background`, `href` of anything but a
 * link, `style` and `<style>` URLs). Plain links load only when clicked: not listed. Code blocks
 * and spans are shown as text: not looked at.
 */
export function remoteLoadsInMarkdown(md: string): RemoteLoad[] {
  const text = withoutCode(md);
  const found: RemoteLoad[] = [];
  const unescape = (u: string) => u.replace(/^<([\s\S]*)>$/, "$1").replace(/\\([!-/:-@[-`{-~])/g, "$1");
  for (const m of text.matchAll(/!\[(?:[^\[\]\\]|\\.|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^\s)]+)/g)) {
    const url = unescape(m[1]!);
    if (isRemoteUrl(url)) found.push({ what: "image", url });
  }
  const label = (l: string) => l.replace(/\s+/g, " ").trim().toLowerCase();
  const definitions = new Map<string, string>();
  for (const m of text.matchAll(/^ {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)/gm)) {
    if (!definitions.has(label(m[1]!))) definitions.set(label(m[1]!), unescape(m[2]!));
  }
  for (const m of text.matchAll(/!\[((?:[^\[\]\\]|\\.)*)\](?!\s*\()(?:\[((?:[^\[\]\\]|\\.)*)\])?/g)) {
    const url = definitions.get(label(m[2] || m[1]!));
    if (url !== undefined && isRemoteUrl(url)) found.push({ what: "image", url });
  }
  for (const m of text.matchAll(/<style\b[^>]*>([\s\S]*?)(?:<\/style\s*>|$)/gi)) for (const url of cssRemoteUrls(m[1]!)) found.push({ what: "<style>", url });
  for (const m of text.matchAll(/<([a-z][a-z0-9:-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/gi)) {
    const tag = m[1]!.toLowerCase();
    for (const [name, value] of attributes(m[2]!)) {
      const urls =
        name === "srcset" || name === "imagesrcset"
          ? value.split(",").map((c) => c.trim().split(/\s+/)[0] ?? "")
          : name === "style"
            ? cssRemoteUrls(decodeEntities(value))
            : ["src", "data", "poster", "background", "codebase", "xlink:href", "lowsrc", "dynsrc"].includes(name) || (name === "href" && tag !== "a" && tag !== "area")
              ? [value]
              : tag === "meta" && name === "content" && /^\s*\d*\s*[;,]?\s*url\s*=/i.test(value)
                ? [value.replace(/^\s*\d*\s*[;,]?\s*url\s*=\s*/i, "").replace(/^["']|["']$/g, "")]
                : [];
      for (const url of urls) if (isRemoteUrl(url)) found.push({ what: `<${tag} ${name}>`, url: decodeEntities(url).trim() });
    }
  }
  return found;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"]);
/** Keys whose strings are data (examples, defaults, enum values, code samples), shown as code, never as markdown. */
const DATA_KEYS = new Set(["example", "default", "const", "enum", "x-codeSamples", "x-code-samples"]);
/** Objects whose keys are names (a property called `default` is a schema, not a default value). */
const NAME_MAPS = new Set([
  ...["properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "schemas", "paths", "webhooks", "pathItems", "callbacks", "links"],
  ...["channels", "operations", "messages", "parameters", "headers", "responses", "requestBodies", "servers", "variables", "securitySchemes", "scopes"],
]);

/** The operation a spec field belongs to: OpenAPI `id (METHOD /path)`, AsyncAPI its id; undefined outside one. */
function operationAt(spec: Record<string, any>, path: string[]): string | undefined {
  if (path[0] === "paths" && path.length >= 3 && HTTP_METHODS.has(path[2]!)) {
    const id = spec.paths?.[path[1]!]?.[path[2]!]?.operationId;
    return `${id ? `${id} ` : ""}(${path[2]!.toUpperCase()} ${path[1]})`;
  }
  if (path[0] === "operations" && path.length >= 2) return path[1];
  return undefined;
}

/**
 * Every string of a spec that Redoc or the AsyncAPI view would show as markdown and that loads
 * something remote, with where it is: the operation (OpenAPI method and path, or AsyncAPI id)
 * and the field's path. Of `examples` (JSON Schema's values, OpenAPI's Example Objects,
 * AsyncAPI's message examples) only an example's summary and description are text, and its
 * `externalValue` counts too (Redoc may fetch it); the rest is data.
 */
export function remoteLoadsInSpec(spec: Record<string, any>): Array<RemoteLoad & { operation?: string; field: string }> {
  const out: Array<RemoteLoad & { operation?: string; field: string }> = [];
  const check = (text: string, path: string[]): void => {
    const loads = path[path.length - 1] === "externalValue" ? (isRemoteUrl(text) ? [{ what: "example externalValue", url: text.trim() }] : []) : remoteLoadsInMarkdown(text);
    const operation = operationAt(spec, path);
    for (const l of loads) out.push({ ...l, ...(operation ? { operation } : {}), field: path.join(".") });
  };
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === "string") return check(node, path);
    if (!node || typeof node !== "object") return;
    const named = Array.isArray(node) || NAME_MAPS.has(path[path.length - 1] ?? "");
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (named) {
        walk(v, [...path, k]);
        continue;
      }
      if (DATA_KEYS.has(k)) continue;
      if (k === "examples" && v && typeof v === "object") {
        for (const [name, example] of Object.entries(v as Record<string, unknown>)) {
          if (!example || typeof example !== "object") continue;
          for (const f of ["summary", "description", "externalValue"]) {
            const text = (example as Record<string, unknown>)[f];
            if (typeof text === "string") check(text, [...path, k, name, f]);
          }
        }
        continue;
      }
      walk(v, [...path, k]);
    }
  };
  walk(spec, []);
  return out;
}

/** Refuse a spec whose pages would load something remote (a clear error, every place named). */
export function checkNoRemoteLoads(specFile: string, spec: Record<string, any>): void {
  const loads = remoteLoadsInSpec(spec);
  if (!loads.length) return;
  const lines = loads.map((l) => `  ${l.operation ? `operation ${l.operation}, ` : ""}${l.field}: ${l.what} ${l.url}`);
  throw new Error(
    `${specFile}: its text would make the docs load ${loads.length === 1 ? "a remote resource" : `${loads.length} remote resources`} when shown (the docs load nothing from the network):\n${lines.join("\n")}\nLink to it instead: [text](https://…) loads only when clicked.`,
  );
}

/** Markup in a spec's text that would run script in a page, and what to write instead. */
export interface ActiveContent {
  /** `<script>`, `<iframe>`, `srcdoc`, `<img onerror>` (an event handler), `javascript: URL`. */
  what: string;
  /** The text it was found in, around it. */
  excerpt: string;
  /** What to write instead. */
  instead: string;
}

const IN_WORDS = "describe it in words (the pages run no script from a spec)";
const AS_LINK = "link to the page instead: [text](https://…)";

/** The event-handler attributes (`on…=`) of the HTML tags in `text`, as `<tag onname>`, with where each is. */
function eventHandlers(text: string): Array<{ what: string; at: number }> {
  const found: Array<{ what: string; at: number }> = [];
  // (a tag's name as HTML and markdown read one: `i<items.length` in code is no tag)
  for (const tag of text.matchAll(/<([a-z][a-z0-9-]*)(?=[\s/>]|$)/gi)) {
    // The tag's attributes as a browser reads them: separated by whitespace or `/`, values quoted or not (an unclosed tag too).
    const attribute = /[\s/]*([^\s"'>/=][^\s"'>/=]*)(\s*=\s*(?:"[^"]*"?|'[^']*'?|[^\s>]*))?/y;
    attribute.lastIndex = tag.index + tag[0].length;
    for (let a = attribute.exec(text); a; a = attribute.exec(text)) {
      if (a[2] !== undefined && /^on[a-z]+$/i.test(a[1]!)) found.push({ what: `<${tag[1]!.toLowerCase()} ${a[1]!.toLowerCase()}>`, at: tag.index });
    }
  }
  return found;
}

/**
 * What in a text would run script in a page if a renderer let it through: a `<script>` tag
 * (or its end tag), an `<iframe>`, `<frame>`, `<object>` or `<embed>`, `srcdoc`, an
 * event-handler attribute (`on…=`) of an HTML tag, a `javascript:` URL where a URL is read (a
 * link's target, an autolink, a URL attribute; entities, escapes and line breaks inside it read
 * as a browser would).
 * Looked for everywhere, code and examples included: the pages' Content-Security-Policy stops
 * such script today, and this keeps it out of the pages in the first place (a probe saw Redoc
 * keep an `<iframe srcdoc>` of a description, and the AsyncAPI view run an `onerror` handler
 * until the policy stopped it). None of it is what a trading API's documents say.
 */
export function activeContentIn(text: string): ActiveContent[] {
  const found: ActiveContent[] = [];
  const excerpt = (at: number) => `${at > 20 ? "…" : ""}${text.slice(Math.max(0, at - 20), at + 40).replace(/\s+/g, " ")}${at + 40 < text.length ? "…" : ""}`;
  // (each kind once per text: where it first is)
  const add = (what: string, at: number, instead: string) => void (found.some((f) => f.what === what) || found.push({ what, excerpt: excerpt(at), instead }));
  for (const m of text.matchAll(/<\/?script/gi)) add("<script>", m.index, IN_WORDS);
  for (const m of text.matchAll(/<(i?frame|object|embed)\b/gi)) add(`<${m[1]!.toLowerCase()}>`, m.index, AS_LINK);
  for (const m of text.matchAll(/srcdoc/gi)) add("srcdoc", m.index, AS_LINK);
  for (const h of eventHandlers(text)) add(h.what, h.at, "leave the handler out (HTML in a description is for formatting only: <b>, <br>, tables)");
  // (a URL's scheme as a browser reads it: entities decoded, markdown's backslash escapes and tabs or line breaks dropped)
  const url = decodeEntities(text).replace(/[\t\n\r\0]|\\(?=[!-/:-@[-`{-~])/g, "");
  // (where a URL is read: a markdown link's target or definition, an autolink, a URL attribute; "JavaScript: see …" is prose)
  if (/(?:\]\(\s*<?|^\s*\[[^\]]*\]:\s*<?|<|\b(?:href|src|action|formaction|data|xlink:href)\s*=\s*["']?)\s*javascript:/im.test(url)) add("javascript: URL", Math.max(0, text.search(/javascript/i)), "link to an https:// page instead: [text](https://…), or write the code as code (`…`) without the scheme");
  return found;
}

/**
 * Every string of a spec (values and names, examples and code included) that holds such markup
 * (activeContentIn), with where it is, named as remoteLoadsInSpec names it.
 */
export function activeContentInSpec(spec: Record<string, any>): Array<ActiveContent & { operation?: string; field: string }> {
  const out: Array<ActiveContent & { operation?: string; field: string }> = [];
  const check = (text: string, path: string[], name = false): void => {
    const operation = operationAt(spec, path);
    for (const c of activeContentIn(text)) out.push({ ...c, ...(operation ? { operation } : {}), field: `${path.join(".")}${name ? " (the name)" : ""}` });
  };
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === "string") return check(node, path);
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (!Array.isArray(node)) check(k, [...path, k], true);
      walk(v, [...path, k]);
    }
  };
  walk(spec, []);
  return out;
}

/** Refuse a spec whose text holds markup that would run script in its pages (every place named, and what to write instead). */
export function checkNoActiveContent(specFile: string, spec: Record<string, any>): void {
  const found = activeContentInSpec(spec);
  if (!found.length) return;
  const lines = found.map((c) => `  ${c.operation ? `operation ${c.operation}, ` : ""}${c.field}: ${c.what} in ${JSON.stringify(c.excerpt)}: ${c.instead}`);
  throw new Error(
    `${specFile}: its text holds ${found.length === 1 ? "markup" : `${found.length} pieces of markup`} that would run script in the docs pages (they show the vendor's documents as text and run none of them):\n${lines.join("\n")}`,
  );
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

/** An integer a browser's number would show otherwise (213670654898113536 → 213670654898113540). */
const roundsInBrowser = (v: unknown): v is bigint => typeof v === "bigint" && String(Number(v)) !== v.toString();

/** The places (key paths) of the spec's integers that a browser would round. */
function roundedPlaces(node: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (roundsInBrowser(node)) out.push(path);
  else if (Array.isArray(node)) node.forEach((v, i) => roundedPlaces(v, [...path, i], out));
  else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) roundedPlaces(v, [...path, k], out);
  return out;
}

/** Said on an operation (or the API) whose examples hold such an integer. */
export const BIG_INTEGER_NOTE =
  "*Integers beyond 2^53 in the examples are shown in quotes so that every digit shows (a browser's numbers would round them); the API sends them as numbers.*";

/**
 * The copy of a spec the page is rendered from: operationIds shown, code samples added, a logo
 * linking back to the index. Big integers keep every digit: read as bigint, and one a browser
 * would round (Redoc reads the copy into JavaScript numbers: 213670654898113536 showed as
 * 213670654898113540) written as a string of its digits, with a note saying so.
 */
export function bundledSpec(api: ApiEntry, text: string): Document {
  const doc = parseDocument(text, { intAsBigInt: true, merge: true });
  const spec = doc.toJS({ maxAliasCount: -1 }) as Record<string, any>;
  // (the nodes themselves, so that a value reached through an alias is written once)
  visit(doc, { Scalar: (_key, node) => (roundsInBrowser(node.value) ? doc.createNode(node.value.toString()) : undefined) });
  const noted = new Set<string>();
  for (const place of roundedPlaces(spec)) {
    const op = api.kind === "openapi" ? place.slice(0, 3) : place.slice(0, 2);
    const isOperation = api.kind === "openapi" ? op[0] === "paths" && operationsOf(spec).some(([m, p]) => m === op[2] && p === op[1]) : op[0] === "operations" && op.length === 2;
    noted.add(JSON.stringify(isOperation ? op : []));
  }
  doc.setIn(["info", "x-logo"], doc.createNode({ url: PORTAL_LOGO, href: "index.html", altText: "tradeapi API portal: all APIs and search" }));
  if (api.kind === "openapi") {
    for (const [method, path, op] of operationsOf(spec)) {
      const at = ["paths", path, method];
      const note = noted.has(JSON.stringify(at)) ? `\n\n${BIG_INTEGER_NOTE}` : "";
      // (fields Redoc would show only as `params: string`, and "|"-separated row columns: tables after the text)
      const tables = [requestFieldsMarkdown(spec, op), pipeRowsMarkdown(spec, op)].filter(Boolean).map((t) => `\n\n${t}`).join("");
      doc.setIn([...at, "description"], operationIdLine(op.operationId, ` · \`npx tradeapi call ${api.name} ${op.operationId}\``) + (op.description ?? "") + note + tables);
      doc.setIn([...at, "x-codeSamples"], doc.createNode(operationSamples(spec, api.name, method, path, op)));
      noteIdempotencyKey(doc, at, op);
    }
  } else {
    for (const [id, op] of Object.entries((spec.operations ?? {}) as Record<string, any>)) {
      if (op?.$ref) continue;
      const note = noted.has(JSON.stringify(["operations", id])) ? `\n\n${BIG_INTEGER_NOTE}` : "";
      doc.setIn(["operations", id, "description"], operationIdLine(id) + (op.description ?? op.summary ?? "") + note + samplesMarkdown(asyncOperationSamples(spec, api.name, id, op)));
    }
  }
  // (one elsewhere, e.g. in a component's example: said once, in the API's description)
  if (noted.has("[]")) doc.setIn(["info", "description"], `${spec.info?.description ?? ""}\n\n${BIG_INTEGER_NOTE}`.trimStart());
  addErrorTable(doc, spec);
  addSigningRecipes(doc, spec);
  markChinese(doc);
  return doc;
}

/** Every security scheme's `x-signature` / `x-headers` (unrendered by Redoc) as markdown at the end of its description. */
function addSigningRecipes(doc: Document, spec: Record<string, any>): void {
  for (const [name, scheme] of Object.entries((spec.components?.securitySchemes ?? {}) as Record<string, any>)) {
    if (!scheme || typeof scheme !== "object" || scheme.$ref) continue;
    const recipe = securitySchemeMarkdown(scheme);
    if (!recipe) continue;
    const description = typeof scheme.description === "string" ? scheme.description.trimEnd() : "";
    doc.setIn(["components", "securitySchemes", name, "description"], `${description}\n\n${recipe}\n`.trimStart());
  }
}

/** Said on the field an operation's `x-idempotency-key` names (BHEX `client_order_id`): the API requires it, the client fills it in. */
export const IDEMPOTENCY_KEY_NOTE = "*Generated by the client when left out: the tradeapi client fills in a unique id (the API itself requires one).*";

/** The idempotency key's field (an inline query parameter or request-body property) with IDEMPOTENCY_KEY_NOTE after its description. */
function noteIdempotencyKey(doc: Document, at: string[], op: Record<string, any>): void {
  const key = op["x-idempotency-key"];
  if (typeof key !== "string") return;
  const add = (place: Array<string | number>, field: Record<string, any>) =>
    doc.setIn([...place, "description"], `${typeof field.description === "string" ? `${field.description.trimEnd()}\n\n` : ""}${IDEMPOTENCY_KEY_NOTE}`);
  (op.parameters ?? []).forEach((p: Record<string, any>, i: number) => {
    if (p?.name === key && !p.$ref) add([...at, "parameters", i], p);
  });
  for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, any>)) {
    const field = media?.schema?.properties?.[key];
    if (field && typeof field === "object") add([...at, "requestBody", "content", type, "schema", "properties", key], field);
  }
}

/** Whether a description at `path` (a visitor's ancestors) is shown as markdown: not a server's, nor inside an example. */
function isMarkdownPlace(path: readonly unknown[]): boolean {
  const under = path.flatMap((n) => ((n as { key?: { value?: unknown } }).key?.value !== undefined ? [(n as { key: { value: unknown } }).key.value] : []));
  return !under.some((k) => k === "servers" || k === "examples" || k === "example" || k === "x-codeSamples");
}

/**
 * The copy of an AsyncAPI spec the AsyncAPI view is rendered from: the vendor's Chinese marked
 * as the Redoc page's is, and the error table (which the template does not render either) as
 * an "Error codes" section at the end of the API's description (mentions not linked: the
 * view's anchors are the template's own).
 */
export function asyncApiViewSpec(text: string): Document {
  const doc = parseDocument(text, { merge: true });
  addErrorTable(doc, doc.toJS({ maxAliasCount: -1 }) as Record<string, any>, false);
  markChinese(doc);
  return doc;
}

/**
 * The vendor's error table (`x-error-codes`, AsyncAPI `x-error-messages`), which Redoc does not
 * render, as an "Error codes" section at the end of the API's description, and (`link`) every
 * description's mention of the extension linked to it (Redoc's anchor).
 */
function addErrorTable(doc: Document, spec: Record<string, any>, link = true): void {
  const key = errorTableKey(spec);
  const table = errorCodesMarkdown(spec);
  if (!key || !table) return;
  if (link) {
    visit(doc, {
      Pair: (_key, pair, path) => {
        const k = (pair.key as { value?: unknown } | null)?.value;
        const value = pair.value as { value?: unknown } | null;
        if (k !== "description" || typeof value?.value !== "string" || !isMarkdownPlace(path)) return;
        const linked = linkErrorTable(value.value, key);
        if (linked !== value.value) value.value = linked;
      },
    });
  }
  const description = doc.getIn(["info", "description"]);
  doc.setIn(["info", "description"], `${typeof description === "string" ? description.trimEnd() : ""}\n\n${table}\n`.trimStart());
}

/**
 * The vendor's Chinese in every markdown description marked `lang="zh"` (docs-lang.ts), its
 * headings without inline markup (plainHeadings: Redoc's sidebar would cut them). Not a
 * server's description (Redoc's endpoint list shows it as text, not markdown), nor an
 * example's value.
 */
function markChinese(doc: Document): void {
  visit(doc, {
    Pair: (_key, pair, path) => {
      const key = (pair.key as { value?: unknown } | null)?.value;
      const value = pair.value as { value?: unknown } | null;
      if (key !== "description" || typeof value?.value !== "string") return;
      if (!isMarkdownPlace(path)) return;
      const marked = zhMarkdown(plainHeadings(value.value));
      if (marked !== value.value) value.value = marked;
    },
  });
}

/** Redocly config of one page: the sample languages its operations have, no telemetry. */
function redoclyConfig(api: ApiEntry): string {
  const languages = SAMPLE_LANGUAGES.filter((l) => l.label !== "openapi-fetch" || (api.kind === "openapi" && clientRecipe(api.name).openapiFetch));
  return JSON.stringify({ telemetry: "off", openapi: { codeSamples: { languages } } }, null, 2);
}

async function renderRedoc(api: ApiEntry, specFile: string, config: string, outFile: string, title: string, signal: AbortSignal): Promise<void> {
  await promisify(execFile)(join(ROOT, "node_modules/.bin/redocly"), ["build-docs", specFile, "-o", outFile, "--inlineBundle", "--title", title, "--config", config], {
    cwd: ROOT,
    signal,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`redocly build-docs ${api.name} failed: ${e.stderr || e.message}`);
  });
  writeFileSync(outFile, withContrastStyle(offlinePage(readFileSync(outFile, "utf8"))));
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
  const out = resolve(options.outDir ?? DOCS_OUT);
  const log = options.log ?? (() => {});
  const entries = readApis();
  // Before any page is rendered, every spec: readable UTF-8 YAML (a problem named
  // <file>:<line>:<col>), every local $ref pointing at something, no text that would make a
  // page load something remote or run script, and each AsyncAPI spec valid to the AsyncAPI parser.
  const texts = new Map<string, string>();
  for (const api of entries) {
    const text = readSpecFile(join(ROOT, api.root), api.root);
    const spec = parseSpecDocument(text, api.root).toJS({ maxAliasCount: -1 }) as Record<string, any>;
    const dangling = danglingRefs(spec);
    if (dangling.length) throw new Error(`${api.root}: ${danglingText(dangling[0]!)}${dangling.length > 1 ? ` (and ${dangling.length - 1} more)` : ""}`);
    checkNoRemoteLoads(api.root, spec);
    checkNoActiveContent(api.root, spec);
    // (every page, the index and its search name each operation by its operationId)
    const noId = api.kind === "openapi" ? operationIdProblems(spec) : [];
    if (noId.length) throw new Error(noId.map((p) => `${api.root}: ${p}`).join("\n"));
    texts.set(api.name, text);
  }
  if (options.validate !== false) {
    // Fail on an invalid spec with the parser's diagnostics, as `npm run generate` does.
    const { parseAsyncApi } = await import("./generate-asyncapi.js");
    for (const api of entries) if (api.kind === "asyncapi") await parseAsyncApi(api);
  }
  // The pages are written into a folder next to `out` and moved into place only when all of
  // them were: a failure leaves the docs as they were, never half rebuilt.
  mkdirSync(dirname(out), { recursive: true });
  const stage = mkdtempSync(join(dirname(out), `.${basename(out)}-new-`));
  // (mkdtemp makes it 0700: moved into place so, a web server running as another user got 403)
  chmodSync(stage, 0o755);
  const tmp = mkdtempSync(join(tmpdir(), "tradeapi-docs-"));
  const shown = (f: string) => relative(ROOT, join(out, relative(stage, f))) || f;
  const files: string[] = [];
  const apis: PortalApi[] = [];
  try {
    // Render the pages side by side: each is one redocly process, mostly waiting on I/O. The
    // first failure stops the others, and all have ended before the staging folder is removed
    // (a redocly left running wrote its page into a new one after the build had failed).
    const stop = new AbortController();
    /** One page (and the AsyncAPI view): its redocly process ends when `stop` aborts. */
    const renderPage = async (api: ApiEntry) => {
      const started = Date.now();
      const text = texts.get(api.name)!;
      const doc = bundledSpec(api, text);
      // The index shows the spec's own descriptions, without the added operationId line.
      const portal = portalApi(api.name, api.kind, parseDocument(text, { intAsBigInt: true, merge: true }).toJS({ maxAliasCount: -1 }) as Record<string, any>);
      const specFile = join(tmp, `${api.name}.yaml`);
      writeFileSync(specFile, doc.toString({ lineWidth: 0 }));
      const file = join(stage, `${api.name}.html`);
      const config = join(tmp, `${api.name}.redocly.yaml`);
      writeFileSync(config, redoclyConfig(api));
      await renderRedoc(api, specFile, config, file, `${portal.title} (${portal.version}) · tradeapi`, stop.signal);
      log(`wrote ${shown(file)} (${portal.operations.length} operations, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      if (api.kind !== "asyncapi") return { portal, files: [file] };
      const viewStarted = Date.now();
      const view = join(stage, asyncApiViewFile(api.name));
      // (from a copy whose descriptions mark the vendor's Chinese, as the Redoc page's do)
      const viewSpec = join(tmp, `${api.name}.view.yaml`);
      writeFileSync(viewSpec, asyncApiViewSpec(text).toString({ lineWidth: 0 }));
      writeFileSync(view, await renderAsyncApiView(viewSpec, `${portal.title} (${portal.version})`));
      log(`wrote ${shown(view)} (@asyncapi/html-template, ${((Date.now() - viewStarted) / 1000).toFixed(1)} s)`);
      return { portal, files: [file, view] };
    };
    let firstError: { error: unknown } | undefined;
    const settled = await Promise.allSettled(
      entries.map(async (api) => {
        try {
          return await renderPage(api);
        } catch (error) {
          if (!stop.signal.aborted) firstError ??= { error };
          stop.abort();
          throw error;
        }
      }),
    );
    if (firstError) throw firstError.error;
    const rendered = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof renderPage>>>).value);
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
      const file = join(stage, `changelog-${api.name}.html`);
      writeFileSync(file, changelogPage(api, sections));
      files.push(file);
    }
    log(`wrote ${apis.length} changelog pages (${changelog === null ? "no CHANGELOG.md yet" : "from CHANGELOG.md"})`);
    const index = join(stage, "index.html");
    writeFileSync(index, indexPage(apis, has));
    files.push(index);
    log(`wrote ${shown(index)} (${apis.reduce((n, a) => n + a.operations.length, 0)} operations searchable)`);
    for (const f of files) {
      const page = withContentSecurityPolicy(readFileSync(f, "utf8"));
      const remote = remoteResource(page);
      if (remote) throw new Error(`${shown(f)} still loads a remote resource: ${remote}`);
      writeFileSync(f, page);
    }
    replaceFolder(stage, out);
    return { apis, files: files.map((f) => join(out, relative(stage, f))) };
  } finally {
    rmSync(stage, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Put the folder `fresh` where `target` is (two renames in the same parent folder). */
export function replaceFolder(fresh: string, target: string): void {
  const old = `${fresh}-old`;
  if (existsSync(target)) renameSync(target, old);
  try {
    renameSync(fresh, target);
  } catch (e) {
    if (existsSync(old)) renameSync(old, target);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await buildDocs({ log: (l) => process.stdout.write(`${l}\n`) });
}

/** One line per failure, never a stack (as `npm run generate`): the docs were left as they were. */
function fail(e: unknown): never {
  process.stderr.write(`docs: ${e instanceof Error ? e.message : String(e)}\ndocs: nothing was changed in ${relative(ROOT, DOCS_OUT)}\n`);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) await main().catch(fail);
