/**
 * `decodePipeRowStream`: the streaming form of `decodePipeRows`. It reads a "|" row answer
 * from a response body chunk by chunk and yields each row as soon as its line is complete, so
 * a 200 000-row order query never sits in memory as a whole: what is held is the current chunk
 * and the unfinished line (and whatever rows the caller keeps).
 *
 * The body may be the raw rows or the JSON envelope `{code, msg, result}` whose `result` is
 * the rows as one JSON string (or an array of line strings): the envelope is read
 * incrementally and only `result` is streamed; other members are small and parsed whole. A
 * non-zero `code` throws the ApiError subclass from the spec's error table.
 *
 * What is held at once (an unfinished line, the envelope's other members, whitespace lines
 * before the first line with text when they are rows) is bounded by `maxHeldChars` (the
 * client's `maxResponseBytes`): an endless line is a ResponseTooLargeError.
 *
 * Each row is checked (field count, integer and decimal cells: the checks of decodePipeRows)
 * before it is yielded. The header's row count can only be compared at the end: a truncated
 * stream throws `PipeRowsError` AFTER the rows it did carry were yielded, so a caller that
 * consumes the iterator to the end can never mistake a cut answer for a complete one (a caller
 * that stops early gets no verdict).
 *
 * Every way out releases the body: stopping early, an error while reading, and an error before
 * the first chunk (a charset this runtime cannot decode), so its connection is never left busy.
 */
import { ResponseTooLargeError, TimeoutError, typeName, UsageError, type ErrorContext } from "../core/errors.js";
import { checkOption, checkOptionsObject } from "../core/validate.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../core/http-transport.js";
import { EnvelopeReader } from "./envelope-reader.js";
import { badBytesError, checkEnvelopeCode, checkEnvelopeEnd, firstBadLine, PipeRowLines, pipeRowsDecoder, resultTextSink, type PipeRow, type PipeRowsOptions } from "./pipe-rows.js";

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/**
 * Let go of a body that will not be read. A ReadableStream is cancelled; an iterator is
 * returned (the transport's body lets its connection go on return() even unstarted), but an
 * async generator that has not started runs no `finally` on return() alone: it is started and
 * returned at once (its first chunk, when it comes, is dropped).
 */
async function releaseUnread(body: ByteSource): Promise<void> {
  const ignore = () => undefined;
  if (typeof (body as ReadableStream<Uint8Array>).getReader === "function") return (body as ReadableStream<Uint8Array>).cancel().catch(ignore);
  const it = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  if (typeof it.return !== "function") return;
  if (Object.prototype.toString.call(it) === "[object AsyncGenerator]") void it.next().catch(ignore);
  await it.return().catch(ignore);
}

/**
 * Text pieces of the body; bytes decoded strictly in `charset` (`onBadBytes` throws on invalid
 * ones). Every way out, a charset this runtime cannot decode too, releases the body.
 */
async function* chunksOf(body: ByteSource, charset: string | undefined, onBadBytes: (bytes: Uint8Array, first: boolean) => never, context?: ErrorContext): AsyncGenerator<string> {
  let strict: ReturnType<typeof pipeRowsDecoder>;
  try {
    strict = pipeRowsDecoder(charset, context);
  } catch (e) {
    await releaseUnread(body);
    throw e;
  }
  let first = true;
  const decoder = {
    decode(bytes?: Uint8Array, opts?: { stream: boolean }): string {
      try {
        return strict.decode(bytes, opts);
      } catch {
        return onBadBytes(bytes ?? new Uint8Array(), first);
      } finally {
        first = false;
      }
    },
  };
  if (typeof (body as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield decoder.decode(value, { stream: true });
      }
    } finally {
      // Stopping early (break, error) releases the connection instead of draining it.
      await reader.cancel().catch(() => undefined);
    }
  } else {
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      yield typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    }
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Splits text pieces into lines, keeping only the unfinished last line between pieces. */
class LineSplitter {
  private pending = "";
  constructor(private readonly onLine: (line: string) => void) {}
  push(piece: string): void {
    if (!piece) return;
    let nl = piece.indexOf("\n");
    if (nl === -1) {
      this.pending += piece;
      return;
    }
    // Lines are cut from the piece itself (never from pending + piece, which would copy the chunk).
    this.onLine(this.pending + piece.slice(0, nl));
    let pos = nl + 1;
    for (nl = piece.indexOf("\n", pos); nl !== -1; nl = piece.indexOf("\n", pos)) {
      this.onLine(piece.slice(pos, nl));
      pos = nl + 1;
    }
    this.pending = piece.slice(pos);
  }
  /** Line breaks between array items (envelope `result: [..]`). */
  breakLine(): void {
    this.onLine(this.pending);
    this.pending = "";
  }
  get held(): number {
    return this.pending.length;
  }
  end(): string {
    const last = this.pending;
    this.pending = "";
    return last;
  }
}

/**
 * `lineTimeoutMs`'s clock. `check(read)`, after each chunk (and after its rows were taken), with
 * the header and rows read so far: restarts the clock if that grew, else throws once it ran out
 * (blank lines and whitespace are no progress: a server trickling "\n" is ended too).
 */
function lineClock(options: PipeRowsOptions): { check(read: number): void } {
  checkOption({ api: "xele" }, "lineTimeoutMs", options.lineTimeoutMs, "delay");
  const ms = options.lineTimeoutMs;
  // (no bound: the clock is never read)
  if (ms === undefined) return { check() {} };
  let since = performance.now();
  let last = 0;
  return {
    check(read) {
      if (read > last) {
        last = read;
        since = performance.now();
      } else if (performance.now() - since > ms) {
        throw new TimeoutError(`no row within ${ms} ms while the answer kept sending bytes (a server that trickles): not read further`, { ...options.context, timeoutMs: ms });
      }
    },
  };
}

/**
 * A stream's lines after the held ones, fed to `lines`, their rows pushed to `ready`. A layout
 * of one column: an empty line is a row (an empty cell) only when a line with text follows it;
 * empty lines at the end are the answer's trailing line breaks, as decodePipeRows reads them.
 * Counted, not held (each is "" once its "\r" is dropped).
 */
class RowFeed<T> {
  #emptyLines = 0;
  constructor(
    private readonly lines: PipeRowLines,
    private readonly ready: Array<PipeRow<T>>,
  ) {}

  line(line: string, last: boolean): void {
    if ((line === "" || line === "\r") && this.lines.rowLayout?.names.length === 1) {
      this.#emptyLines++;
      return;
    }
    for (; this.#emptyLines > 0; this.#emptyLines--) this.ready.push(this.lines.line(0, 0, true, false, "") as unknown as PipeRow<T>);
    const row = this.lines.line(0, line.length, true, last, line);
    if (row) this.ready.push(row as unknown as PipeRow<T>);
  }
}

/** Yield the rows of a "|" row answer read from `body` (see the module doc). */
export async function* decodePipeRowStream<T extends object = Record<string, unknown>>(
  body: ByteSource,
  options: PipeRowsOptions = {},
): AsyncGenerator<PipeRow<T>, void, undefined> {
  checkOptionsObject({ api: "xele" }, "the row options", options);
  const source = body as { getReader?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (source === null || typeof source !== "object" || (typeof source.getReader !== "function" && typeof source[Symbol.asyncIterator] !== "function")) {
    throw new UsageError(`the body must be a ReadableStream or an async iterable of bytes or text, got ${typeName(body)}`, { api: "xele", ...options.context });
  }
  const lines = new PipeRowLines("", options);
  const maxHeld = options.maxHeldChars ?? DEFAULT_MAX_RESPONSE_BYTES;
  const tooLong = (): never => {
    throw new ResponseTooLargeError(
      `the row stream holds a line (or envelope member) longer than ${maxHeld} characters: not read further (the maxResponseBytes option raises the limit)`,
      { ...options.context, maxResponseBytes: maxHeld },
    );
  };
  const ready: Array<PipeRow<T>> = [];
  // An answer of whitespace only is no rows (as decodePipeRows): whitespace lines are held until
  // a line with text shows they belong to the answer, then read as its first lines. What reading
  // them gives is known from the first of them, so only what it needs is held: the first line
  // alone when the answer fails on it (an empty line fails the answer at the first line with
  // text; one of spaces is a row of one field, which a layout of more columns refuses), every
  // line when it is a row (a layout of one text column: the others are rows too), and those
  // count toward maxHeldChars. A server streaming blank lines without end holds nothing.
  let holding = true;
  let held: string[] = [];
  let keepAll = false;
  let heldChars = 0;
  /** A line with text came after held lines: they are read first (their rows yielded one by one), then it and the lines after it. */
  let replay: { held: string[]; after: Array<[line: string, last: boolean]> } | null = null;
  const rows = new RowFeed<T>(lines, ready);
  const isRow = (line: string): boolean => {
    try {
      return new PipeRowLines("", options).line(0, line.length, true, false, line) !== null;
    } catch {
      return false;
    }
  };
  const hold = (line: string) => {
    if (held.length === 0) {
      held.push(line);
      keepAll = isRow(line);
    } else if (keepAll) held.push(line);
    if (keepAll && (heldChars += line.length + 1) > maxHeld) tooLong();
  };
  const feed = (line: string, last: boolean) => {
    if (replay) {
      replay.after.push([line, last]);
      return;
    }
    if (holding) {
      if (/^\s*$/.test(line)) return hold(line);
      holding = false;
      if (held.length > 0) {
        replay = { held, after: [[line, last]] };
        held = [];
        heldChars = 0;
        return;
      }
    }
    rows.line(line, last);
  };
  /** The held lines' rows, one by one (never all at once), then the lines after them are fed. */
  function* replayHeld(): Generator<PipeRow<T>> {
    const { held: first, after } = replay!;
    replay = null;
    for (const line of first) {
      const row = lines.line(0, line.length, true, false, line);
      if (row) yield row as unknown as PipeRow<T>;
    }
    for (const [line, last] of after) feed(line, last);
  }
  const clock = lineClock(options);
  const splitter = new LineSplitter((line) => feed(line, false));
  let envelope: EnvelopeReader | null = null;
  /** A non-zero code throws its ApiError: as soon as it is read (the vendor sends it before result), else at the end. */
  const checkCode = (members: Record<string, unknown>) => checkEnvelopeCode(members.code, members.msg, { ...members }, options);
  /**
   * The body's text before its first character that is not whitespace (raw rows or the JSON
   * envelope?): pieces of 4 Ki characters or more, the last ones, smaller, joined once they are
   * (a body in chunks of a byte holds no array of a slot a character).
   */
  let lead: string[] | null = [];
  let leadChars = 0;
  let small: string[] = [];
  let smallChars = 0;
  let started = false;
  // The line of the bad bytes: the lines read so far, then the chunk's own line breaks.
  const badBytes = (bytes: Uint8Array, first: boolean): never => {
    throw badBytesError(options.charset, envelope ? 0 : lines.linesRead + 1 + firstBadLine(bytes, options.charset, !first), options.context);
  };
  for await (let chunk of chunksOf(body, options.charset, badBytes, options.context)) {
    if (lead !== null) {
      // A BOM only as the body's first character (decodePipeRows drops one).
      if (!started && chunk) {
        started = true;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      // Each chunk searched once: the whitespace before it is kept, not searched again.
      const first = chunk.search(/\S/);
      if (first === -1) {
        small.push(chunk);
        if ((smallChars += chunk.length) >= 4096) {
          lead.push(small.join(""));
          small = [];
          smallChars = 0;
        }
        if ((leadChars += chunk.length) > maxHeld) tooLong();
        clock.check(0);
        continue;
      }
      const isEnvelope = chunk[first] === "{";
      chunk = lead.join("") + small.join("") + chunk;
      lead = null;
      small = [];
      if (isEnvelope) {
        // The rows text inside `result` loses a leading BOM as the raw body's does (above).
        const result = resultTextSink(
          (text) => splitter.push(text),
          () => splitter.breakLine(),
        );
        envelope = new EnvelopeReader(
          result.onText,
          result.onItemEnd,
          checkCode,
          options.context,
        );
        // From the body's start: whitespace JSON does not allow before "{" (U+00A0, U+2028) is
        // the envelope's error, as decodePipeRows says.
      }
    }
    if (envelope) envelope.push(chunk);
    else splitter.push(chunk);
    if (splitter.held + (envelope?.held ?? 0) + heldChars > maxHeld) tooLong();
    // Hand over what this chunk completed before reading the next one.
    if (replay) yield* replayHeld();
    for (let i = 0; i < ready.length; i++) yield ready[i]!;
    ready.length = 0;
    clock.check(lines.rowCount + (lines.header ? 1 : 0));
  }
  if (envelope) checkEnvelopeEnd(envelope, options);
  // line() drops the last line's "\r" like every other line's.
  const last = splitter.end();
  if (last !== "") feed(last, true);
  if (replay) yield* replayHeld();
  for (const row of ready) yield row;
  lines.finish();
}
