/**
 * Calling an operation by its operationId with one flat params object: the spec's metadata
 * says where each parameter goes (path, query, form or JSON body), which are required and
 * which values are allowed; wrong input is a UsageError before anything is sent.
 */
import { aTypeName, typeName, UsageError } from "./errors.js";
import type { CallOptions, OutgoingRequest } from "./http-transport.js";
import { paramText, stringifyJson } from "./json.js";
import type { ApiMeta, OperationMeta, SchemaMeta } from "./meta.js";
import { findOperation } from "./meta.js";
import { checkParam, checkRequiredOneOf, fitsSchema, meant, ownFields, unsendable, withNumberTexts } from "./validate.js";

/** Encode one parameter value as the wire text the spec describes. */
export function serializeValue(value: unknown, schema: SchemaMeta | undefined): string {
  if (schema?.contentEncoding === "base64" && typeof value !== "string") {
    return Buffer.from(stringifyJson(withNumberTexts(value, schema.contentSchema)), "utf8").toString("base64");
  }
  if (Array.isArray(value) && schema?.commaJoined) return value.map((v) => serializeValue(v, undefined)).join(",");
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return paramText(value);
  if (value === null) return "";
  return stringifyJson(value);
}

const KNOWN = new WeakMap<OperationMeta, ReadonlySet<string>>();
/** Every parameter name an operation takes (computed once per operation). */
function knownParams(op: OperationMeta): ReadonlySet<string> {
  let k = KNOWN.get(op);
  if (!k) KNOWN.set(op, (k = new Set<string>([...op.params.map((p) => p.name), ...Object.keys(op.body?.properties ?? {})])));
  return k;
}

/** Check one parameter against its schema (core/validate.ts): a UsageError naming the operation and the parameter. */
export function checkValue(api: string, op: OperationMeta, name: string, value: unknown, schema: SchemaMeta): void {
  checkParam({ api, operation: op.operationId }, name, value, schema);
}

/**
 * Place `params` per the operation's metadata. Unknown names, missing required parameters
 * and values outside the documented type/enum are UsageErrors naming the operation.
 */
export function buildRequest(api: string, op: OperationMeta, given: Record<string, unknown>, baseUrl: string): OutgoingRequest {
  const params = ownFields(given); // (a parameter on Object.prototype is none given)
  const ctx = { api, operation: op.operationId };
  const known = knownParams(op);
  let unknown: string[] | undefined;
  for (const k in params) if (!known.has(k) && params[k] !== undefined) (unknown ??= []).push(k);
  if (unknown) {
    throw new UsageError(
      `unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}${unknown.length === 1 ? meant(unknown[0]!, [...known]) : ""}; this operation takes: ${[...known].join(", ") || "no parameters"}`,
      ctx,
    );
  }
  checkRequiredOneOf(ctx, op.requiredOneOf, params);
  let path = op.path;
  const query: Array<[string, string]> = [];
  const headers: Record<string, string> = {};
  for (const p of op.params) {
    const v = params[p.name];
    if (v === undefined || v === null) {
      if (p.required) throw new UsageError(`missing required parameter "${p.name}"${p.description ? ` (${firstLine(p.description)})` : ""}`, ctx);
      continue;
    }
    checkValue(api, op, p.name, v, p.schema);
    const text = serializeValue(v, p.schema);
    checkText(ctx, p.name, text, p.in === "header");
    if (p.in === "path") {
      // "", "." and ".." survive encodeURIComponent and would name another path (a server or
      // proxy resolves /orders/.. to /), signed as this operation.
      if (text === "" || text === "." || text === "..") throw new UsageError(`path parameter "${p.name}" cannot be ${JSON.stringify(text)}: the URL would name another path`, ctx);
      path = path.replace(`{${p.name}}`, encodeURIComponent(text));
    }
    else {
      const value = p.required ? nonEmpty(ctx, p.name, text, p.schema) : text;
      if (p.in === "query") query.push([p.name, value]);
      else if (p.in === "header") headers[p.name] = value;
    }
  }
  let form: Array<[string, string]> | null = null;
  let json: string | null = null;
  if (op.body) {
    const fields: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(op.body.properties)) {
      const v = params[name];
      if (v === undefined) {
        if (op.body.required.includes(name)) {
          throw new UsageError(`missing required parameter "${name}"${schema.description ? ` (${firstLine(schema.description)})` : ""}`, ctx);
        }
        continue;
      }
      checkValue(api, op, name, v, schema);
      fields[name] = v;
    }
    if (op.body.not && fitsSchema(fields, op.body.not.schema)) throw new UsageError(op.body.not.message, ctx);
    if (/x-www-form-urlencoded/i.test(op.body.contentType)) {
      const body = op.body;
      form = Object.entries(fields).map(([k, v]) => {
        const text = checkText(ctx, k, serializeValue(v, body.properties[k]), false);
        return [k, body.required.includes(k) ? nonEmpty(ctx, k, text, body.properties[k]) : text];
      });
    } else {
      json = stringifyJson(fields);
    }
  }
  return { method: op.method, baseUrl, path, query, form, json, headers };
}

/**
 * A required query, header or form parameter's text; "" refused: there an empty value reads as
 * none, so the call would fail at the
 * server or mean another thing. A UsageError naming it, unless the schema lists "" (`enum`) or
 * allows it (`minLength: 0`). (A path parameter has its own refusal; JSON bodies keep "": Xele
 * documents it as "no condition", and as a protocol user's `operator`.)
 */
function nonEmpty(ctx: { api: string; operation: string }, name: string, text: string, schema: SchemaMeta | undefined): string {
  if (text !== "" || schema?.enum?.includes("") === true || schema?.minLength === 0) return text;
  throw new UsageError(`required parameter "${name}" is empty: give it a value`, ctx);
}

/** A parameter's wire text, or a UsageError naming it when it cannot be sent (see `unsendable`). */
function checkText(ctx: { api: string; operation: string }, name: string, text: string, header: boolean): string {
  const problem = unsendable(text, header);
  if (problem) throw new UsageError(`parameter "${name}" holds ${problem}`, ctx);
  return text;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.slice(0, 80);
}

/**
 * For exported helpers that take an operation's metadata (`pipeRowsOf`, `serverOf`, …): anything
 * else is a UsageError naming the helper, not a TypeError from the first field read.
 */
export function checkOperationArg(fn: string, op: unknown): asserts op is OperationMeta {
  if (op === null || typeof op !== "object" || typeof (op as { operationId?: unknown }).operationId !== "string") {
    throw new UsageError(`${fn} takes an operation of the API's metadata (meta.operations[i]), got ${aTypeName(op)}`);
  }
}

/** Look up an operation or throw a UsageError listing what exists. */
export function requireOperation(meta: ApiMeta, ref: string): OperationMeta {
  if (typeof ref !== "string") throw new UsageError(`an operation is named by its operationId (a string), got ${typeName(ref)}`, { api: meta.api });
  const op = findOperation(meta, ref);
  if (!op) {
    throw new UsageError(`unknown operation "${ref}"; run \`tradeapi list ${meta.api}\` to see the ${meta.operations.length} operations`, { api: meta.api });
  }
  return op;
}

// ---- types over openapi-typescript's `operations` interface ----

type Part<T> = [T] extends [never] ? unknown : [T] extends [undefined] ? unknown : T;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Part<Exclude<Q, undefined>> : unknown;
type PathOf<O> = O extends { parameters: { path?: infer P } } ? Part<Exclude<P, undefined>> : unknown;
type BodyOf<O> = O extends { requestBody: { content: infer C } }
  ? Part<C[keyof C]>
  : O extends { requestBody?: { content: infer C } }
    ? Partial<Part<C[keyof C]>>
    : unknown;
/**
 * One object of the parts' fields; an optional one also takes `undefined`, which `call()` reads
 * as absent (under exactOptionalPropertyTypes a value from the environment, `number | undefined`,
 * was refused though the call takes it).
 */
type Flatten<T> = { [K in keyof T]: IntegerIn<DecimalIn<T[K]>> | ({} extends Pick<T, K> ? undefined : never) } & {};
/**
 * An int64 parameter (one that takes a bigint) also takes its digits as text, as a query or form
 * parameter does at run time (docs/numbers.md): an id read from another system's JSON text.
 */
type IntegerIn<T> = bigint extends T ? T | `${bigint}` : T;
/**
 * A decimal field (the specs' JsonDecimal, a branded number) also takes text: a decimal a double
 * cannot hold is passed as a string and sent as written (its text checked). Plain numbers, ints
 * and everything else stay as the spec types them; nested objects and lists are mapped too.
 */
export type DecimalIn<T> = T extends number
  ? "__jsonDecimal" extends keyof T ? T | string : T
  : T extends ReadonlyArray<infer U>
    ? Array<DecimalIn<U>>
    : T extends object
      ? { [K in keyof T]: DecimalIn<T[K]> }
      : T;
/**
 * `P` with at least one parameter of each group given (the spec's `x-required-one-of`, as the
 * generated `RequiredOneOf` lists them): a union with one member per parameter of a group.
 */
export type WithRequiredOneOf<P, Groups> = Groups extends readonly [infer G extends readonly string[], ...infer Rest]
  ? WithRequiredOneOf<P & OneOf<P, G[number] & keyof P>, Rest>
  : P;
type OneOf<P, N extends keyof P> = { [Q in N]: { [R in Q]-?: Exclude<P[R], undefined> } }[N];
/** No parameters: an empty object only (`{}` took any value: per-call options given in its place compiled). */
type NoneIfEmpty<T> = [keyof T] extends [never] ? Record<string, never> : T;

/** The flat params object `call(operationId, params)` takes for an operation. */
export type OperationParams<O> = NoneIfEmpty<Flatten<QueryOf<O> & PathOf<O> & BodyOf<O>>>;

/** The documented 200 body of an operation. */
export type OperationResponse<O> = O extends { responses: { 200: { content: infer C } } } ? C[keyof C] : unknown;

/**
 * What `call()` resolves to: the envelope field `F` names (from the generated `DataFields`),
 * `undefined` when the documented envelope has no such field (an answer without data), or the
 * whole documented body when `F` is null (answers without an envelope).
 */
export type CallData<O, F> = [F] extends [string]
  ? OperationResponse<O> extends infer R
    ? F extends keyof R
      ? R extends { [K in F]?: infer D }
        ? D
        : R
      : undefined
    : never
  : OperationResponse<O>;

/**
 * Are all params optional? Then `call(op)` may omit them. Per-call options come after them. For
 * a union of operations, only when every one's are (`call(op as "getOrder" | "getBalance")`
 * compiled without the `market` getOrder needs, and always threw).
 */
export type ParamsArg<P> = [AllOptional<P>] extends [true] ? [params?: P, opts?: CallOptions] : [params: P, opts?: CallOptions];
type AllOptional<P> = P extends unknown ? ({} extends P ? true : false) : never;
