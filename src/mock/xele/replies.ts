/** Xele emulator answers (the vendor's `{code, msg, result}` envelope) and spec look-ups. */
import { meta } from "../../../generated/xele-mgmt.docs.js";
import type { operations } from "../../../generated/xele-mgmt.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import { exampleValue, type MockReply } from "../http-mock.js";

export const OK_MSG = "成功";
export type Json = Record<string, unknown>;

function messageOf(code: number): string {
  return String(meta.errorCodes[String(code)]?.message ?? "");
}

export const reply = (body: unknown): MockReply => ({ body });
export const ok = (result?: unknown): MockReply => reply(result === undefined ? { code: 0, msg: OK_MSG } : { code: 0, msg: OK_MSG, result });
export const fail = (code: number, detail?: string): MockReply => reply({ code, msg: detail ? `${messageOf(code)} (${detail})` : messageOf(code) });
export const synced = (): MockReply => reply({ code: 0, msg: OK_MSG, comment: [] });

export const nowText = (): string => new Date().toISOString().replace("T", " ").slice(0, 19);

/** The records of an operation's example answer (a copy). */
export function resultOf(op: OperationMeta): Json[] {
  const v = exampleValue(op) as Json | undefined;
  return Array.isArray(v?.result) ? structuredClone(v.result as Json[]) : [];
}

export function opById(id: keyof operations): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`xele spec has no operation ${id}`);
  return op;
}
