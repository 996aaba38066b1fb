/**
 * The client-system (看穿式监管) export, 5.1: "返回结果的第一行是导出文件的文件名 … 之后的每一行就是一条
 * 看穿式监管的信息,均需要依次写入文件". The answer's first line is a file name, every further line a
 * record to write verbatim into that file; an empty answer means nothing was found.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { quoted, shownValue, TradeApiError, UNPRINTABLE, UsageError } from "../core/errors.js";
import { checkOption, checkOptionNames } from "../core/validate.js";
import { makeDir, partialPath, removeMade } from "../core/files.js";
import { PipeRowsError, pipeRowsText, type PipeRowsOptions } from "./pipe-rows.js";

export interface ClientSystemExport {
  /** The file name the counter chose (first line), or null for an empty answer. */
  fileName: string | null;
  /** The records, verbatim, without line breaks. */
  lines: string[];
}

/** Split an export answer (raw body or JSON envelope) into its file name and lines. */
export function decodeClientSystemExport(answer: unknown, options: Pick<PipeRowsOptions, "errorCodes" | "context" | "charset"> = {}): ClientSystemExport {
  const text = pipeRowsText(answer, options);
  if (text.trim() === "") return { fileName: null, lines: [] };
  const all = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  while (all.length > 1 && all[all.length - 1] === "") all.pop();
  const fileName = all.shift()!.trim();
  checkFileName(fileName, options);
  return { fileName, lines: all };
}

/** Names Windows gives to devices, whatever the extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * The counter names the file, so the name is checked as a hostile server's text: a plain file
 * name (no directory part, no drive, not "." or ".."), so an answer can never write outside
 * the directory the caller chose; not hidden (a leading "." would let it name `.bashrc` or
 * `.profile` in a home directory); no control character, nor a bidirectional override or mark
 * (U+202E shows `txt.exe` as `exe.txt`: the printable() set); not a Windows device name, nor
 * ending in a dot or a space, nor holding a character Windows refuses in a name (`<>:"|?*`:
 * there `a.txt:b` would write a hidden stream of `a.txt`); at most 255 bytes.
 */
function checkFileName(name: string, options: Pick<PipeRowsOptions, "context">): void {
  const why =
    name === "" ? "it is empty"
    : /[/\\]/.test(name) || /^[A-Za-z]:/.test(name) ? "it has a directory part"
    : name.startsWith(".") ? "it starts with a dot (a hidden file, or a directory)"
    : UNPRINTABLE.test(name) ? "it has a control character or a bidirectional override or mark"
    : WINDOWS_DEVICE.test(name) || /[. ]$/.test(name) || /[<>:"|?*]/.test(name) ? "Windows cannot hold it"
    : Buffer.byteLength(name) > 255 ? "it is longer than 255 bytes"
    : undefined;
  if (why) {
    throw new PipeRowsError(`the export's first line ${quoted(name)} is not a plain file name: ${why}`, {
      line: 1,
      problem: "header",
      context: options.context,
    });
  }
}

export interface SaveExportOptions {
  /** Replace a file of the same name (default false: an existing file is an error, nothing is written). */
  overwrite?: boolean | undefined;
}

/**
 * Write an export into `dir` under the file name it carries, one record per line (UTF-8, "\n").
 * Returns the path written, or null when the export is empty (nothing is written). A file of
 * that name already there is kept, and the call fails with a UsageError, unless `overwrite`;
 * a file system failure is a TradeApiError naming the path and its code.
 *
 * The records go to a partial file beside the target, renamed onto it once whole: a write that
 * fails partway (a full disk) leaves the file that was there as it was, or, without
 * `overwrite`, no file at all (the name is taken first, empty, so that nothing else takes it
 * meanwhile, and given back on failure), and none of the directories made for it. Only where
 * the directory refuses a new file but the file itself may be written (`overwrite` of a file in
 * a directory not writable) is the file written in place.
 */
export async function saveClientSystemExport(exported: ClientSystemExport, dir: string, options: SaveExportOptions = {}): Promise<string | null> {
  // A JavaScript caller's wrong argument is a UsageError, not a TypeError from join() or a read of null.
  const ctx = { api: "xele", operation: "saveClientSystemExport" };
  if (exported === null || typeof exported !== "object" || !Array.isArray(exported.lines) || (exported.fileName !== null && typeof exported.fileName !== "string")) {
    throw new UsageError("the export must be what decodeClientSystemExport gives: { fileName, lines }", ctx);
  }
  if (typeof dir !== "string" || dir === "") throw new UsageError(`the directory must be a path, got ${shownValue(dir)}`, ctx);
  checkOptionNames(ctx, "the save options", options, { overwrite: 1 } satisfies Record<keyof SaveExportOptions, 1>);
  // (own: an `overwrite` on Object.prototype is none given, and no file is overwritten for it)
  const overwrite = options !== null && typeof options === "object" && Object.hasOwn(options, "overwrite") ? options.overwrite : undefined;
  checkOption(ctx, "overwrite", overwrite, "boolean");
  if (exported.fileName === null) return null;
  checkFileName(exported.fileName, {});
  const path = join(dir, exported.fileName);
  const text = exported.lines.length ? `${exported.lines.join("\n")}\n` : "";
  const partial = partialPath(path);
  let taken = false;
  let stage: "dir" | "name" | "partial" | "rename" = "dir";
  const made: string[] = [];
  try {
    await makeDir(dir, { api: "xele", operation: "exportClientSystemInfo" }, made);
    stage = "name";
    if (!overwrite) {
      await writeFile(path, "", { flag: "wx" });
      taken = true;
    }
    stage = "partial";
    await writeFile(partial, text, { encoding: "utf8", flag: "wx" });
    stage = "rename";
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true }).catch(() => undefined);
    if (taken) await rm(path, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (stage === "partial" && overwrite && (code === "EACCES" || code === "EPERM") && !made.length) return writeInPlace(path, text);
    // The directories made for this file are removed again (each only if still empty).
    await removeMade(made);
    // makeDir's own errors name the directory (a part of it a file: a UsageError).
    if (stage === "dir" && e instanceof TradeApiError) throw e;
    if (code === "EEXIST" && stage === "name") throw new UsageError(`${path} already exists: it was kept and nothing was written (pass overwrite: true to replace it)`, { api: "xele", operation: "exportClientSystemInfo" });
    throw writeFailed(path, e);
  }
  return path;
}

async function writeInPlace(path: string, text: string): Promise<string> {
  try {
    await writeFile(path, text, { encoding: "utf8", flag: "w" });
  } catch (e) {
    throw writeFailed(path, e);
  }
  return path;
}

/** A file system failure as a TradeApiError naming the path and its code. */
const writeFailed = (path: string, e: unknown): TradeApiError =>
  new TradeApiError(`could not write the export to ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { api: "xele", operation: "exportClientSystemInfo", cause: e });
