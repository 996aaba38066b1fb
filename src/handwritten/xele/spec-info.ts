/**
 * What the Xele spec says about an operation, read from the generated metadata: which server
 * it goes to (x-server), its whole request schema (x-request-schema), the common request
 * fields of that server (x-common-request-fields), how a GET carries its JSON
 * (x-get-body: base64-params), the token scheme (x-login) and the "|" row layout of its answer
 * (x-pipe-rows). Nothing here restates the spec: change the spec, regenerate, and these follow.
 */
import { meta } from "../../../generated/xele-mgmt.meta.js";
import { UsageError } from "../core/errors.js";
import type { OperationMeta, SchemaMeta } from "../core/meta.js";
import { checkOperationArg } from "../core/operation-call.js";
import type { PipeRowsLayout } from "./pipe-rows.js";

export const xeleMeta = meta;

export type XeleServer = "MA" | "MS";
export const XELE_SERVERS: readonly XeleServer[] = ["MA", "MS"];

/** A JSON schema as the metadata carries it (dereferenced; the spec's `x-` keys as typed fields). */
export type JsonSchema = SchemaMeta;

export interface CommonRequestFields {
  /** Field names in wire order, e.g. protocl_version, token, serialno, operator. */
  fields: readonly string[];
  /** Fixed values (protocol version, default operator, ...). */
  values: Readonly<Record<string, unknown>>;
}

export function serverOf(op: OperationMeta): XeleServer {
  checkOperationArg("serverOf", op);
  const s = op.server;
  if (s !== "MA" && s !== "MS") throw new UsageError(`serverOf takes a Xele operation (its x-server MA or MS); ${JSON.stringify(op.operationId)} has none`, { api: "xele" });
  return s;
}

/** The whole JSON request of an operation (common fields + data), closed. */
export function requestSchemaOf(op: OperationMeta): JsonSchema {
  const s = op.requestSchema;
  if (!s) throw new Error(`xele spec: operation ${op.operationId} has no x-request-schema`);
  return s;
}

/** The schema of the operation's `data` field, or undefined when the request carries none. */
export function dataSchemaOf(op: OperationMeta): JsonSchema | undefined {
  const properties = requestSchemaOf(op).properties;
  return properties && Object.hasOwn(properties, "data") ? properties.data : undefined;
}

export function commonFieldsOf(server: XeleServer): CommonRequestFields {
  const c = meta.commonRequestFields?.[server];
  if (!c) throw new Error(`xele spec: x-common-request-fields has no entry for ${server}`);
  return c;
}

/** GETs carry their JSON as ?params=<base64> (x-get-body: base64-params); others send JSON bodies. */
export function usesBase64Params(op: OperationMeta): boolean {
  return op.getBody === "base64-params";
}

export interface LoginScheme {
  operationId: string;
  /** Field of the login answer holding the token (ticket). */
  tokenField: string;
  /** Common request field the token goes into (token). */
  requestField: string;
  /** Vendor codes meaning "log in again" (109). */
  reloginOnCodes: readonly number[];
}

export function loginScheme(): LoginScheme {
  if (!meta.login) throw new Error("xele spec: its token scheme has no x-login");
  return meta.login;
}

/** The "|" row layout of an operation's 200 answer, if it answers in rows. */
export function pipeRowsOf(op: OperationMeta): PipeRowsLayout | undefined {
  checkOperationArg("pipeRowsOf", op);
  return op.responses?.["200"]?.pipeRows;
}
