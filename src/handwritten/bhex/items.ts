/**
 * Batch `items` of the BHEX finance and KYC batch calls, in both documented forms, driven by
 * the spec (`x-item-schema`, `x-items-forms`, `x-items-simple-columns`, `x-items-simple-format`
 * on each operation's `items` parameter):
 *
 *   simple  fields in the documented column order joined by ",", rows joined by ";"; an empty
 *           optional field keeps its comma (非必填字段值可以省略，但是后面的逗号不能省略); columns
 *           listed as omittable may be dropped at the end of a row.
 *           e.g. `83214971450163200,BTC,0.005,activity lock;231215678785585152,USDT,0.5,`
 *   json    a JSON array of row objects; IDs above 2^53 keep every digit.
 *
 * Typed rows in, the wire text out. Anything that would change the meaning of the text is
 * refused with a UsageError naming the row and column: a separator, quote-less comma or line
 * break inside a simple field, a missing required column, an unknown column, a value of the
 * wrong type or outside the documented enum.
 */
import type { components } from "../../../generated/bhex-org.js";
import { meta } from "../../../generated/bhex-org.meta.js";
import { aTypeName, quoted, typeName, UsageError } from "../core/errors.js";
import { excessDigits, MAX_INTEGER_DIGITS, parseJson, stringifyJson } from "../core/json.js";
import type { OperationMeta, SchemaMeta } from "../core/meta.js";
import { checkOperationArg, requireOperation } from "../core/operation-call.js";
import { characters, NUMBER_TEXT, patternFits, unsendable } from "../core/validate.js";

/** Row type of each batch operation's `items` (the spec's `x-item-schema`; a test checks the pairing). */
export interface BhexBatchRows {
  userBatchUpdateUserKycInfo: components["schemas"]["BatchKycItem"];
  financeBatchTransfer: components["schemas"]["BatchTransferItem"];
  financeAirDrop: components["schemas"]["AirDropItem"];
  financeBatchLockPosition: components["schemas"]["BatchLockItem"];
  financeBatchUnlockPosition: components["schemas"]["BatchUnlockItem"];
}
export type BhexBatchOperationId = keyof BhexBatchRows;
export type BhexItemsForm = "simple" | "json";

interface ItemSchema {
  properties: Record<string, SchemaMeta>;
  required: string[];
}

interface SimpleFormat {
  fieldSeparator: string;
  rowSeparator: string;
  omittableTrailing: string[];
}

/** What the spec says about one operation's `items`. */
export interface BatchItemsSpec {
  operationId: string;
  schema: ItemSchema;
  forms: BhexItemsForm[];
  /** Column order of the simple form (absent when only json is documented). */
  columns: string[] | undefined;
  simple: SimpleFormat | undefined;
}

const ITEMS = "items";

/** The items description of an operation, or undefined when it takes no batch `items`. */
export function batchItemsSpec(op: OperationMeta): BatchItemsSpec | undefined {
  checkOperationArg("batchItemsSpec", op);
  const s = op.body?.properties?.[ITEMS] ?? op.params?.find((p) => p.name === ITEMS)?.schema;
  const schema = s?.itemSchema as { properties?: Record<string, SchemaMeta>; required?: string[] } | undefined;
  if (!s || !schema?.properties) return undefined;
  const fmt = s.itemsSimpleFormat as Partial<SimpleFormat> | undefined;
  const columns = s.itemsSimpleColumns as string[] | undefined;
  return {
    operationId: op.operationId,
    schema: { properties: schema.properties, required: schema.required ?? [] },
    forms: ((s.itemsForms as BhexItemsForm[] | undefined) ?? ["json"]).slice(),
    columns,
    simple: columns
      ? {
          fieldSeparator: fmt?.fieldSeparator ?? ",",
          rowSeparator: fmt?.rowSeparator ?? ";",
          omittableTrailing: fmt?.omittableTrailing ?? [],
        }
      : undefined,
  };
}

/** A value for a message: a number as written (NaN, Infinity, -0: JSON would say null or 0), `12n` for a bigint, JSON where it can be, else its type. */
function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

function specFor(operationId: string): BatchItemsSpec {
  const op = requireOperation(meta, operationId);
  const spec = batchItemsSpec(op);
  if (!spec) throw new UsageError(`takes no batch items`, { api: "bhex", operation: operationId });
  return spec;
}

function checkForm(spec: BatchItemsSpec, form: string): asserts form is BhexItemsForm {
  if (!(spec.forms as string[]).includes(form)) {
    throw new UsageError(`data_type ${show(form)} is not documented for these items; use ${spec.forms.join(" or ")}`, {
      api: "bhex",
      operation: spec.operationId,
    });
  }
}

const INTEGER_TEXT = /^-?\d+$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function types(schema: SchemaMeta): string[] {
  return ([] as string[]).concat(schema.type ?? []);
}

/** A validated value: strings, booleans, numbers or bigints (never a rounded number). */
type Cell = string | boolean | number | bigint | null;

function fail(spec: BatchItemsSpec, row: number, column: string | undefined, why: string): never {
  const where = column === undefined ? `items row ${row + 1}` : `items row ${row + 1}, column "${column}"`;
  throw new UsageError(`${where}: ${why}`, { api: "bhex", operation: spec.operationId });
}

function normalizeCell(spec: BatchItemsSpec, row: number, name: string, value: unknown, schema: SchemaMeta): Cell | undefined {
  const t = types(schema);
  if (value === undefined) return undefined;
  if (value === null) return t.includes("null") ? null : undefined;
  let out: Cell;
  if (t.includes("string") && typeof value === "string") out = value;
  else if (t.includes("string") && schema.pattern === "^-?[0-9]+$" && (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value)))) {
    // Numeric IDs documented as strings: a bigint or a safe integer is written as its digits.
    out = String(value);
  } else if (t.includes("integer") && (typeof value === "bigint" || typeof value === "number" || typeof value === "string")) {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      fail(spec, row, name, `${value} is not an exact integer (pass IDs above 2^53 as a bigint or a string of digits)`);
    }
    const text = String(value).trim();
    if (!INTEGER_TEXT.test(text)) fail(spec, row, name, `must be an integer, got ${quoted(text)}`);
    const digits = excessDigits(text);
    if (digits) fail(spec, row, name, `an integer of ${digits} digits: more than the ${MAX_INTEGER_DIGITS} read`);
    const big = BigInt(text);
    out = big > MAX_SAFE || big < -MAX_SAFE ? big : Number(big);
  } else if (t.includes("boolean") && (typeof value === "boolean" || value === "true" || value === "false")) {
    out = value === true || value === "true";
  } else {
    fail(spec, row, name, `must be ${t.join(" or ")}, got ${show(value)}`);
  }
  if (typeof out === "string") {
    if (out === "") return undefined;
    // (the json form would carry a lone surrogate as \ud800, which the server reads as U+FFFD)
    const unsent = unsendable(out, false);
    if (unsent) fail(spec, row, name, `holds ${unsent}`);
    if (schema.format === "decimal" && !NUMBER_TEXT.test(out)) fail(spec, row, name, `must be a decimal number, got ${quoted(out)}`);
    if (schema.pattern) {
      // (a text of millions of characters overflows the regex stack: refused, not a RangeError)
      const fits = patternFits(schema.pattern, out);
      if (fits !== true) fail(spec, row, name, `${quoted(out)} does not match ${schema.pattern}${fits === undefined ? ": too long to check against the pattern" : ""}`);
    }
    const max = (schema as { maxLength?: number }).maxLength;
    if (max !== undefined && characters(out) > max) fail(spec, row, name, `longer than ${max} characters`);
  }
  if (schema.enum && !schema.enum.some((e) => String(e) === String(out))) {
    fail(spec, row, name, `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(String(out))}`);
  }
  return out;
}

/** Check one row against the item schema; returns its cells in schema order (absent ones left out). */
function normalizeRow(spec: BatchItemsSpec, row: number, value: unknown): Map<string, Cell> {
  if (!value || typeof value !== "object" || Array.isArray(value)) fail(spec, row, undefined, "must be an object");
  const given = value as Record<string, unknown>;
  const known = Object.keys(spec.schema.properties);
  for (const k of Object.keys(given)) {
    if (!known.includes(k) && given[k] !== undefined) fail(spec, row, k, `unknown column; the documented columns are ${known.join(", ")}`);
  }
  const cells = new Map<string, Cell>();
  for (const name of known) {
    const cell = normalizeCell(spec, row, name, given[name], spec.schema.properties[name]!);
    if (cell === undefined) {
      if (spec.schema.required.includes(name)) fail(spec, row, name, "is required");
      continue;
    }
    cells.set(name, cell);
  }
  return cells;
}

function simpleText(spec: BatchItemsSpec, row: number, name: string, cell: Cell): string {
  const text = cell === null ? "" : String(cell);
  const { fieldSeparator, rowSeparator } = spec.simple!;
  for (const [bad, label] of [
    [fieldSeparator, `the field separator ${JSON.stringify(fieldSeparator)}`],
    [rowSeparator, `the row separator ${JSON.stringify(rowSeparator)}`],
    ["\n", "a line break"],
    ["\r", "a line break"],
  ] as const) {
    if (text.includes(bad)) {
      fail(spec, row, name, `contains ${label}, which the simple form cannot carry (it has no quoting); use data_type=json for this value`);
    }
  }
  return text;
}

/**
 * Encode typed rows as the `items` text of a batch operation. `form` is the `data_type` you
 * send with it. Throws UsageError (naming row and column) for rows the form cannot carry.
 */
export function encodeBatchItems<K extends BhexBatchOperationId>(
  operationId: K,
  rows: ReadonlyArray<BhexBatchRows[K]>,
  form: BhexItemsForm,
): string {
  const spec = specFor(operationId);
  checkForm(spec, form);
  // (one row not in a list was "needs at least one row", naming neither `items` nor the list)
  if (!Array.isArray(rows)) throw new UsageError(`items must be a list of rows, got ${aTypeName(rows)}${rows !== null && typeof rows === "object" ? ": put one row in [ ]" : ""}`, { api: "bhex", operation: operationId });
  if (rows.length === 0) throw new UsageError("a batch needs at least one row", { api: "bhex", operation: operationId });
  const normalized = rows.map((r, i) => normalizeRow(spec, i, r));
  if (form === "json") {
    return stringifyJson(normalized.map((cells) => Object.fromEntries(cells)));
  }
  const columns = spec.columns!;
  const { fieldSeparator, rowSeparator, omittableTrailing } = spec.simple!;
  return normalized
    .map((cells, i) => {
      const fields = columns.map((c) => (cells.has(c) ? simpleText(spec, i, c, cells.get(c)!) : ""));
      // Columns documented as omittable may be dropped, with their comma, at the end of a row.
      let end = fields.length;
      while (end > 0 && fields[end - 1] === "" && omittableTrailing.includes(columns[end - 1]!)) end--;
      return fields.slice(0, end).join(fieldSeparator);
    })
    .join(rowSeparator);
}

/**
 * Decode an `items` text back into rows (the emulator reads requests with it; tests use it
 * for round trips). Simple-form cells come back typed by the item schema: booleans, integers
 * (bigint above 2^53), strings; empty cells are left out.
 */
export function decodeBatchItems<K extends BhexBatchOperationId>(operationId: K, text: string, form: BhexItemsForm): Array<BhexBatchRows[K]> {
  const spec = specFor(operationId);
  checkForm(spec, form);
  if (typeof text !== "string") throw new UsageError(`items must be the text of a batch, got ${typeName(text)}`, { api: "bhex", operation: operationId });
  const rows: unknown[] = [];
  if (form === "json") {
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (e) {
      throw new UsageError(`items is not valid JSON: ${(e as Error).message}`, { api: "bhex", operation: operationId });
    }
    if (!Array.isArray(value)) throw new UsageError("items must be a JSON array of rows", { api: "bhex", operation: operationId });
    rows.push(...value);
  } else {
    const columns = spec.columns!;
    const { fieldSeparator, rowSeparator, omittableTrailing } = spec.simple!;
    const lines = text.split(rowSeparator);
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    const minFields = columns.length - omittableTrailing.length;
    lines.forEach((line, i) => {
      const fields = line.split(fieldSeparator);
      if (fields.length < minFields || fields.length > columns.length) {
        fail(spec, i, undefined, `has ${fields.length} fields; expected ${minFields === columns.length ? columns.length : `${minFields} to ${columns.length}`} (${columns.join(",")})`);
      }
      rows.push(Object.fromEntries(fields.map((f, j) => [columns[j]!, f === "" ? undefined : f])));
    });
  }
  if (rows.length === 0) throw new UsageError("a batch needs at least one row", { api: "bhex", operation: operationId });
  return rows.map((r, i) => Object.fromEntries(normalizeRow(spec, i, r)) as unknown as BhexBatchRows[K]);
}
