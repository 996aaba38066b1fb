/**
 * The docs portal around the Redoc pages (scripts/build-docs.ts):
 *
 * - `portalOperations`: every operation of every API (operationId, method + path or action +
 *   channel, summary, the description's text including the vendor's Chinese) with the anchor of
 *   its section in the API's Redoc page;
 * - `indexPage`: docs/api/index.html, the APIs and one search box over all their operations;
 * - `changelogSections` / `changelogPage`: docs/api/changelog-<api>.html from CHANGELOG.md's
 *   `## <version>` / `### <api>` sections ("no changes recorded yet" without any).
 *
 * No page loads anything from the network: styles and scripts are inline.
 */
import { deref, operationsOf } from "./docs-samples.js";

type Obj = Record<string, any>;

export interface PortalOperation {
  api: string;
  operationId: string;
  /** GET / POST …, or SEND / RECEIVE for WebSocket operations. */
  method: string;
  /** URL path, or the WebSocket channel address and wire `op`. */
  path: string;
  summary: string;
  /** The description as plain text (markdown marks removed), vendor Chinese included. */
  text: string;
  /** `#/…` route of the operation in `<api>.html` (Redoc's hash routes). */
  anchor: string;
  deprecated: boolean;
}

export interface PortalApi {
  name: string;
  kind: "openapi" | "asyncapi";
  title: string;
  version: string;
  operations: PortalOperation[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Redoc's route segment for a tag or channel name (lower-case, spaces to '-', punctuation dropped). */
export function redocSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9\s_()-]/g, "")
    .replace(/\s+/g, "-")
    .replace(/&/g, "-and-")
    .replace(/--+/g, "-")
    .replace(/^-+/, "")
    .replace(/-+$/, "");
}

/** Markdown to plain text for searching (code marks, emphasis, links and tables flattened). */
export function plainText(md: string | undefined): string {
  return (md ?? "")
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_#>|]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The wire `op` of an AsyncAPI operation's first message (its payload's `op` const), if any. */
function wireOp(spec: Obj, op: Obj): string | undefined {
  const msg = deref(spec, op.messages?.[0]);
  const opProp = deref(spec, deref(spec, msg.payload)?.properties?.op);
  return typeof opProp.const === "string" ? opProp.const : Array.isArray(opProp.enum) && opProp.enum.length === 1 ? String(opProp.enum[0]) : undefined;
}

export function portalApi(name: string, kind: "openapi" | "asyncapi", spec: Obj): PortalApi {
  const operations: PortalOperation[] = [];
  if (kind === "openapi") {
    for (const [method, path, op] of operationsOf(spec)) {
      const tag: string | undefined = op.tags?.[0];
      const id = String(op.operationId).toLowerCase();
      operations.push({
        api: name,
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        text: plainText(op.description),
        anchor: tag ? `#/${redocSlug(tag)}/${id}` : `#/${id}`,
        deprecated: op.deprecated === true,
      });
    }
  } else {
    for (const [operationId, opIn] of Object.entries((spec.operations ?? {}) as Obj)) {
      const op = deref(spec, opIn);
      const channelKey = typeof op.channel?.$ref === "string" ? op.channel.$ref.split("/").pop()! : "";
      const channel = deref(spec, op.channel);
      const wire = wireOp(spec, op);
      operations.push({
        api: name,
        operationId,
        method: String(op.action ?? "").toUpperCase(),
        path: `${channel.address ?? channelKey}${wire ? ` op=${wire}` : ""}`,
        summary: op.title ?? op.summary ?? "",
        text: plainText([op.summary, op.description].filter(Boolean).join("\n")),
        anchor: `#/channels/${redocSlug(channelKey)}/operations/${operationId.toLowerCase()}`,
        deprecated: op.deprecated === true,
      });
    }
  }
  return { name, kind, title: spec.info?.title ?? name, version: String(spec.info?.version ?? ""), operations };
}

const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#0969da;--bg2:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;color:var(--fg)}
header.portal{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.5rem;border-bottom:1px solid var(--line);background:var(--bg2)}
header.portal a{color:var(--accent);text-decoration:none}
header.portal .brand{font-weight:600;color:var(--fg)}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg2);padding:.05rem .3rem;border-radius:4px}
a{color:var(--accent)}
.search{position:sticky;top:0;background:#fff;padding:.8rem 0;border-bottom:1px solid var(--line);z-index:1}
.search input{width:100%;font-size:16px;padding:.55rem .8rem;border:1px solid var(--line);border-radius:6px}
.count{color:var(--muted);font-size:13px;margin-top:.3rem}
.api{font-size:12px;font-weight:600;padding:.05rem .4rem;border-radius:4px;background:#ddf4ff;color:#0550ae;white-space:nowrap}
.method{font:12px ui-monospace,monospace;font-weight:700;white-space:nowrap}
.text{color:var(--muted);font-size:13px;max-height:2.8em;overflow:hidden}
.deprecated{text-decoration:line-through}
tr[hidden]{display:none}
#apis td:not(:first-child),#apis th{white-space:nowrap}
`;

function header(current: string): string {
  return `<header class="portal"><a class="brand" href="index.html">tradeapi API portal</a><a href="index.html#search">Search all operations</a><span>${escapeHtml(current)}</span></header>`;
}

/** The AsyncAPI view of an AsyncAPI spec (@asyncapi/html-template), next to its Redoc page. */
export const asyncApiViewFile = (name: string) => `${name}.asyncapi.html`;

export function indexPage(apis: PortalApi[], hasChangelog: Record<string, boolean>): string {
  const rows = apis
    .map((a) => {
      const what = a.kind === "openapi" ? "OpenAPI 3.1" : `AsyncAPI 3.0 · <a href="${asyncApiViewFile(a.name)}">AsyncAPI view</a>`;
      const n = `${a.operations.length}`;
      const changelog = `<a href="changelog-${a.name}.html">changelog</a>${hasChangelog[a.name] ? "" : " <span class=\"count\">(none yet)</span>"}`;
      return `<tr><td><a href="${a.name}.html">${escapeHtml(a.title)}</a></td><td><code>${a.name}</code></td><td>${what}</td><td>${escapeHtml(a.version)}</td><td>${n}</td><td>${changelog}</td></tr>`;
    })
    .join("\n");
  const ops = apis.flatMap((a) => a.operations);
  const opRows = ops
    .map((o, i) => {
      const href = `${o.api}.html${o.anchor}`;
      return `<tr data-i="${i}"><td><span class="api">${o.api}</span></td><td><a href="${escapeHtml(href)}"><code class="${o.deprecated ? "deprecated" : ""}">${escapeHtml(o.operationId)}</code></a></td><td><span class="method">${escapeHtml(o.method)}</span> <code>${escapeHtml(o.path)}</code></td><td>${escapeHtml(o.summary)}<div class="text">${escapeHtml(o.text.slice(0, 240))}</div></td></tr>`;
    })
    .join("\n");
  // What the search box matches: operationId, api, method + path, summary, the full text.
  const haystacks = ops.map((o) => [o.operationId, o.api, `${o.method} ${o.path}`, o.summary, o.text].join("\n").toLowerCase());
  const script = `
const hay = ${JSON.stringify(haystacks).replace(/</g, "\\u003c")};
const rows = [...document.querySelectorAll("#ops tbody tr")];
const box = document.getElementById("q");
const count = document.getElementById("count");
function run() {
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  rows.forEach((row, i) => {
    const hit = words.every((w) => hay[i].includes(w));
    row.hidden = !hit;
    if (hit) shown++;
  });
  count.textContent = words.length ? shown + " of " + rows.length + " operations match" : rows.length + " operations";
}
box.addEventListener("input", run);
const initial = new URLSearchParams(location.search).get("q");
if (initial) box.value = initial;
run();
`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tradeapi API portal</title><style>${STYLE}</style></head>
<body>${header("")}
<main>
<h1>tradeapi API portal</h1>
<p>Reference pages for the five APIs, rendered from the hand-written specs in <code>specs/</code> by <code>npm run docs</code>. Every page works offline. Each operation shows its <strong>operationId</strong>: the name <code>client.call("&lt;operationId&gt;", …)</code> and <code>npx tradeapi call &lt;api&gt; &lt;operationId&gt;</code> take.</p>
<table id="apis"><thead><tr><th>API</th><th>CLI name</th><th>Spec</th><th>Vendor doc version</th><th>Operations</th><th>Changes</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2 id="search">All operations</h2>
<div class="search"><input id="q" type="search" placeholder="Search every API: operationId, path, summary, 中文…" aria-label="Search all operations" autocomplete="off"><div class="count" id="count"></div></div>
<table id="ops"><thead><tr><th>API</th><th>operationId</th><th>Method and path</th><th>Summary</th></tr></thead>
<tbody>
${opRows}
</tbody></table>
</main>
<script>${script}</script>
</body></html>
`;
}

export interface ChangelogSection {
  version: string;
  body: string;
}

/**
 * CHANGELOG.md's sections for one API: under every `## <version>` heading, the `### <api>`
 * subsection (its text up to the next `###` or `##`). Newest first, as the file lists them.
 */
export function changelogSections(markdown: string, api: string): ChangelogSection[] {
  const out: ChangelogSection[] = [];
  let version: string | null = null;
  let current: ChangelogSection | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    const h2 = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    const h3 = /^###\s+(.+?)\s*#*\s*$/.exec(line);
    if (h2 && !line.startsWith("###")) {
      version = h2[1]!.replace(/^\[([^\]]+)\].*$/, "$1");
      current = null;
    } else if (h3) {
      const name = h3[1]!.replace(/`/g, "").trim().toLowerCase();
      current = version !== null && (name === api || name.split(/\s+/)[0] === api) ? { version, body: "" } : null;
      if (current) out.push(current);
    } else if (current) {
      current.body += `${line}\n`;
    }
  }
  for (const s of out) s.body = s.body.trim();
  return out;
}

/** A small markdown subset (paragraphs, lists, headings, code spans and blocks, bold, links). */
export function renderMarkdown(md: string): string {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, t: string, u: string) => (/^(https?:|#|[\w./-]+$)/.test(u) ? `<a href="${u}">${t}</a>` : t));
  const out: string[] = [];
  let list: string[] | null = null;
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`);
    para = [];
    if (list) out.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join("")}</ul>`);
    list = null;
  };
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.startsWith("```")) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
    } else if (/^#{4,6}\s/.test(line)) {
      flush();
      out.push(`<h4>${inline(line.replace(/^#+\s*/, ""))}</h4>`);
    } else if (/^\s*[-*]\s+/.test(line)) {
      if (para.length) flush();
      (list ??= []).push(line.replace(/^\s*[-*]\s+/, ""));
    } else if (!line.trim()) {
      flush();
    } else if (list && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out.join("\n");
}

export function changelogPage(api: PortalApi, sections: ChangelogSection[] | null): string {
  const body =
    sections && sections.length
      ? sections.map((s) => `<section><h2 id="${escapeHtml(s.version)}">${escapeHtml(s.version)}</h2>\n${renderMarkdown(s.body) || "<p>No change to this API in this version.</p>"}</section>`).join("\n")
      : `<p>No changes recorded yet.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(api.title)}: changelog</title><style>${STYLE}</style></head>
<body>${header(`${api.title}: changelog`)}
<main>
<h1>${escapeHtml(api.title)}: changelog</h1>
<p><a href="${api.name}.html">Reference</a> · current version: ${escapeHtml(api.version)} · from <code>CHANGELOG.md</code> (<code>npx tradeapi spec diff --markdown</code>)</p>
${body}
</main>
</body></html>
`;
}
