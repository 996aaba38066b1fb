/**
 * Where the library writes files it was asked to save (BHEX history downloads, Xele exports):
 * the target is checked before anything is fetched, so a wrong path does not cost the download;
 * every failure is a typed error naming the path and what is wrong with it.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, rmdir, stat } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { TradeApiError, typeName, UsageError, type ErrorContext } from "./errors.js";

/**
 * `dir` and the directories above it, made when missing (not `recursive: true`, which spins on a
 * procfs path). `made` collects the directories it made, the highest first (see removeMade).
 */
export async function makeDir(dir: string, ctx: ErrorContext, made?: string[], depth = 0): Promise<void> {
  try {
    await mkdir(dir);
    made?.push(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && (await stat(dir).catch(() => undefined))?.isDirectory()) return;
    // EEXIST: `dir` itself is a file; ENOTDIR: a directory above it is.
    if (code === "EEXIST" || code === "ENOTDIR") throw new UsageError(`cannot write into ${dir}: a part of the path is a file, not a directory`, ctx);
    const parent = dirname(dir);
    if (code === "ENOENT" && depth === 0 && parent !== dir) {
      await makeDir(parent, ctx, made);
      return makeDir(dir, ctx, made, 1);
    }
    throw fileFailure(dir, e, ctx);
  }
}

/** After a write that failed: the directories makeDir made for it, the deepest first, each only if still empty. */
export async function removeMade(made: readonly string[]): Promise<void> {
  for (const dir of [...made].reverse()) if (!(await rmdir(dir).then(() => true, () => false))) return;
}

/** The longest name one part of a path may have: 255 bytes (NAME_MAX of ext4, XFS, Btrfs, APFS), 255 UTF-16 units on Windows. */
const MAX_NAME_LENGTH = 255;

const WINDOWS = sep !== "/";
/** What separates the parts of a path here: "/", and "\\" too on Windows. */
const SEPARATORS = WINDOWS ? /[\\/]+/ : /\/+/;

/**
 * Check, before a call, that `filePath` can be written: a non-empty path without a NUL byte,
 * ending in a file name (not a separator, "." or ".."), no part of it longer than 255 bytes,
 * not a directory, in a directory that exists and may be written, or whose missing part can be
 * made (no part of it a file, the deepest existing part writable). Nothing is made here: the
 * caller makes the directory (makeDir) once it has something to write, so a call that fails
 * leaves no directory behind. (Messages show the path with its control characters escaped:
 * TradeApiError does that.)
 */
export async function checkFileTarget(filePath: unknown, ctx: ErrorContext): Promise<string> {
  if (typeof filePath !== "string" || filePath === "") throw new UsageError(`the file path must be a non-empty string, got ${filePath === "" ? "an empty one" : typeName(filePath)}`, ctx);
  // No system call takes a path with a NUL byte (Node refuses it with ERR_INVALID_ARG_VALUE).
  if (filePath.includes("\0")) throw new UsageError(`the file path ${filePath} contains a NUL byte, which no file name can hold`, ctx);
  if ((await stat(filePath).catch(() => undefined))?.isDirectory()) throw new UsageError(`${filePath} is a directory: give the path of the file to write`, ctx);
  const parts = filePath.split(SEPARATORS);
  const last = parts[parts.length - 1]!;
  if (last === "" || last === "." || last === "..") {
    throw new UsageError(`${filePath} ends in ${last === "" ? "a path separator" : JSON.stringify(last)}, not a file name: give the path of the file to write`, ctx);
  }
  parts.forEach((part, i) => {
    const size = WINDOWS ? part.length : Buffer.byteLength(part, "utf8");
    if (size > MAX_NAME_LENGTH) {
      const what = i === parts.length - 1 ? "its file name" : "a directory's name in it";
      const unit = WINDOWS ? "characters" : "bytes (UTF-8)";
      throw new UsageError(`cannot write ${filePath}: ${what} is ${size} ${unit} long, more than the ${MAX_NAME_LENGTH} a file system takes`, ctx);
    }
  });
  const dir = dirname(filePath);
  // The deepest part of the directory's path that exists: a directory (else a part is a file).
  let existing = dir;
  for (;;) {
    const found = await stat(existing).then((st) => st.isDirectory(), (e: NodeJS.ErrnoException) => e);
    if (found === false || (found instanceof Error && found.code === "ENOTDIR")) throw new UsageError(`cannot write into ${dir}: a part of the path is a file, not a directory`, ctx);
    if (found === true) break;
    if (found.code !== "ENOENT" || dirname(existing) === existing) throw fileFailure(existing, found, ctx);
    existing = dirname(existing);
  }
  try {
    await access(existing, constants.W_OK);
  } catch (e) {
    throw fileFailure(existing, e, ctx, "the directory may not be written");
  }
  return filePath;
}

/** A file system failure as a TradeApiError naming the path and its code (`why`: where the code alone would mislead). */
export function fileFailure(path: string, e: unknown, ctx: ErrorContext, why?: string): TradeApiError {
  return new TradeApiError(`could not write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})${why ? `: ${why}` : ""}`, { ...ctx, cause: e });
}

/**
 * Where a file is written before it is renamed onto `target`: beside it (a rename stays on one
 * file system), hidden, unique per write (two writes to one path in a process do not share a
 * file), and of a fixed short name, so that a target name of up to 255 bytes still works (the
 * target's name with a suffix would pass the file system's limit).
 */
export const partialPath = (target: string): string => join(dirname(target), `.tradeapi-${process.pid}-${randomBytes(6).toString("hex")}.partial`);
