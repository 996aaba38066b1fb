/**
 * Reading batch task results: which items failed and why. The finance result calls
 * (get_batch_transfer_result, get_air_drop_result, get_batch_lock_position_result,
 * get_batch_unlock_position_result) give each item a `status` (200 成功, 31009 用户信息错误,
 * anything else 其他失败); the batch KYC update gives each row a `resultCode` and
 * `resultMessage`. The task itself is under `task` (or `transferTask` for air drops) with
 * `status` 0 执行中 (running), 1 成功 (done), other 异常 (abnormal).
 */
import { meta } from "../../../generated/bhex-org.meta.js";
import { aTypeName, ResponseFormatError, snippet, textOf } from "../core/errors.js";
import type { BhexOperationId } from "./client.js";

/** The documented item status of success. */
export const BHEX_ITEM_OK = 200;

export interface BhexBatchItemFailure<T = Record<string, unknown>> {
  /** Position of the item in the result (the order the task reports, normally the order sent). */
  index: number;
  item: T;
  status: number;
  /** Documented meaning of the status (x-error-codes), "failed" for undocumented ones. */
  meaning: string;
  /** The vendor's own message, where the result carries one (batch KYC). */
  message?: string;
}

type ResultLike = {
  items?: ReadonlyArray<unknown> | null;
  results?: ReadonlyArray<unknown> | null;
} | null | undefined;

/** A status as a number: a number, or the same integer sent as decimal text ("200", "1"); else undefined. */
const statusNumber = (raw: unknown): number | undefined =>
  typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : undefined;

function statusOf(item: unknown): { status: number | undefined; message: string | undefined } {
  if (!item || typeof item !== "object") return { status: undefined, message: undefined };
  const o = item as Record<string, unknown>;
  const status = statusNumber(o.status ?? o.resultCode);
  const msg = o.resultMessage;
  return { status, message: typeof msg === "string" ? msg : undefined };
}

/**
 * The items of a batch result whose status is not 200, with their position and the meaning
 * of their status. An item without any status counts as failed (status NaN): nothing that
 * did not say it succeeded is reported as done. `operation`: the call that gave `result`
 * (e.g. "financeGetBatchLockPositionResult"), named by the error of a result it cannot read;
 * without it, the error names this function.
 */
export function batchItemFailures<T>(
  result: { items?: ReadonlyArray<T> | null } | { results?: ReadonlyArray<T> | null } | null | undefined,
  operation?: BhexOperationId,
): Array<BhexBatchItemFailure<T>> {
  const r = result as ResultLike;
  const given: unknown = r?.items ?? r?.results ?? [];
  // Not a list: which items failed cannot be told, so none may be reported as done.
  if (!Array.isArray(given)) {
    const field = r?.items != null ? "items" : "results";
    const named: unknown = operation;
    const ctx = { api: "bhex", operation: typeof named === "string" && named !== "" ? named : "batchItemFailures" };
    throw new ResponseFormatError(`the batch result's "${field}" is ${aTypeName(given)}, not a list of items`, snippet(textOf(given)), ctx);
  }
  const list = given as ReadonlyArray<T>;
  const out: Array<BhexBatchItemFailure<T>> = [];
  list.forEach((item, index) => {
    const { status, message } = statusOf(item);
    if (status === BHEX_ITEM_OK) return;
    const code = status ?? Number.NaN;
    const info = Number.isNaN(code) ? undefined : meta.errorCodes[String(code)];
    out.push({
      index,
      item,
      status: code,
      meaning: Number.isNaN(code) ? "no status in the result" : (info?.meaning ?? info?.message ?? "failed"),
      ...(message !== undefined ? { message } : {}),
    });
  });
  return out;
}

export interface BhexBatchTask {
  id?: string;
  clientOrderId?: string;
  desc?: string;
  status?: number;
}

/** The task record of a batch result (`task`, or `transferTask` for air drops). */
export function batchTask(result: { task?: BhexBatchTask | null } | { transferTask?: BhexBatchTask | null } | null | undefined): BhexBatchTask | undefined {
  const r = result as { task?: BhexBatchTask | null; transferTask?: BhexBatchTask | null } | null | undefined;
  return r?.task ?? r?.transferTask ?? undefined;
}

/**
 * Task status (the spec's BatchTaskStatus, an integer): 0 running, 1 done, any other value
 * abnormal. The integer sent as text ("1") is read as the number, as item statuses are;
 * no task, or a status absent or null, is "unknown" (nothing says the task failed).
 */
export function batchTaskState(task: BhexBatchTask | undefined): "running" | "done" | "abnormal" | "unknown" {
  const raw: unknown = task?.status;
  if (raw === undefined || raw === null) return "unknown";
  const status = statusNumber(raw);
  return status === 0 ? "running" : status === 1 ? "done" : "abnormal";
}
