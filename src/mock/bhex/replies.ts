/** BHEX emulator answers: the `{status, msg, data}` envelope, its own "failed" status, 400/500 bodies. */
import { meta } from "../../../generated/bhex-org.docs.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { BhexOperationId } from "../../handwritten/bhex/client.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { int64Of } from "../decimal-text.js";
import { missingParams, valueProblem } from "../params.js";

/** The vendor doc documents status 0 only: 1 is this emulator's own "failed" status. */
const STATUS_FAILED = 1;

export const ok = (data?: unknown): MockReply => ({ body: data === undefined ? { status: 0 } : { status: 0, msg: "Success", data } });
export const failed = (msg: string): MockReply => ({ body: { status: STATUS_FAILED, msg } });
/** A user id the emulator does not know: the vendor's code for it (31009 用户信息错误, the batch items' status), as the envelope's status. */
export const unknownUser = (): MockReply => ({ body: { status: 31009, msg: "用户信息错误" } });
export const authFailed = (why: string): MockReply => ({ status: 400, body: { code: 1105, msg: `Username or password is incorrect (${why})` } });
export const internalError = (): MockReply => ({ status: 500, body: { code: 110, msg: "Internal server error" } });

/** Names of required parameters missing or empty in `p`. */
export const missing = (p: Record<string, string>, names: string[]): string[] => names.filter((n) => p[n] === undefined || p[n] === "");

export const DECIMAL = /^\d+(\.\d+)?$/;

/** An id as the vendor's `long`: integer text an int64 holds, else undefined (see int64Of). */
export function toBig(v: string | undefined): bigint | undefined {
  return v === undefined ? undefined : int64Of(v);
}

/**
 * The "failed" answer for a parameter the spec refuses before any handler reads it (see
 * ../params.ts): a value its schema refuses, then a required parameter missing or empty.
 */
export function paramRefusal(req: MockRequest): MockReply | undefined {
  const problem = valueProblem(req);
  if (problem) return failed(problem);
  const lack = missingParams(req);
  return lack.length ? failed(`missing parameter ${lack.join(", ")}`) : undefined;
}

export function opById(id: BhexOperationId): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the BHEX spec`);
  return op;
}
