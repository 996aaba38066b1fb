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
import { zhHtml } from "./docs-lang.js";
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

/**
 * The character table of the `slugify` package that Redoc's bundle embeds and slugs tag
 * names with: a character found here is replaced by its text before punctuation is dropped.
 * Copied as is (test/docs.test.ts checks it against the installed Redoc).
 */
const SLUGIFY_CHARMAP: Readonly<Record<string, string>> = {
  "$":"dollar","%":"percent","&":"and","<":"less",">":"greater","|":"or","¢":"cent","£":"pound","¤":"currency","¥":"yen","©":"(c)","ª":"a","®":"(r)",
  "º":"o","À":"A","Á":"A","Â":"A","Ã":"A","Ä":"A","Å":"A","Æ":"AE","Ç":"C","È":"E","É":"E","Ê":"E","Ë":"E","Ì":"I","Í":"I","Î":"I","Ï":"I","Ð":"D",
  "Ñ":"N","Ò":"O","Ó":"O","Ô":"O","Õ":"O","Ö":"O","Ø":"O","Ù":"U","Ú":"U","Û":"U","Ü":"U","Ý":"Y","Þ":"TH","ß":"ss","à":"a","á":"a","â":"a","ã":"a",
  "ä":"a","å":"a","æ":"ae","ç":"c","è":"e","é":"e","ê":"e","ë":"e","ì":"i","í":"i","î":"i","ï":"i","ð":"d","ñ":"n","ò":"o","ó":"o","ô":"o","õ":"o",
  "ö":"o","ø":"o","ù":"u","ú":"u","û":"u","ü":"u","ý":"y","þ":"th","ÿ":"y","Ā":"A","ā":"a","Ă":"A","ă":"a","Ą":"A","ą":"a","Ć":"C","ć":"c","Č":"C",
  "č":"c","Ď":"D","ď":"d","Đ":"DJ","đ":"dj","Ē":"E","ē":"e","Ė":"E","ė":"e","Ę":"e","ę":"e","Ě":"E","ě":"e","Ğ":"G","ğ":"g","Ģ":"G","ģ":"g","Ĩ":"I",
  "ĩ":"i","Ī":"i","ī":"i","Į":"I","į":"i","İ":"I","ı":"i","Ķ":"k","ķ":"k","Ļ":"L","ļ":"l","Ľ":"L","ľ":"l","Ł":"L","ł":"l","Ń":"N","ń":"n","Ņ":"N",
  "ņ":"n","Ň":"N","ň":"n","Ō":"O","ō":"o","Ő":"O","ő":"o","Œ":"OE","œ":"oe","Ŕ":"R","ŕ":"r","Ř":"R","ř":"r","Ś":"S","ś":"s","Ş":"S","ş":"s","Š":"S",
  "š":"s","Ţ":"T","ţ":"t","Ť":"T","ť":"t","Ũ":"U","ũ":"u","Ū":"u","ū":"u","Ů":"U","ů":"u","Ű":"U","ű":"u","Ų":"U","ų":"u","Ŵ":"W","ŵ":"w","Ŷ":"Y",
  "ŷ":"y","Ÿ":"Y","Ź":"Z","ź":"z","Ż":"Z","ż":"z","Ž":"Z","ž":"z","Ə":"E","ƒ":"f","Ơ":"O","ơ":"o","Ư":"U","ư":"u","ǈ":"LJ","ǉ":"lj","ǋ":"NJ","ǌ":"nj",
  "Ș":"S","ș":"s","Ț":"T","ț":"t","ə":"e","˚":"o","Ά":"A","Έ":"E","Ή":"H","Ί":"I","Ό":"O","Ύ":"Y","Ώ":"W","ΐ":"i","Α":"A","Β":"B","Γ":"G","Δ":"D",
  "Ε":"E","Ζ":"Z","Η":"H","Θ":"8","Ι":"I","Κ":"K","Λ":"L","Μ":"M","Ν":"N","Ξ":"3","Ο":"O","Π":"P","Ρ":"R","Σ":"S","Τ":"T","Υ":"Y","Φ":"F","Χ":"X",
  "Ψ":"PS","Ω":"W","Ϊ":"I","Ϋ":"Y","ά":"a","έ":"e","ή":"h","ί":"i","ΰ":"y","α":"a","β":"b","γ":"g","δ":"d","ε":"e","ζ":"z","η":"h","θ":"8","ι":"i",
  "κ":"k","λ":"l","μ":"m","ν":"n","ξ":"3","ο":"o","π":"p","ρ":"r","ς":"s","σ":"s","τ":"t","υ":"y","φ":"f","χ":"x","ψ":"ps","ω":"w","ϊ":"i","ϋ":"y",
  "ό":"o","ύ":"y","ώ":"w","Ё":"Yo","Ђ":"DJ","Є":"Ye","І":"I","Ї":"Yi","Ј":"J","Љ":"LJ","Њ":"NJ","Ћ":"C","Џ":"DZ","А":"A","Б":"B","В":"V","Г":"G",
  "Д":"D","Е":"E","Ж":"Zh","З":"Z","И":"I","Й":"J","К":"K","Л":"L","М":"M","Н":"N","О":"O","П":"P","Р":"R","С":"S","Т":"T","У":"U","Ф":"F","Х":"H",
  "Ц":"C","Ч":"Ch","Ш":"Sh","Щ":"Sh","Ъ":"U","Ы":"Y","Ь":"","Э":"E","Ю":"Yu","Я":"Ya","а":"a","б":"b","в":"v","г":"g","д":"d","е":"e","ж":"zh","з":"z",
  "и":"i","й":"j","к":"k","л":"l","м":"m","н":"n","о":"o","п":"p","р":"r","с":"s","т":"t","у":"u","ф":"f","х":"h","ц":"c","ч":"ch","ш":"sh","щ":"sh",
  "ъ":"u","ы":"y","ь":"","э":"e","ю":"yu","я":"ya","ё":"yo","ђ":"dj","є":"ye","і":"i","ї":"yi","ј":"j","љ":"lj","њ":"nj","ћ":"c","ѝ":"u","џ":"dz",
  "Ґ":"G","ґ":"g","Ғ":"GH","ғ":"gh","Қ":"KH","қ":"kh","Ң":"NG","ң":"ng","Ү":"UE","ү":"ue","Ұ":"U","ұ":"u","Һ":"H","һ":"h","Ә":"AE","ә":"ae","Ө":"OE",
  "ө":"oe","Ա":"A","Բ":"B","Գ":"G","Դ":"D","Ե":"E","Զ":"Z","Է":"E'","Ը":"Y'","Թ":"T'","Ժ":"JH","Ի":"I","Լ":"L","Խ":"X","Ծ":"C'","Կ":"K","Հ":"H",
  "Ձ":"D'","Ղ":"GH","Ճ":"TW","Մ":"M","Յ":"Y","Ն":"N","Շ":"SH","Չ":"CH","Պ":"P","Ջ":"J","Ռ":"R'","Ս":"S","Վ":"V","Տ":"T","Ր":"R","Ց":"C","Փ":"P'",
  "Ք":"Q'","Օ":"O''","Ֆ":"F","և":"EV","ء":"a","آ":"aa","أ":"a","ؤ":"u","إ":"i","ئ":"e","ا":"a","ب":"b","ة":"h","ت":"t","ث":"th","ج":"j","ح":"h",
  "خ":"kh","د":"d","ذ":"th","ر":"r","ز":"z","س":"s","ش":"sh","ص":"s","ض":"dh","ط":"t","ظ":"z","ع":"a","غ":"gh","ف":"f","ق":"q","ك":"k","ل":"l","م":"m",
  "ن":"n","ه":"h","و":"w","ى":"a","ي":"y","ً":"an","ٌ":"on","ٍ":"en","َ":"a","ُ":"u","ِ":"e","ْ":"","٠":"0","١":"1","٢":"2","٣":"3","٤":"4","٥":"5",
  "٦":"6","٧":"7","٨":"8","٩":"9","پ":"p","چ":"ch","ژ":"zh","ک":"k","گ":"g","ی":"y","۰":"0","۱":"1","۲":"2","۳":"3","۴":"4","۵":"5","۶":"6","۷":"7",
  "۸":"8","۹":"9","฿":"baht","ა":"a","ბ":"b","გ":"g","დ":"d","ე":"e","ვ":"v","ზ":"z","თ":"t","ი":"i","კ":"k","ლ":"l","მ":"m","ნ":"n","ო":"o","პ":"p",
  "ჟ":"zh","რ":"r","ს":"s","ტ":"t","უ":"u","ფ":"f","ქ":"k","ღ":"gh","ყ":"q","შ":"sh","ჩ":"ch","ც":"ts","ძ":"dz","წ":"ts","ჭ":"ch","ხ":"kh","ჯ":"j",
  "ჰ":"h","Ṣ":"S","ṣ":"s","Ẁ":"W","ẁ":"w","Ẃ":"W","ẃ":"w","Ẅ":"W","ẅ":"w","ẞ":"SS","Ạ":"A","ạ":"a","Ả":"A","ả":"a","Ấ":"A","ấ":"a","Ầ":"A","ầ":"a",
  "Ẩ":"A","ẩ":"a","Ẫ":"A","ẫ":"a","Ậ":"A","ậ":"a","Ắ":"A","ắ":"a","Ằ":"A","ằ":"a","Ẳ":"A","ẳ":"a","Ẵ":"A","ẵ":"a","Ặ":"A","ặ":"a","Ẹ":"E","ẹ":"e",
  "Ẻ":"E","ẻ":"e","Ẽ":"E","ẽ":"e","Ế":"E","ế":"e","Ề":"E","ề":"e","Ể":"E","ể":"e","Ễ":"E","ễ":"e","Ệ":"E","ệ":"e","Ỉ":"I","ỉ":"i","Ị":"I","ị":"i",
  "Ọ":"O","ọ":"o","Ỏ":"O","ỏ":"o","Ố":"O","ố":"o","Ồ":"O","ồ":"o","Ổ":"O","ổ":"o","Ỗ":"O","ỗ":"o","Ộ":"O","ộ":"o","Ớ":"O","ớ":"o","Ờ":"O","ờ":"o",
  "Ở":"O","ở":"o","Ỡ":"O","ỡ":"o","Ợ":"O","ợ":"o","Ụ":"U","ụ":"u","Ủ":"U","ủ":"u","Ứ":"U","ứ":"u","Ừ":"U","ừ":"u","Ử":"U","ử":"u","Ữ":"U","ữ":"u",
  "Ự":"U","ự":"u","Ỳ":"Y","ỳ":"y","Ỵ":"Y","ỵ":"y","Ỷ":"Y","ỷ":"y","Ỹ":"Y","ỹ":"y","–":"-","‘":"'","’":"'","“":"\"","”":"\"","„":"\"","†":"+","•":"*",
  "…":"...","₠":"ecu","₢":"cruzeiro","₣":"french franc","₤":"lira","₥":"mill","₦":"naira","₧":"peseta","₨":"rupee","₩":"won","₪":"new shequel",
  "₫":"dong","€":"euro","₭":"kip","₮":"tugrik","₯":"drachma","₰":"penny","₱":"peso","₲":"guarani","₳":"austral","₴":"hryvnia","₵":"cedi",
  "₸":"kazakhstani tenge","₹":"indian rupee","₺":"turkish lira","₽":"russian ruble","₿":"bitcoin","℠":"sm","™":"tm","∂":"d","∆":"delta","∑":"sum",
  "∞":"infinity","♥":"love","元":"yuan","円":"yen","﷼":"rial","ﻵ":"laa","ﻷ":"laa","ﻹ":"lai","ﻻ":"la"
};

/** `slugify(text)` with its default options, as Redoc calls it (case kept; Redoc lower-cases after). */
function slugify(text: string): string {
  const mapped = text
    .normalize()
    .split("")
    .map((c) => {
      const to = SLUGIFY_CHARMAP[c] ?? c;
      return (to === "-" ? " " : to).replace(/[^\w\s$*_+~.()'"!\-:@]+/g, "");
    })
    .join("");
  return mapped.trim().replace(/\s+/g, "-");
}

/** Redoc's escape of a route segment: backslashes as `%5C`. */
const routeSegment = (s: string) => s.replace(/\\/g, "%5C");

/**
 * Redoc's route segment for a tag name: `slugify` (`&` → `and`, `-` and spaces → one `-`,
 * other punctuation dropped but `$*_+~.()'"!:@` kept, accented letters → ASCII), or for a name
 * that leaves nothing (all Chinese, say) the name itself, spaces to `-`; lower-cased.
 */
export function redocSlug(name: string): string {
  const slug =
    slugify(name) ||
    name
      .toLowerCase()
      .replace(/\s+/g, "-")
      .replace(/&/g, "-and-")
      .replace(/--+/g, "-")
      .replace(/^-+/, "")
      .replace(/(?<!-)-+$/, "");
  return routeSegment(slug.toLowerCase());
}

/**
 * Redoc's `#/…` route of an OpenAPI operation: under its first tag that Redoc lists operations
 * of (not an `x-traitTag` or a badge / audience tag), or under `other` without any tag.
 */
export function redocOperationRoute(spec: Obj, op: Obj): string {
  const tags: string[] = Array.isArray(op.tags) ? op.tags.map(String) : [];
  const declared = new Map<string, Obj>(((spec.tags ?? []) as Obj[]).map((t) => [String(t?.name), t ?? {}]));
  const listed = (t: string) => {
    const tag = declared.get(t);
    return !tag || (!tag["x-traitTag"] && tag.kind !== "badge" && tag.kind !== "audience");
  };
  const id = routeSegment(String(op.operationId)).toLowerCase();
  const tag = tags.find(listed) ?? tags[0] ?? "";
  // Untagged: Redoc's "other" group (a "" tag among others: its group, with no segment).
  if (tag === "") return tags.length > 1 ? `#/${id}` : `#/other/${id}`;
  return `#/${redocSlug(tag)}/${id}`;
}

/**
 * Redoc's `#/…` route of an AsyncAPI operation: `channels/<channel key>/operations/<id>` (the
 * key and id as they are, lower-cased), under the slug of the channel's first tag if it has one.
 * (Kafka and AMQP channels are `topics` / `queues` there; these specs have WebSocket ones.)
 */
export function redocChannelOperationRoute(channel: Obj, channelKey: string, operationId: string): string {
  const tag = ((channel.tags ?? []) as Obj[]).map((t) => t?.name).find((n) => typeof n === "string" && n !== "");
  const parts = [...(tag ? [redocSlug(tag)] : []), "channels", channelKey, "operations", operationId];
  return `#/${parts.map((p) => p.replace(/^[/\\]+|[/\\]+$/g, "")).join("/")}`.toLowerCase();
}

/** Markdown to plain text for searching (code marks, emphasis, links and tables flattened). */
export function plainText(md: string | undefined): string {
  return (md ?? "")
    .replace(/```[\s\S]*?```/g, " ")
    // Markup only, never the characters of words: client_order_id, btc_usdt, a "|" row, a*b.
    .replace(/^\s*\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*$/gm, " ") // a table's rule line
    .replace(/^\s*\|(.*?)\|?\s*$/gm, (_m, row: string) => row.split(/(?<!\\)\|/).join(" ")) // a table row's cells
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)/gm, "") // heading marks, quotes, list bullets
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(?=\S)([^]*?\S)\1/g, "$2") // strong
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1$2") // *emphasis*
    .replace(/(^|[^\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])/g, "$1$2") // _emphasis_
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
      operations.push({
        api: name,
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        text: plainText(op.description),
        anchor: redocOperationRoute(spec, op),
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
        anchor: redocChannelOperationRoute(channel, channelKey, operationId),
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
html{scroll-padding-top:7rem}
header.portal{display:flex;flex-wrap:wrap;gap:.4rem 1.5rem;align-items:center;padding:.6rem 1.5rem;border-bottom:1px solid var(--line);background:var(--bg2)}
header.portal span{overflow-wrap:anywhere}
header.portal a{color:var(--accent);text-decoration:none}
header.portal .brand{font-weight:600;color:var(--fg)}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg2);padding:.05rem .3rem;border-radius:4px;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
.scroll:focus-visible{outline:2px solid var(--accent)}
a{color:var(--accent)}
.search{position:sticky;top:0;background:#fff;padding:.8rem 0;border-bottom:1px solid var(--line);z-index:1}
.search input{width:100%;font-size:16px;padding:.55rem .8rem;border:1px solid var(--line);border-radius:6px}
.count{color:var(--muted);font-size:13px;margin-top:.3rem}
.api{font-size:12px;font-weight:600;padding:.05rem .4rem;border-radius:4px;background:#ddf4ff;color:#0550ae;white-space:nowrap}
.method{font:12px ui-monospace,monospace;font-weight:700;white-space:nowrap}
.text{color:var(--muted);font-size:13px;max-height:2.8em;overflow:hidden}
.deprecated{text-decoration:line-through}
.note{font-size:12px;color:var(--muted)}
tr[hidden]{display:none}
#apis td:not(:first-child),#apis th{white-space:nowrap}
`;

function header(current: string): string {
  return `<header class="portal"><a class="brand" href="index.html">tradeapi API portal</a><a href="index.html#search">Search all operations</a><span>${escapeHtml(current)}</span></header>`;
}

/** The AsyncAPI view of an AsyncAPI spec (@asyncapi/html-template), next to its Redoc page. */
export const asyncApiViewFile = (name: string) => `${name}.asyncapi.html`;

const NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
/** A count in words up to twelve ("five"), in digits beyond. */
const countWord = (n: number) => NUMBER_WORDS[n] ?? String(n);

export function indexPage(apis: PortalApi[], hasChangelog: Record<string, boolean>): string {
  const rows = apis
    .map((a) => {
      const what = a.kind === "openapi" ? "OpenAPI 3.1" : `AsyncAPI 3.0 · <a href="${asyncApiViewFile(a.name)}">AsyncAPI view</a>`;
      const n = `${a.operations.length}`;
      const changelog = `<a href="changelog-${a.name}.html">changelog</a>${hasChangelog[a.name] ? "" : " <span class=\"count\">(none yet)</span>"}`;
      return `<tr><td><a href="${a.name}.html">${zhHtml(escapeHtml(a.title))}</a></td><td><code>${a.name}</code></td><td>${what}</td><td>${escapeHtml(a.version)}</td><td>${n}</td><td>${changelog}</td></tr>`;
    })
    .join("\n");
  const ops = apis.flatMap((a) => a.operations);
  const opRows = ops
    .map((o, i) => {
      const href = `${o.api}.html${o.anchor}`;
      return `<tr data-i="${i}"><td><span class="api">${o.api}</span></td><td><a href="${escapeHtml(href)}"><code class="${o.deprecated ? "deprecated" : ""}">${escapeHtml(o.operationId)}</code></a>${o.deprecated ? ' <span class="note">(deprecated)</span>' : ""}</td><td><span class="method">${escapeHtml(o.method)}</span> <code>${escapeHtml(o.path)}</code></td><td>${zhHtml(escapeHtml(o.summary))}<div class="text">${zhHtml(escapeHtml(o.text.slice(0, 240)))}</div></td></tr>`;
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
<p>Reference pages for the ${countWord(apis.length)} API${apis.length === 1 ? "" : "s"}, rendered from the hand-written specs in <code>specs/</code> by <code>npm run docs</code>. Every page works offline. Each operation shows its <strong>operationId</strong>: the name <code>client.call("&lt;operationId&gt;", …)</code> and <code>npx tradeapi call &lt;api&gt; &lt;operationId&gt;</code> take. (The Quant gateway's requests go by their wire <code>op</code>, <code>session.request("place_order", …)</code>; the CLI takes either name.)</p>
<p id="start"><strong>Where to start.</strong> How to authenticate and sign differs per API: each reference page's <em>Authentication</em> section has its security scheme with the signing recipe (what is signed, in which order, the nonce or timestamp, the headers; Hubi's with a worked test vector), and its <em>Error codes</em> section has the vendor's error table. The tradeapi clients and the CLI sign for you: installing, keys, the CLI and the emulators are in <a href="../../README.md">README.md</a> at the repository's root. The WebSocket API has two pages: <code>quant-ws.html</code>, the reference with the same sidebar and search as the REST APIs (operationIds, code samples), and its <em>AsyncAPI view</em> (<code>quant-ws.asyncapi.html</code>), the AsyncAPI initiative's own rendering, laid out by channel and message with every payload schema.</p>
<div class="scroll" role="region" aria-label="APIs" tabindex="0"><table id="apis"><thead><tr><th>API</th><th>CLI name</th><th>Spec</th><th>Vendor doc version</th><th>Operations</th><th>Changes</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<h2 id="search">All operations</h2>
<div class="search"><input id="q" type="search" placeholder="Search every API: operationId, path, summary, 中文…" aria-label="Search all operations" aria-describedby="count" autocomplete="off"><div class="count" id="count" role="status" aria-live="polite"></div></div>
<div class="scroll" role="region" aria-label="Operations" tabindex="0"><table id="ops"><thead><tr><th>API</th><th>operationId</th><th>Method and path</th><th>Summary</th></tr></thead>
<tbody>
${opRows}
</tbody></table></div>
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
  // Markdown's own escapes are read as markdown reads them: a backslash before punctuation is
  // that character as text (not markup), and an entity (`&lt;`) is its character, shown once
  // (spec diff writes both for spec text: `a]\(b`, `&lt;1min`, `\*\*x\*\*`); inside a code
  // span neither is read (its text is shown as written).
  const inline = (s: string) => {
    const kept: string[] = [];
    const keep = (html: string) => `\u0000${kept.push(html) - 1}\u0000`;
    const text = s
      .replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_m, _f: string, c: string) => keep(`<code>${escapeHtml(/^ .*[^ ].* $/.test(c) ? c.slice(1, -1) : c)}</code>`))
      .replace(/\\([!-/:-@[-`{-~])/g, (_m, c: string) => keep(escapeHtml(c)))
      .replace(/&(lt|gt|amp|quot|#\d{1,7});/g, (_m, e: string) => keep(escapeHtml(e === "lt" ? "<" : e === "gt" ? ">" : e === "amp" ? "&" : e === "quot" ? '"' : String.fromCodePoint(Math.min(Number(e.slice(1)), 0x10ffff)))));
    return escapeHtml(text)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, t: string, u: string) => (/^(https?:|#|[\w./-]+$)/.test(u) ? `<a href="${u}">${t}</a>` : t))
      .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]!);
  };
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
<h1>${zhHtml(escapeHtml(api.title))}: changelog</h1>
<p><a href="${api.name}.html">Reference</a> · current version: ${escapeHtml(api.version)} · from <code>CHANGELOG.md</code> (<code>npx tradeapi spec diff --markdown</code>)</p>
${body}
</main>
</body></html>
`;
}
