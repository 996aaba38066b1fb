/**
 * `statistics/download_data`: one day of history as an .xlsx file, saved to disk. The answer
 * is the file itself; 404 means the file does not exist (文件若不存在), 403 no permission (若没有
 * 下载权限): both become typed errors that say so.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { meta } from "../../../generated/bhex-org.meta.js";
import { apiErrorFromCode, HttpError, nameErrors, ResponseFormatError, textOf, type ErrorContext } from "../core/errors.js";
import { checkFileTarget, fileFailure, makeDir, partialPath } from "../core/files.js";
import type { CallOptions } from "../core/http-transport.js";
import type { OperationMeta } from "../core/meta.js";
import type { BhexOrgClient, BhexParams } from "./client.js";

/** HTTP 404 from download_data: no history file for that type and day. */
export class HistoryFileNotFoundError extends HttpError {}
/** HTTP 403 from download_data: the API key may not download history files. */
export class DownloadForbiddenError extends HttpError {}
nameErrors({ HistoryFileNotFoundError, DownloadForbiddenError });

/** The spec's `x-first-dates` of download_data's `date`: "2019-06-24 for account data, …". */
function firstDates(): string {
  const date = meta.operations.find((o) => o.operationId === "statisticsDownloadData")?.params.find((p) => p.name === "date");
  return Object.entries(date?.schema.firstDates ?? {}).map(([what, day]) => `${day} for ${what}`).join(", ");
}

const HINTS: Record<number, { cls: new (status: number, body: string, ctx: ErrorContext) => HttpError; hint: string }> = {
  404: {
    cls: HistoryFileNotFoundError,
    hint: `no such history file: check \`type\` and \`date\` (files start ${firstDates()}; today's file may not exist yet)`,
  },
  403: { cls: DownloadForbiddenError, hint: "this API key has no permission to download history files" },
};

/**
 * The typed error for an HTTP status the operation documents without a body (download_data's
 * 403 and 404); other errors are returned unchanged.
 */
export function documentedHttpError(op: OperationMeta, error: unknown): unknown {
  if (!(error instanceof HttpError) || error instanceof HistoryFileNotFoundError || error instanceof DownloadForbiddenError) return error;
  const documented = op.responses[String(error.status)];
  const known = HINTS[error.status];
  if (!documented || !known) return error;
  const mapped = new known.cls(error.status, error.bodySnippet, { api: error.api, operation: error.operation, cause: error });
  mapped.message = `${mapped.message} — ${known.hint}`;
  return mapped;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Check that an answer is an .xlsx (a ZIP container) and not, say, a JSON error. */
export function expectXlsx(body: unknown, operation = "statisticsDownloadData"): Uint8Array {
  const ctx = { api: "bhex", operation };
  if (body instanceof Uint8Array) {
    if (ZIP_MAGIC.every((b, i) => body[i] === b)) return body;
    const head = new TextDecoder().decode(body.subarray(0, 120));
    throw new ResponseFormatError("expected an .xlsx file (a ZIP container) but the answer is not one", head, ctx);
  }
  if (body && typeof body === "object") {
    // A JSON answer where a file was expected: a vendor error in the envelope or {code,msg} shape.
    const b = body as Record<string, unknown>;
    const code = b.status ?? b.code;
    if ((typeof code === "number" || typeof code === "string") && String(code) !== "0") {
      const msg = b.msg ?? b.message;
      throw apiErrorFromCode({ ...ctx, code, vendorMessage: msg === undefined ? undefined : textOf(msg), body }, meta.errorCodes);
    }
  }
  throw new ResponseFormatError("expected an .xlsx file but the answer is JSON/text", textOf(body).slice(0, 120), ctx);
}

export interface DownloadedFile {
  path: string;
  bytes: number;
}

/**
 * Download one history file and save it to `filePath` (directories are created; the file
 * appears only once complete, a write that fails leaves no partial file behind, and a download
 * that fails no directory). Rejects
 * with HistoryFileNotFoundError (404), DownloadForbiddenError (403) or the usual
 * transport/API errors. `opts`: this call's `{ signal, timeoutMs }`.
 */
export async function downloadData(
  client: Pick<BhexOrgClient, "call">,
  params: BhexParams<"statisticsDownloadData">,
  filePath: string,
  opts?: CallOptions,
): Promise<DownloadedFile> {
  const ctx = { api: "bhex", operation: "statisticsDownloadData" };
  // Before the call: a path that cannot be written does not cost the download. Its directory is
  // made once there is a file to write: a download that fails leaves none behind.
  await checkFileTarget(filePath, ctx);
  const bytes = expectXlsx(await client.call("statisticsDownloadData", params, opts));
  await makeDir(dirname(filePath), ctx);
  const partial = partialPath(filePath);
  try {
    await writeFile(partial, bytes);
    await rename(partial, filePath);
  } catch (e) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw fileFailure(filePath, e, ctx);
  }
  return { path: filePath, bytes: bytes.byteLength };
}
