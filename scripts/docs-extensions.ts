/**
 * The specs' own extensions that Redoc does not render, written as markdown into the copy of a
 * spec the pages are rendered from (build-docs.ts `bundledSpec`): the vendor's error table
 * (`x-error-codes`, AsyncAPI `x-error-messages`) as an "Error codes" section of the API's
 * description. specs/ is never written.
 */

type Obj = Record<string, any>;

/** The heading of the error table's section (Redoc links it as `#section/Error-codes`). */
export const ERROR_CODES_HEADING = "Error codes";
export const ERROR_CODES_LINK = "#section/Error-codes";

/** Prose shown as markdown with its `<` as text, outside code spans (`Bearer <access token>` is no HTML tag). */
export function literalAngles(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(/(`+)[\s\S]*?[^`]\1(?!`)/g)) {
    out += text.slice(last, m.index).replace(/</g, "&lt;") + m[0];
    last = m.index + m[0].length;
  }
  return out + text.slice(last).replace(/</g, "&lt;");
}

/** A value as the text of one markdown table cell: one line, its `|` escaped. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return literalAngles(text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|").trim());
}

/** A value as a code span in one table cell (its `<` stays as it is: code shows as text). */
function codeCell(value: unknown): string {
  return `\`${String(value).replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|").replace(/`/g, "")}\``;
}

/** The extension holding an API's error table: `x-error-codes` (OpenAPI) or `x-error-messages` (AsyncAPI). */
export function errorTableKey(spec: Obj): "x-error-codes" | "x-error-messages" | undefined {
  if (spec["x-error-codes"] && typeof spec["x-error-codes"] === "object") return "x-error-codes";
  if (spec["x-error-messages"] && typeof spec["x-error-messages"] === "object") return "x-error-messages";
  return undefined;
}

/**
 * The "Error codes" section: one row per entry (code, the vendor's message, meaning, kind);
 * empty when the spec has no error table.
 */
export function errorCodesMarkdown(spec: Obj): string {
  const key = errorTableKey(spec);
  if (!key) return "";
  const entries = Object.entries(spec[key] as Record<string, Obj>);
  if (!entries.length) return "";
  const first = key === "x-error-codes" ? "Code" : "Error message";
  const rows = entries.map(([code, e]) => `| \`${cell(code).replace(/`/g, "")}\` | ${cell(e?.message)} | ${cell(e?.meaning)} | ${cell(e?.kind)} |`);
  return [
    `# ${ERROR_CODES_HEADING}`,
    "",
    `The errors the vendor's document lists (${entries.length}), with the vendor's message, what it means and its kind (how a client treats it: \`auth\`, \`rate-limit\`, \`invalid-request\` …). The spec holds them in \`${key}\`.`,
    "",
    `| ${first} | Vendor's message | Meaning | Kind |`,
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/**
 * `text` with every mention of the error table's extension (as code) followed by a link to the
 * section; not in a heading (Redoc's sidebar label ends at a heading's first inline element).
 */
export function linkErrorTable(text: string, key: string): string {
  const mention = new RegExp("`" + key + "`(?!\\s*\\(\\[)", "g");
  return text
    .split("\n")
    .map((line) => (/^ {0,3}#{1,6}\s/.test(line) ? line : line.replace(mention, `\`${key}\` ([${ERROR_CODES_HEADING}](${ERROR_CODES_LINK}))`)))
    .join("\n");
}

/** A scalar as markdown: a word without spaces (a name, a hex digest, a parameter list) as code, prose as it is. */
function scalarMarkdown(value: unknown): string {
  const text = typeof value === "string" ? value.trim() : String(value);
  return text !== "" && !/\s/.test(text) && !text.includes("`") ? `\`${text}\`` : literalAngles(text);
}

/** `value` as a markdown list item named `key` (objects nested, multi-line text kept under its item). */
function listItem(key: string, value: unknown, depth: number): string[] {
  const pad = "  ".repeat(depth);
  const under = `${pad}  `;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) return [`${pad}- **${key}**: ${value.map(scalarMarkdown).join(", ")}`];
  if (value && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v] as const) : Object.entries(value as Obj);
    return [`${pad}- **${key}**:`, ...entries.flatMap(([k, v]) => listItem(k, v, depth + 1))];
  }
  const [first = "", ...rest] = (typeof value === "string" ? value.trim() : String(value)).split("\n");
  return [`${pad}- **${key}**: ${rest.length ? literalAngles(first) : scalarMarkdown(first)}`, ...rest.map((l) => (l.trim() === "" ? "" : `${under}${literalAngles(l)}`))];
}

/**
 * A security scheme's signing recipe (`x-signature`) and headers (`x-headers`), which Redoc
 * does not render, as markdown for the end of the scheme's description; empty when it has
 * neither.
 */
export function securitySchemeMarkdown(scheme: Obj): string {
  const parts: string[] = [];
  const signature = scheme?.["x-signature"];
  if (signature && typeof signature === "object") {
    parts.push("**Signing recipe** (the spec's `x-signature`):", "", ...Object.entries(signature as Obj).flatMap(([k, v]) => listItem(k, v, 0)));
  }
  const headers = scheme?.["x-headers"];
  if (Array.isArray(headers) && headers.length) {
    if (parts.length) parts.push("");
    parts.push(
      "**Headers of every signed request** (the spec's `x-headers`):",
      "",
      "| Header | Value | Description |",
      "| --- | --- | --- |",
      ...headers.map((h: Obj) => `| \`${cell(h?.name)}\` | ${h?.value !== undefined ? codeCell(h.value) : cell(h?.format)} | ${cell(h?.description)} |`),
    );
  }
  return parts.join("\n");
}

/**
 * Markdown whose ATX headings (`## …`, outside code blocks) hold no inline markup: code spans
 * as their text, HTML tags dropped. Redoc's sidebar label of a heading ends at its first inline
 * element ("Authentication (security scheme `xtAccessKey`)" showed as "Authentication (security scheme ").
 */
export function plainHeadings(md: string): string {
  let fence: string | null = null;
  return md
    .split("\n")
    .map((line) => {
      const open = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence !== null) {
        if (open && open[0] === fence[0] && open.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(line)) fence = null;
        return line;
      }
      if (open) {
        fence = open;
        return line;
      }
      if (!/^ {0,3}#{1,6}[ \t]/.test(line)) return line;
      return line.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_m, _t: string, code: string) => code.trim()).replace(/<\/?[a-z][^<>]*>/gi, "");
    })
    .join("\n");
}
