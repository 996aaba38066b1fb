/**
 * The caller's input to a request, checked against the spec's request fields (the generated
 * `quantWsMeta`) before anything is sent. The gateway answers a missing field with an
 * `op: error` frame that carries no cid (so the request could only time out), and JSON would
 * silently turn some values into others (NaN → null, a string spread into characters): both
 * are a UsageError naming the operation and the field instead.
 */
import { aTypeName, typeName, UsageError } from "../core/errors.js";
import type { AsyncFieldMeta, SchemaMeta } from "../core/meta.js";
import { checkSignal as checkSignalOption, isTimeoutMs, MAX_TIMEOUT_MS, typeMatches, unsendable } from "../core/validate.js";
import { API } from "./errors.js";
import { OPERATIONS } from "./operations.js";

/** Per op, its fields as a list with each one's types and its items' (checked on every request: no object walk of the metadata, no split). */
const FIELDS = new Map<string, ReadonlyArray<readonly [string, AsyncFieldMeta, ReadonlyArray<string>, ReadonlyArray<string> | undefined]>>(
  Object.entries(OPERATIONS).map(([op, m]) => [op, Object.entries(m.fields).map(([name, f]) => [name, f, f.type.split("|"), f.items?.split("|")] as const)]),
);
/**
 * Filled in by the client, never by the caller's fields: given, one is refused (another
 * session's token was replaced by this one's, and the order went to this account unsaid).
 */
const CLIENT_FIELDS: Readonly<Record<string, string>> = {
  op: "the operation is the request's first argument",
  cid: "each request gets its own, to match its reply",
  token: "a request goes out on the session it is made on: make it on the session of that login",
};
/** typeMatches reads its schema only for wire text, which a request's fields never are. */
const NO_SCHEMA: SchemaMeta = {};
/** Values never shown in a message. */
const SECRET_NAME = /key|secret|password|token/i;

function shown(name: string, v: unknown): string {
  if (SECRET_NAME.test(name)) return aTypeName(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return aTypeName(v);
}

/** The type names of the spec in the words of a message. */
const TYPE_WORDS: Record<string, string> = { string: "a string", number: "a finite number", integer: "an integer", boolean: "true or false", array: "an array", object: "an object" };

function fail(op: string, message: string): never {
  throw new UsageError(message, { api: API, operation: op });
}

function checkValue(op: string, name: string, v: unknown, types: ReadonlyArray<string>): void {
  if (!types.some((t) => typeMatches(v, t, NO_SCHEMA, false))) {
    fail(op, `field ${JSON.stringify(name)} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")}, got ${shown(name, v)}`);
  }
  // (ws would send a lone surrogate as U+FFFD: another symbol or order number than the one given)
  const problem = typeof v === "string" ? unsendable(v, false) : undefined;
  if (problem) fail(op, `field ${JSON.stringify(name)} holds ${problem}`);
}

/**
 * Throws a UsageError when `fields` (the request's own fields: op, cid and token are the
 * client's) lack a required field, have one the spec does not list, or hold a value of the
 * wrong type (a number must be finite), outside the enum, or an array item of the wrong type.
 * An `undefined` value counts as absent (JSON leaves it out). An op the spec does not have is
 * a UsageError too (the gateway ignores unknown ops: the request could only time out).
 */
export function checkRequest(op: string, fields: object | undefined): void {
  // (an op that is no string cannot name the operation in the message: String() of one can throw)
  if (typeof op !== "string") throw new UsageError(`an operation is named by its op (a string), got ${typeName(op)}`, { api: API });
  const list = FIELDS.get(op);
  if (!list) fail(op, `unknown operation; one of ${[...FIELDS.keys()].join(", ")}`);
  const spec = OPERATIONS[op]!.fields;
  const given = (fields ?? {}) as Record<string, unknown>;
  if (typeof given !== "object") fail(op, `the fields must be an object, got ${shown("", given)}`);
  for (const name of Object.keys(given)) {
    if (given[name] === undefined || Object.hasOwn(spec, name)) continue;
    if (Object.hasOwn(CLIENT_FIELDS, name)) fail(op, `field ${JSON.stringify(name)} is the client's to fill in (${CLIENT_FIELDS[name]})`);
    fail(op, `unknown field ${JSON.stringify(name)}; the fields are ${list.map(([n]) => n).join(", ") || "none"}`);
  }
  for (const [name, f, types, items] of list) {
    const v = Object.hasOwn(given, name) ? given[name] : undefined;
    if (v === undefined) {
      if (f.required) fail(op, `missing required field ${JSON.stringify(name)}`);
      continue;
    }
    checkValue(op, name, v, types);
    if (f.enum && !f.enum.includes(v as string | number)) fail(op, `field ${JSON.stringify(name)} must be one of ${f.enum.join(", ")}, got ${shown(name, v)}`);
    if (items && Array.isArray(v)) for (let i = 0; i < v.length; i++) checkValue(op, `${name}[${i}]`, v[i], items);
  }
}

/** A timeout in ms a timer can hold (above 0, at most 2^31-1), else a UsageError. */
export function checkTimeout(op: string, ms: unknown, name = "timeoutMs"): number {
  if (isTimeoutMs(ms)) return ms;
  return fail(op, `${name} must be a number of ms above 0 and at most ${MAX_TIMEOUT_MS}, got ${shown("", ms)}`);
}

/**
 * An AbortSignal (core's rule: AbortSignal-shaped, a polyfill's too) or undefined, else a
 * UsageError (a wrong one is a bare TypeError mid-request, a timer left behind).
 */
export function checkSignal(op: string, signal: unknown): void {
  checkSignalOption({ api: API, operation: op }, "signal", signal);
}
