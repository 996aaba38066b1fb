/**
 * The Xele request on the wire: the receiving server's common fields (x-common-request-fields:
 * MS `protocl_version, token, serialno, operator`; MA `client_version, token`), then `data`
 * when the operation has any. GETs carry that JSON as `?params=<base64>` (the vendor doc's form for
 * clients that cannot send a GET body — fetch cannot); other methods send it as the JSON body.
 *
 * `prepareData` completes and checks what the caller gave (no-condition.ts, request-schema.ts;
 * for a counter version, counter-version.ts) once per call; `wireRequest` builds one attempt (fresh serialno, current token).
 */
import { UsageError } from "../core/errors.js";
import type { OutgoingRequest } from "../core/http-transport.js";
import { stringifyJson } from "../core/json.js";
import type { OperationMeta } from "../core/meta.js";
import { describeNewer, newerParts, newerThan, schemaForCounter } from "./counter-version.js";
import { fillNoCondition } from "./no-condition.js";
import { checkSchema } from "./request-schema.js";
import { commonFieldsOf, dataSchemaOf, loginScheme, serverOf, usesBase64Params } from "./spec-info.js";

export const SERIALNO_FIELD = "serialno";
const NO_DATA = Symbol("noData");
export type PreparedData = string | typeof NO_DATA;

/**
 * The `data` JSON text for an operation: the caller's value with left-out filters filled, then
 * checked against the closed schema. Every problem becomes one UsageError before anything is
 * sent.
 */
export function prepareData(op: OperationMeta, data: unknown, counterVersion?: string): PreparedData {
  const ctx = { api: "xele", operation: op.operationId };
  if (newerThan(op.since, counterVersion)) {
    throw new UsageError(`${op.operationId} came with counter ${op.since}; this client's counterVersion is ${counterVersion}`, ctx);
  }
  const fullSchema = dataSchemaOf(op);
  if (!fullSchema) {
    if (data !== undefined && !(isPlainObject(data) && Object.keys(data).length === 0)) {
      throw new UsageError("this operation takes no data", ctx);
    }
    return NO_DATA;
  }
  // What the caller gives that the counter does not know is named with its version; what the
  // client would fill that it does not know is left out (counter-version.ts).
  const newer = newerParts(data, fullSchema, counterVersion, "data");
  if (newer.length) throw new UsageError(`not known to counter ${counterVersion} (this client's counterVersion): ${newer.slice(0, 8).map(describeNewer).join("; ")}${newer.length > 8 ? `; … ${newer.length - 8} more` : ""}`, ctx);
  const schema = schemaForCounter(fullSchema, counterVersion);
  const filled = fillNoCondition(schema, data === undefined && isObjectSchema(schema) ? {} : data);
  const problems = filled === undefined ? [{ message: "missing data" }] : checkSchema(filled, schema, "data");
  if (problems.length) {
    const list = problems.slice(0, 8).map((p) => p.message);
    if (problems.length > 8) list.push(`… ${problems.length - 8} more`);
    throw new UsageError(`invalid request: ${list.join("; ")}`, ctx);
  }
  return stringifyJson(filled);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isObjectSchema(s: { type?: string | ReadonlyArray<string> }): boolean {
  return ([] as string[]).concat(s.type ?? []).includes("object");
}

export interface WireFields {
  token: string;
  serialno: number;
  /** Overrides the spec's default `operator` ("" for protocol users). */
  operator?: string | undefined;
}

/** The JSON text of one request: common fields in the spec's order, then data. */
export function requestJson(op: OperationMeta, data: PreparedData, fields: WireFields): string {
  const common = commonFieldsOf(serverOf(op));
  const tokenField = loginScheme().requestField;
  const parts: string[] = [];
  for (const name of common.fields) {
    let value: unknown;
    if (name === tokenField) value = fields.token;
    else if (name === SERIALNO_FIELD) value = fields.serialno;
    else if (name === "operator" && fields.operator !== undefined) value = fields.operator;
    else value = common.values[name];
    if (value === undefined) throw new Error(`xele spec: no value for common field ${name}`);
    parts.push(`${JSON.stringify(name)}:${stringifyJson(value)}`);
  }
  if (data !== NO_DATA) parts.push(`"data":${data}`);
  return `{${parts.join(",")}}`;
}

/** One outgoing request for the shared transport. */
export function wireRequest(op: OperationMeta, baseUrl: string, json: string): OutgoingRequest {
  if (usesBase64Params(op)) {
    return {
      method: op.method,
      baseUrl,
      path: op.path,
      query: [["params", Buffer.from(json, "utf8").toString("base64")]],
      form: null,
      json: null,
      headers: {},
    };
  }
  return { method: op.method, baseUrl, path: op.path, query: [], form: null, json, headers: {} };
}
