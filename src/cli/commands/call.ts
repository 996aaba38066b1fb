/** `tradeapi call <api> <operationId | "METHOD /path"> [name=value ...]` */
import { accessSync, constants, fstatSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { AbortedError, ResponseFormatError } from "../../handwritten/core/errors.js";
import { DecimalPrecisionError, stringifyJson } from "../../handwritten/core/json.js";
import { CallStopped, CliUsageError, didYouMean, parseFlags, quotedValue, shortened, UnknownFlagError, type FlagSpec, type StopSignal } from "../args.js";
import { buildParams, type CliOperation } from "../coerce.js";
import { apiHelp, flagLines, operationHelp } from "../help.js";
import { withProxy } from "../proxy-env.js";
import { openOutputFile, OutputWriteError, printJsonRows, type OutputFile } from "../stream-output.js";
import { API_TABLE, apiNames, parseApiArgs, REST_CALL_FLAGS, resolveSettings, type CliApi, type CliIo } from "../registry.js";

export const CALL_FLAGS: readonly FlagSpec[] = [
  { name: "json", type: "string", description: "parameters as one JSON object (name=value pairs add to it); - reads it from standard input (a password then shows in no process list)", valueName: "'{…}'" },
  { name: "base-url", type: "string", description: "server base URL (overrides the API's *_BASE_URL)", valueName: "URL" },
  { name: "output", type: "string", description: "write the answer (JSON or binary) to FILE instead of stdout", valueName: "FILE" },
  {
    name: "decimals",
    type: "string",
    description:
      "how the answer's decimals are printed: numbers with a fraction or exponent, and whole numbers beyond 2^53 in fields the spec gives as decimals (prices, volumes; integer fields such as ids keep every digit in every mode): exact (default: as numbers, an error when one does not fit a double), string (every one exactly as sent, quoted), number (the nearest double: rounded, 9007199254740993 is printed 9007199254740992). Xele's '|' row answers print their decimal cells as the exact text they came in, in every mode",
    valueName: "exact|string|number",
  },
];

const DECIMALS_MODES = ["exact", "string", "number"];

export const CALL_USAGE = `usage: tradeapi call <api> <operationId | "METHOD /path"> [name=value ...]
         [--json '<params>'] [--base-url URL] [--output FILE]
         [--decimals exact|string|number] [--timeout MS] [--max-response-bytes N]
       tradeapi call <api> --help                the API's operations, flags
       tradeapi call <api> <operationId> --help  the operation's parameters
apis: ${apiNames().join(", ")}
flags:
${flagLines(CALL_FLAGS).join("\n")}
flags of ${API_TABLE.filter((a) => a.callFlags?.some((f) => f.name === "max-response-bytes")).map((a) => a.name).join(", ")} (each API's: \`tradeapi call <api> --help\`):
${flagLines(REST_CALL_FLAGS).join("\n")}`;

/** The most `--json -` reads from standard input. */
const MAX_STDIN_BYTES = 1024 * 1024;

async function jsonFromStdin(io: CliIo): Promise<string> {
  if (!io.readStdin) throw new CliUsageError("--json - reads the parameters from standard input, which this run has none of");
  let text: string;
  try {
    text = await io.readStdin(MAX_STDIN_BYTES);
  } catch (e) {
    if (e instanceof CliUsageError) throw e;
    throw new CliUsageError(`--json -: standard input is not UTF-8 text (${(e as Error).message})`);
  }
  if (!text.trim()) throw new CliUsageError("--json -: standard input is empty: give the parameters' JSON object there");
  return text;
}

/** An operation by operationId, alias or "METHOD /path", or a usage error with the closest name. */
export function findOperation(apiName: string, api: CliApi, ref: string): CliOperation {
  const byName = api.operations.find((o) => o.operationId === ref || o.aliases?.includes(ref));
  if (byName) return byName;
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(ref);
  const byPath = m ? api.operations.find((o) => o.method === m[1]!.toUpperCase() && o.path === m[2]) : undefined;
  if (byPath) return byPath;
  const names = api.operations.flatMap((o) => [o.operationId, ...(o.aliases ?? [])]);
  throw new CliUsageError(`unknown operation ${quotedValue(ref)} for ${apiName}${didYouMean(ref, names)}; run \`tradeapi list ${apiName}\``);
}

/** A name that can only be a directory's: ending in "/" (or "/." or "/..": `--output newdir/`, there or not yet). */
const DIRECTORY_NAME = sep === "\\" ? /(?:^|[\\/])\.{0,2}$/ : /(?:^|\/)\.{0,2}$/;

/** The error code of a failed access check ("EACCES"), or undefined when `path` may be written. */
function notWritable(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

/**
 * Fail before the call when --output cannot be written (the answer must not be lost after it:
 * an order placed, then exit 1, may be sent again). Both ways an answer is written check here:
 * a JSON or file answer written at once, and rows written beside FILE and renamed onto it.
 */
function checkOutput(file: string): void {
  // (as messages name it: a path of any length is cut)
  const shown = shortened(file);
  let path: string;
  try {
    path = resolve(file);
  } catch (e) {
    // (a relative path in a working directory that was removed: nothing was sent yet)
    throw new CliUsageError(`--output ${shown}: the working directory cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the file's absolute path`);
  }
  if (DIRECTORY_NAME.test(file)) throw new CliUsageError(`--output ${shown} names a directory: give a file name`);
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch {
    // does not exist yet: its directory must
  }
  if (st?.isDirectory()) throw new CliUsageError(`--output ${shown} is a directory`);
  if (st) {
    // The file or pipe standard output goes to (/dev/stdout, or `--output a.json > a.json`): the
    // answer and its {"savedTo"} line would be written over each other. (A device, /dev/null
    // for both, is fine.)
    let out: Stats | undefined;
    try {
      out = fstatSync(1);
    } catch {
      // no standard output to compare with
    }
    if (out && (st.isFile() || st.isFIFO()) && st.dev === out.dev && st.ino === out.ino) throw new CliUsageError(`--output ${shown} is where standard output goes: leave --output out to print the answer, or name another file`);
    // (a read-only file: writing it failed after the call, and rows were renamed over it)
    const code = notWritable(path);
    if (code) throw new CliUsageError(`--output ${shown} cannot be written (${code}): name a file you may write`);
    // A device or FIFO is written where it is: its directory need not be writable.
    if (!st.isFile()) return;
  }
  const dir = dirname(path);
  let dirStat: Stats | undefined;
  try {
    dirStat = statSync(dir);
  } catch {
    // not there
  }
  if (dirStat && !dirStat.isDirectory()) throw new CliUsageError(`--output ${shown}: ${shortened(dir)} is not a directory`);
  if (!dirStat || notWritable(dir)) throw new CliUsageError(`--output ${shown}: directory ${shortened(dir)} does not exist or is not writable`);
}

/**
 * The answer to --output FILE. A JSON answer that cannot be written there is printed instead
 * (an order's answer, its id, is not lost); a file's bytes are not (a terminal would act on
 * them as control codes, and a script reading stdout expects the {"savedTo"} line): the error
 * says it was not saved, and a file answer only reads, so the call can be made again.
 */
function writeAnswer(io: CliIo, file: string, bytes: Uint8Array | string): number {
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    if (typeof bytes !== "string") {
      io.stderr(`tradeapi: could not write --output ${file} (${(e as Error).message}); the answer was not saved\n`);
      return 1;
    }
    io.stdout(bytes);
    io.stderr(`tradeapi: could not write --output ${file} (${(e as Error).message}); the answer is on stdout\n`);
    return 1;
  }
  const length = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength;
  io.stdout(`${stringifyJson({ savedTo: file, bytes: length })}\n`);
  return 0;
}

/**
 * An unknown flag that is a parameter of the operation named (`call xt getOrder --market
 * btc_usdt`): the error says how to write it, `market=btc_usdt`; any other error as it is.
 */
async function unknownFlagHint(e: unknown, args: readonly string[]): Promise<unknown> {
  if (!(e instanceof UnknownFlagError)) return e;
  const [apiName, ref] = parseFlags(args, [...CALL_FLAGS, ...API_TABLE.flatMap((a) => a.callFlags ?? [])], false).positional;
  const entry = API_TABLE.find((a) => a.name === apiName);
  if (!entry || ref === undefined) return e;
  let op: CliOperation;
  try {
    op = findOperation(entry.name, await entry.load(), ref);
  } catch {
    return e;
  }
  const param = op.params.find((p) => p.name === e.flag);
  if (!param) return e;
  const pair = `${shortened(param.name)}=${e.value === undefined ? "…" : shortened(e.value)}`;
  const error = new CliUsageError(`${e.message}: ${param.name} is a parameter of ${op.operationId}, written name=value: ${pair}`);
  error.hint = `(\`tradeapi call ${entry.name} ${op.operationId} --help\` lists its parameters)`;
  return error;
}

export async function callCommand(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseApiArgs>;
  try {
    parsed = parseApiArgs(args, CALL_FLAGS, (a) => a.callFlags);
  } catch (e) {
    throw await unknownFlagHint(e, args);
  }
  const { entry, positional, flags } = parsed;
  if (!entry) {
    io.stdout(`${CALL_USAGE}\n`);
    return 0;
  }
  const [, ref, ...pairs] = positional;
  const api = await entry.load();
  if (flags.help) {
    io.stdout(ref === undefined ? apiHelp(entry, api, CALL_FLAGS) : operationHelp(entry.name, findOperation(entry.name, api, ref)));
    return 0;
  }
  if (ref === undefined) throw new CliUsageError(`missing operation; run \`tradeapi list ${entry.name}\` or \`tradeapi call ${entry.name} --help\``);
  if (!api.createCaller) throw new CliUsageError(`${entry.name} has no \`call\` support; see \`tradeapi --help\``);
  if (flags.decimals !== undefined && !DECIMALS_MODES.includes(flags.decimals)) {
    throw new CliUsageError(`--decimals takes ${DECIMALS_MODES.join(", ")}, got ${quotedValue(flags.decimals)}${didYouMean(flags.decimals, DECIMALS_MODES)}`);
  }
  const op = findOperation(entry.name, api, ref);
  // `--json -`: the parameters from standard input (a password or PIN then shows in no process list)
  const json = flags.json === "-" ? await jsonFromStdin(io) : flags.json;
  const params = buildParams(entry.name, op, pairs, json);
  const settings = resolveSettings(entry, io.env, flags);
  const output = flags.output;
  // (a script's "-" for stdout would be a file named "-")
  if (output === "-") throw new CliUsageError("--output - : the answer goes to stdout without --output; give a file name");
  if (output !== undefined) checkOutput(output);
  const caller = await api.createCaller(withProxy(entry, settings, api.defaults, io.env), flags);
  // Ctrl-C or SIGTERM aborts the call (a second Ctrl-C ends the process at once): the error says
  // whether the request may have reached the server, as a timeout's does, instead of a silent exit.
  const stop = new AbortController();
  let stoppedBy: StopSignal | undefined;
  void io.untilStopped?.().then((signal) => {
    stoppedBy = signal ?? "SIGINT";
    stop.abort(new Error(`stopped by ${stoppedBy}`));
  });
  let data: unknown;
  try {
    // An answer read row by row is printed as it arrives (stream-output.ts).
    const rows = caller.rows?.(op, params, stop.signal);
    if (rows) return await printRows(io, rows, output);
    data = await caller.call(op, params, stop.signal);
  } catch (e) {
    // A success answer holding a decimal no double holds (--decimals exact): the request took
    // effect, so its answer is printed (decimals as written), and the error says so (exit 1).
    if (e instanceof DecimalPrecisionError && e.body !== undefined) io.stdout(answerText(e.body, { api: entry.name, operation: op.operationId }));
    throw stoppedBy !== undefined && e instanceof AbortedError ? new CallStopped(stoppedBy, e) : e;
  } finally {
    await caller.close?.();
  }
  if (data instanceof Uint8Array) {
    if (output !== undefined) return writeAnswer(io, output, data);
    // A file's bytes on a terminal act as its control codes (a title set, colours, worse).
    if (io.stdoutIsTerminal) {
      throw new CliUsageError(`the answer is ${data.length} bytes of a file, not written to a terminal: give --output FILE, or send stdout to a file or a pipe`);
    }
    if (io.stdoutBytes) io.stdoutBytes(data);
    else io.stdout(Buffer.from(data).toString("base64"));
    return 0;
  }
  const text = answerText(data, { api: entry.name, operation: op.operationId });
  if (output !== undefined) return writeAnswer(io, output, text);
  io.stdout(text);
  return 0;
}

/**
 * Rows to stdout, or to --output FILE: there the file appears whole or not at all (a failure,
 * of the call or of the file, leaves FILE as it was). A file that cannot be written is exit 1
 * saying so; the rows read so far are dropped (an operation answering in rows only reads).
 */
async function printRows(io: CliIo, rows: AsyncIterable<unknown>, output: string | undefined): Promise<number> {
  if (output === undefined) {
    await printJsonRows(rows, io.stdoutWrite ?? (async (t) => io.stdout(t)));
    return 0;
  }
  let file: OutputFile | undefined;
  let bytes: number;
  try {
    file = await openOutputFile(output);
    bytes = await printJsonRows(rows, file.write);
    await file.commit();
  } catch (e) {
    await file?.discard();
    if (!(e instanceof OutputWriteError)) throw e;
    io.stderr(`tradeapi: could not write --output ${output} (${e.message}); the answer was not saved\n`);
    return 1;
  }
  io.stdout(`${stringifyJson({ savedTo: output, bytes })}\n`);
  return 0;
}

/**
 * The answer as the JSON the CLI prints. One nested deeper than `JSON.stringify` can write (a
 * RangeError from its recursion) is an error saying so, not "Maximum call stack size exceeded".
 */
function answerText(data: unknown, ctx: { api: string; operation: string }): string {
  try {
    return `${data === undefined ? "null" : stringifyJson(data, 2)}\n`;
  } catch (e) {
    if (e instanceof RangeError) throw new ResponseFormatError("the answer is nested too deeply to print as JSON: read it with the library", "", ctx);
    throw e;
  }
}

export { callCommand as run };
