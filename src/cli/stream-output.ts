/**
 * `tradeapi call`'s output for an answer read item by item (Xele's "|" rows): the JSON array
 * the whole answer would print as, written as its items arrive, so an answer of 200 000 rows
 * never sits in memory as a whole, neither as rows nor as text.
 *
 * The text is byte for byte what `stringifyJson(items, 2)` and a line break write for the
 * whole list: "[\n", each item as an element of that array (its lines two spaces in), ",\n"
 * between them, "\n]\n" after the last; "[]\n" for none. Nothing is written before the first
 * item arrives, so an answer that fails before it (a login refused, an error code, a timeout)
 * prints nothing, as before. One that fails after it leaves what was written: the rows read,
 * a line break, and no closing "]" (the error goes to stderr, the exit code is not 0).
 *
 * Pieces are written in batches of FLUSH_CHARS characters, or after FLUSH_MS when rows come
 * slowly, and each write waits until its reader takes more (stdout's 'drain', the file's write).
 */
import { randomBytes } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { stringifyJson } from "../handwritten/core/json.js";

/** Characters held before they are written. */
const FLUSH_CHARS = 64 * 1024;
/** The longest a row waits to be written while no more come. */
const FLUSH_MS = 50;

/** `item` as an element of a JSON array written with indent 2: its lines two spaces in. */
export function arrayItemText(item: unknown): string {
  // (in an array, what JSON has no value for is null, as JSON.stringify writes it)
  const text = item === undefined || typeof item === "function" || typeof item === "symbol" ? "null" : stringifyJson(item, 2);
  // (a line break inside a string value is written \n: every real one is between lines of the item)
  return `  ${text.replace(/\n/g, "\n  ")}`;
}

/** Text collected and handed to `write` in batches, one write at a time, in order. */
class Batches {
  private pending = "";
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** UTF-8 bytes handed to `write` so far. */
  bytes = 0;

  constructor(private readonly write: (text: string) => Promise<void>) {}

  /** A write that failed on the timer's flush: the next add() throws it (no more rows are read for nothing). */
  private failed: { error: unknown } | undefined;

  /** Add `text`; a promise (the writes so far) when this filled a batch, to wait for before adding more. */
  add(text: string): Promise<void> | undefined {
    if (this.failed) throw this.failed.error;
    this.pending += text;
    if (this.pending.length >= FLUSH_CHARS) return this.flush();
    // (its failure is also the next flush's: the chain stays rejected)
    this.timer ??= setTimeout(() => void this.flush().catch((error: unknown) => (this.failed ??= { error })), FLUSH_MS);
    return undefined;
  }

  /** Hand what is held to `write`; resolves once every write so far is done (rejects with the first failure). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending !== "") {
      const text = this.pending;
      this.pending = "";
      this.bytes += Buffer.byteLength(text);
      this.chain = this.chain.then(() => this.write(text));
    }
    return this.chain;
  }
}

/**
 * Print `rows` through `write` as the JSON array (see the module doc); resolves to the UTF-8
 * bytes written. An error reading the rows is rethrown after the rows before it were written
 * and a line break; an error of `write` is rethrown as it is (the rows stop being read).
 */
export async function printJsonRows(rows: AsyncIterable<unknown>, write: (text: string) => Promise<void>): Promise<number> {
  const out = new Batches(write);
  let count = 0;
  try {
    for await (const row of rows) {
      const full = out.add(`${count++ === 0 ? "[\n" : ",\n"}${arrayItemText(row)}`);
      if (full) await full;
    }
  } catch (e) {
    if (count > 0) {
      out.add("\n");
      // (a write that fails now, too, leaves the first error to say what happened)
      await out.flush().catch(() => undefined);
    }
    throw e;
  }
  out.add(count === 0 ? "[]\n" : "\n]\n");
  await out.flush();
  return out.bytes;
}

/** `--output FILE` could not be written (the call itself went well as far as it went). */
export class OutputWriteError extends Error {}

/** A file being written: `commit` puts it in place, `discard` leaves FILE as it was. */
export interface OutputFile {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

const writeError = (e: unknown): OutputWriteError => new OutputWriteError((e as Error).message, { cause: e });

/**
 * Open `--output FILE` for an answer written piece by piece: a temporary file beside it,
 * renamed onto it once whole (FILE appears whole or not at all; a symbolic link's target is
 * the file replaced; an existing file's permissions are kept). What is no regular file (a
 * FIFO, a device such as /dev/stdout) is written directly: it cannot be replaced.
 */
export async function openOutputFile(file: string): Promise<OutputFile> {
  let target = resolve(file);
  let mode = 0o666;
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    target = realpathSync(target);
    existing = statSync(target);
  } catch {
    // not there yet
  }
  if (existing && !existing.isFile()) return direct(await open(target, "w").catch((e: unknown) => Promise.reject(writeError(e))));
  if (existing) mode = Number(existing.mode) & 0o7777;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx", mode);
    // (open's mode passes the umask: the file replaced keeps its own)
    if (existing) await handle.chmod(mode);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw writeError(e);
  }
  const close = closeOnce(handle);
  return {
    write: (text) => writeAll(handle, text),
    async commit() {
      try {
        await close();
        await rename(temp, target);
      } catch (e) {
        throw writeError(e);
      }
    },
    async discard() {
      await close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** A FIFO or device written directly (nothing to rename; what was written stays written). */
function direct(handle: FileHandle): OutputFile {
  const close = closeOnce(handle);
  return {
    write: (text) => writeAll(handle, text),
    commit: () => close().catch((e: unknown) => Promise.reject(writeError(e))),
    discard: () => close().catch(() => undefined),
  };
}

/** The handle's close, done once however often it is called. */
function closeOnce(handle: FileHandle): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
}

/** All of `text` written (a write may take part of it), or an OutputWriteError. */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text);
  try {
    for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at)).bytesWritten;
  } catch (e) {
    throw writeError(e);
  }
}
