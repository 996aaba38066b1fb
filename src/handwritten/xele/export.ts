/**
 * The client-system (看穿式监管) export, 5.1: "返回结果的第一行是导出文件的文件名 … 之后的每一行就是一条
 * 看穿式监管的信息,均需要依次写入文件". The answer's first line is a file name, every further line a
 * record to write verbatim into that file; an empty answer means nothing was found.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
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

/**
 * The counter names the file; it must be a plain file name (no directory part, not "." or
 * ".."), so an answer can never write outside the directory the caller chose.
 */
function checkFileName(name: string, options: Pick<PipeRowsOptions, "context">): void {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name) || /^[A-Za-z]:/.test(name)) {
    throw new PipeRowsError(`the export's first line ${JSON.stringify(name)} is not a plain file name`, {
      line: 1,
      problem: "header",
      context: options.context,
    });
  }
}

/**
 * Write an export into `dir` under the file name it carries, one record per line (UTF-8, "\n").
 * Returns the path written, or null when the export is empty (nothing is written).
 */
export async function saveClientSystemExport(exported: ClientSystemExport, dir: string): Promise<string | null> {
  if (exported.fileName === null) return null;
  checkFileName(exported.fileName, {});
  await mkdir(dir, { recursive: true });
  const path = join(dir, exported.fileName);
  await writeFile(path, exported.lines.length ? `${exported.lines.join("\n")}\n` : "", "utf8");
  return path;
}
