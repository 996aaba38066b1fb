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

/** A value as the text of one markdown table cell: one line, its `|` escaped. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|").trim();
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
