/**
 * The specs' own extensions that Redoc does not render, written as markdown into the copy of a
 * spec the pages are rendered from (build-docs.ts `bundledSpec`): the vendor's error table
 * (`x-error-codes`, AsyncAPI `x-error-messages`) as an "Error codes" section of the API's
 * description. specs/ is never written.
 */

type Obj = Record<string, any>;

/** The heading of the error table's section, and its route as Redoc's sidebar links it. */
export const ERROR_CODES_HEADING = "Error codes";
export const ERROR_CODES_LINK = "#/section/error-codes";

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

/** JSON text of a value whose integers may be bigint (the build reads the spec so). */
function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) === Number(v.toString()) && Number.isSafeInteger(Number(v)) ? Number(v) : v.toString() : v)) ?? String(value);
}

/** A value as the text of one markdown table cell: one line, its `|` escaped. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  const text = typeof value === "string" ? value : typeof value === "object" ? json(value) : String(value);
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

/** `node` with its local `$ref` followed (and `allOf` parts merged: properties, required). */
function resolved(spec: Obj, node: unknown, seen: Set<string> = new Set()): Obj {
  let n = node as Obj;
  while (n && typeof n === "object" && typeof n.$ref === "string" && n.$ref.startsWith("#/") && !seen.has(n.$ref)) {
    seen.add(n.$ref);
    const target = n.$ref
      .slice(2)
      .split("/")
      .reduce<any>((o, k) => o?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
    const { $ref: _ref, ...rest } = n;
    n = { ...target, ...rest };
  }
  if (!n || typeof n !== "object") return {};
  if (Array.isArray(n.allOf)) {
    const parts = n.allOf.map((p: unknown) => resolved(spec, p, new Set(seen)));
    const { allOf: _allOf, ...rest } = n;
    return {
      ...Object.assign({}, ...parts),
      ...rest,
      properties: Object.assign({}, ...parts.map((p: Obj) => p.properties ?? {}), rest.properties ?? {}),
      required: [...new Set([...parts.flatMap((p: Obj) => p.required ?? []), ...(rest.required ?? [])])],
    };
  }
  return n;
}

/** A schema's type as a reader would name it: `string`, `integer (int64)`, `array of object`, `"1.0.1"` … */
function typeName(spec: Obj, schema: Obj): string {
  if (schema.const !== undefined) return `${schema.type ?? ""} = ${json(schema.const)}`.trim();
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? (schema.properties ? "object" : Array.isArray(schema.oneOf ?? schema.anyOf) ? "one of several" : "any"));
  if (type === "array") return `array of ${typeName(spec, resolved(spec, schema.items ?? {}))}`;
  const enumText = Array.isArray(schema.enum) ? `, one of ${schema.enum.map((v: unknown) => json(v)).join(", ")}` : "";
  return `${type}${schema.format ? ` (${schema.format})` : ""}${enumText}`;
}

/** One row per field of an object schema, nested objects' fields as `parent.child` (and `items[].child`). */
function fieldRows(spec: Obj, schema: Obj, prefix = "", depth = 0): string[] {
  const s = resolved(spec, schema);
  const required = new Set<string>(s.required ?? []);
  const rows: string[] = [];
  for (const [name, raw] of Object.entries((s.properties ?? {}) as Obj)) {
    const field = resolved(spec, raw);
    const path = `${prefix}${name}`;
    rows.push(`| \`${path}\` | ${cell(typeName(spec, field))} | ${required.has(name) ? "yes" : "no"} | ${cell(field.description)} |`);
    if (depth >= 4) continue;
    if (field.properties || field.allOf) rows.push(...fieldRows(spec, field, `${path}.`, depth + 1));
    const items = field.type === "array" ? resolved(spec, field.items ?? {}) : undefined;
    if (items && (items.properties || items.allOf)) rows.push(...fieldRows(spec, items, `${path}[].`, depth + 1));
  }
  return rows;
}

/** The fields of a GET operation whose request is sent base64-encoded in `params` (`x-get-body: base64-params`), as markdown; else empty. */
export function requestFieldsMarkdown(spec: Obj, op: Obj): string {
  if (op?.["x-get-body"] !== "base64-params") return "";
  const param = (op.parameters ?? []).map((p: unknown) => resolved(spec, p)).find((p: Obj) => p.name === "params" && p.in === "query");
  const schema = op["x-request-schema"] ?? param?.schema?.contentSchema;
  if (!schema) return "";
  const name = typeof schema.$ref === "string" ? ` \`${schema.$ref.split("/").pop()}\`` : "";
  const rows = fieldRows(spec, schema);
  if (!rows.length) return "";
  return [
    `**Request fields** (the JSON request${name}, sent as the query parameter \`params\` in base64):`,
    "",
    "| Field | Type | Required | Description |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The row columns of the operation's answers with `x-pipe-rows` ("|"-separated lines), as markdown tables; else empty. */
export function pipeRowsMarkdown(spec: Obj, op: Obj): string {
  const parts: string[] = [];
  for (const [status, raw] of Object.entries((op?.responses ?? {}) as Obj)) {
    const response = resolved(spec, raw);
    // (on the response, or on one of its media types)
    const places: Array<[string, Obj]> = [["", response], ...Object.entries((response.content ?? {}) as Obj).map(([t, m]): [string, Obj] => [` (${t})`, m as Obj])];
    for (const [mediaType, place] of places) {
      const rows = place?.["x-pipe-rows"];
      if (!rows || typeof rows !== "object") continue;
      const columns = Array.isArray(rows.columns) ? rows.columns : [];
      const how = [rows.kind ? `kind \`${rows.kind}\`` : "", rows.header === true ? "after a header line" : rows.header === false ? "no header line" : ""].filter(Boolean).join(", ");
      if (!columns.length) {
        parts.push(`**Rows of the ${status} answer**${mediaType}: lines of "\\|"-separated text${how ? ` (${how})` : ""}; see the row schema${rows.rowSchema?.$ref ? ` \`${rows.rowSchema.$ref.split("/").pop()}\`` : ""}.`);
        continue;
      }
      const since = columns.some((c: Obj) => c?.since !== undefined);
      parts.push(
        [
        `**Row columns of the ${status} answer**${mediaType} (each row one line of "\\|"-separated columns, in this order${how ? `; ${how}` : ""}; the spec's \`x-pipe-rows\`):`,
        "",
        `| # | Column | Type |${since ? " Since |" : ""} Description |`,
        `| --- | --- | --- |${since ? " --- |" : ""} --- |`,
        ...columns.map((c: Obj, i: number) => `| ${i + 1} | \`${cell(c?.name)}\` | ${cell(c?.type)} |${since ? ` ${cell(c?.since)} |` : ""} ${cell(c?.description)} |`),
        ].join("\n"),
      );
    }
  }
  return parts.join("\n\n");
}
