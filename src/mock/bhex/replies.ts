/** BHEX emulator answers: the `{status, msg, data}` envelope, its own "failed" status, 400/500 bodies. */
import { meta } from "../../../generated/bhex-org.docs.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { BhexOperationId } from "../../handwritten/bhex/client.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { beyondInt64, int64Of } from "../decimal-text.js";
import { checkSchema } from "../../handwritten/core/validate.js";

/** The vendor doc documents status 0 only: 1 is this emulator's own "failed" status. */
const STATUS_FAILED = 1;

export const ok = (data?: unknown): MockReply => ({ body: data === undefined ? { status: 0 } : { status: 0, msg: "Success", data } });
export const failed = (msg: string): MockReply => ({ body: { status: STATUS_FAILED, msg } });
export const authFailed = (why: string): MockReply => ({ status: 400, body: { code: 1105, msg: `Username or password is incorrect (${why})` } });
export const internalError = (): MockReply => ({ status: 500, body: { code: 110, msg: "Internal server error" } });

/** Names of required parameters missing or empty in `p`. */
export const missing = (p: Record<string, string>, names: string[]): string[] => names.filter((n) => p[n] === undefined || p[n] === "");

export const DECIMAL = /^\d+(\.\d+)?$/;

/** An id as the vendor's `long`: integer text an int64 holds, else undefined (see int64Of). */
export function toBig(v: string | undefined): bigint | undefined {
  return v === undefined ? undefined : int64Of(v);
}

/** Is `v` longer than `max` characters (code points; counted only when it might be)? */
const longerThan = (v: string, max: number): boolean => v.length > 2 * max || (v.length > max && [...v].length > max);

/**
 * The "failed" answer for a parameter the spec's schema refuses before any handler reads it:
 * integer text beyond an int64 (the spec's ids are int64; a 600 000-digit user_id made BigInts
 * for seconds), text above the spec's maxLength (kept by tasks and locks), any other value its
 * schema refuses (an enum, a range), and a required parameter missing or empty.
 */
export function paramRefusal(req: MockRequest): MockReply | undefined {
  const props = req.op.body?.properties ?? {};
  for (const [name, v] of Object.entries(req.params)) {
    const schema = Object.hasOwn(props, name) ? props[name] : req.op.params.find((p) => p.name === name)?.schema;
    if (!schema) continue;
    // (text that is no integer, "abc" or "1e3", was taken as a user or an exchange of its own)
    if (schema.type === "integer" && !/^-?\d+$/.test(v)) return failed(`parameter ${name} must be an integer, got ${JSON.stringify(v.slice(0, 40))}`);
    if (schema.type === "integer" && beyondInt64(v)) return failed(`parameter ${name} must be an integer of at most 64 bits`);
    if (schema.maxLength !== undefined && longerThan(v, schema.maxLength)) return failed(`parameter ${name} longer than ${schema.maxLength} characters`);
    const [problem] = checkSchema(v, schema, name, { text: true, max: 1, label: (p) => `parameter ${p}` });
    if (problem) return failed(problem.message);
  }
  const required = [...req.op.params.filter((p) => p.required && p.in !== "header").map((p) => p.name), ...(req.op.body?.required ?? [])];
  const lack = missing(req.params, required);
  if (lack.length) return failed(`missing parameter ${lack.join(", ")}`);
  return undefined;
}

export function opById(id: BhexOperationId): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the BHEX spec`);
  return op;
}
