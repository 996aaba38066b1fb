/**
 * Command-line flags, parsed by `node:util` `parseArgs` and checked strictly: a flag the
 * command does not declare, a string flag without its value or a boolean flag given a value
 * is a usage error (exit 2) naming the flag and, for an unknown one, the closest valid flag.
 */
import { parseArgs as nodeParseArgs } from "node:util";
import { nameErrors, UsageError } from "../handwritten/core/errors.js";
import { closest, isTimeoutMs, MAX_TIMEOUT_MS, quotedValue, shortened, urlShown } from "../handwritten/core/validate.js";

/** One flag a command accepts: `--name VALUE` (string) or `--name` (boolean). */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  description: string;
  /** Shown in help as `--name <valueName>`. */
  valueName?: string;
  /** Its value is a credential: never shown in a message (and redacted from every line printed). */
  secret?: boolean;
}

export interface ParsedArgs {
  positional: string[];
  /** Flag values by flag name (null prototype); booleans are "true". */
  flags: Record<string, string>;
}

/** The usage error class of the CLI: main prints `hint`, or else the command's usage, after it. */
export class CliUsageError extends UsageError {
  hint?: string;
}
/** A flag no spec names: its name (without --) and the value written with it or after it, if any (call's hint: `name=value`). */
export class UnknownFlagError extends CliUsageError {
  constructor(
    message: string,
    readonly flag: string,
    readonly value: string | undefined,
  ) {
    super(message);
  }
}
nameErrors({ CliUsageError, UnknownFlagError });

export { closest, editDistance, quotedValue, shortened } from "../handwritten/core/validate.js";

/** "; did you mean X?" or "". */
export function didYouMean(word: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : `; did you mean ${show(c)}?`;
}

/**
 * Parse `args` against `specs` (plus `--help`/`-h`, always accepted). Positionals may come
 * anywhere; `--` ends the flags. `strict: false` skips the unknown-flag check (used once to
 * find the API name before that API's own flags are known).
 */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[], strict = true): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string; secret?: boolean }> = Object.create(null);
  for (const s of specs) options[s.name] = { type: s.type, ...(s.secret ? { secret: true } : {}) };
  options.help = { type: "boolean", short: "h" };
  const { tokens } = nodeParseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const positional: string[] = [];
  const flags: Record<string, string> = Object.create(null);
  const known = Object.keys(options);
  for (const t of tokens) {
    if (t.kind === "positional") {
      positional.push(t.value);
      continue;
    }
    if (t.kind !== "option") continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name]! : undefined;
    if (!spec) {
      if (!strict) continue;
      const next = t.inlineValue ? t.value : args[t.index + 1];
      throw new UnknownFlagError(`unknown flag ${shortened(t.rawName)}${didYouMean(t.name, known, (c) => `--${c}`)}`, t.name, next !== undefined && (!next.startsWith("-") || /^-\d/.test(next)) ? next : undefined);
    }
    if (spec.type === "boolean") {
      if (t.inlineValue) throw new CliUsageError(`flag --${t.name} takes no value (got ${shortened(`${t.rawName}=${t.value}`)})`);
      flags[t.name] = "true";
      continue;
    }
    if (t.value === undefined || t.value === "") {
      if (!strict) continue;
      // `--output=` or `--output ""` names nothing: never read as the current directory, "" or 0.
      throw new CliUsageError(`flag --${t.name} needs a value${t.value === "" ? " (got an empty one)" : ""}`);
    }
    if (!t.inlineValue && t.value.startsWith("-") && t.value.length > 1 && strict) {
      if (spec.secret) throw new CliUsageError(`flag --${t.name} needs a value, got a flag-like one (not shown: it is a credential); write --${t.name}=VALUE if that is the value`);
      throw new CliUsageError(`flag --${t.name} needs a value, got the flag-like ${quotedValue(t.value)}; write --${t.name}=${shortened(t.value)} if that is the value`);
    }
    // A second value would silently replace the first (`--json '{…}' --json '{…}'`).
    if (strict && Object.hasOwn(flags, t.name) && flags[t.name] !== t.value) {
      // (a credential's values are never shown, not even their start: a redactor finds whole values only)
      const both = spec.secret ? "with two values (not shown: it is a credential)" : `(${flagValueShown(flags[t.name]!)} and ${flagValueShown(t.value)})`;
      throw new CliUsageError(`flag --${t.name} is given twice ${both}: give it once`);
    }
    flags[t.name] = t.value;
  }
  return { positional, flags };
}

/** A flag's value as a message quotes it: a URL without its `user:password@`, a long one cut (see shortened). */
const flagValueShown = (value: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? urlShown(value) : quotedValue(value));

/** A number as people write one on a command line: digits, maybe a fraction. */
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * `--timeout MS`: a whole number of ms a timer can hold (above 0, at most MAX_TIMEOUT_MS),
 * undefined when not given, or a usage error. A fraction is refused: the client rounds it up
 * (0.4 was a timeout of 1 ms, said so).
 */
export function timeoutFlag(flags: Readonly<Record<string, string>>): number | undefined {
  const raw = flags.timeout;
  if (raw === undefined) return undefined;
  // Plain decimal digits (Number() also reads "0x10", "1e3", " 5 ").
  const ms = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!isTimeoutMs(ms)) throw new CliUsageError(`--timeout must be a whole number of milliseconds above 0 and at most ${MAX_TIMEOUT_MS}, got ${quotedValue(raw)}`);
  return ms;
}

/** `--max-response-bytes N`: a whole number of bytes from 1, undefined when not given, or a usage error. */
export function maxResponseBytesFlag(flags: Readonly<Record<string, string>>): number | undefined {
  const raw = flags["max-response-bytes"];
  if (raw === undefined) return undefined;
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new CliUsageError(`--max-response-bytes must be a whole number of bytes from 1 to ${Number.MAX_SAFE_INTEGER}, got ${quotedValue(raw)}`);
  return n;
}

/** A port number flag (0-65535), or a usage error. */
export function portFlag(name: string, raw: string | undefined, fallback = 0): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new CliUsageError(`--${name} must be a port number 0-65535, got ${quotedValue(raw)}`);
  return Number(raw);
}

/** A non-negative finite number flag, or a usage error. */
/** The longest period in seconds one timer holds (2^31-1 ms: Node runs a longer timer after 1 ms). */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMEOUT_MS / 1000);

export function numberFlag(name: string, raw: string | undefined, fallback: number, max = Number.POSITIVE_INFINITY): number {
  if (raw === undefined) return fallback;
  const n = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) throw new CliUsageError(`--${name} must be a non-negative number, got ${quotedValue(raw)}`);
  // (a whole number no double holds was checked, and shown, rounded: "got 100000000000000000000")
  if (n > max || n > Number.MAX_SAFE_INTEGER) throw new CliUsageError(`--${name} must be at most ${Math.min(max, Number.MAX_SAFE_INTEGER)}, got ${quotedValue(raw)}`);
  return n;
}

/**
 * What stops a command: Ctrl-C, a kill, a closed terminal or ssh session (SIGHUP, also when the
 * process that started it is gone), and, for `ws login`/`ws place`, a reader of its output that
 * went away (SIGPIPE: the login is logged out before the exit).
 */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGPIPE";

/** The stops, as a list. */
export const STOP_SIGNALS: readonly string[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE"] satisfies StopSignal[];

/** `x` is one of the stops. */
export const isStopSignal = (x: unknown): x is StopSignal => typeof x === "string" && STOP_SIGNALS.includes(x);

/** A command stopped by `signal` exits 128 + its number, as the shell shows a process killed by it: 130, 143, 129, 141. */
export const stopExitCode = (signal: StopSignal): number => (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : signal === "SIGPIPE" ? 141 : 129);

/** A call the user stopped (Ctrl-C, SIGTERM, SIGHUP): printed with the signal, exit 130, 143 or 129. */
export class CallStopped extends Error {
  constructor(
    readonly signal: StopSignal,
    readonly error: Error,
  ) {
    super(error.message);
    this.name = "CallStopped";
  }
}

/** `--balances COIN=AMOUNT[,COIN=AMOUNT…]`: the emulator's `balances` (the amounts are checked by the emulator). */
export function balancesFlag(value: string): Record<string, string> {
  // (no prototype: a coin named __proto__ is a key the emulator refuses, not a prototype set)
  const out = Object.create(null) as Record<string, string>;
  for (const pair of value.split(",")) {
    const m = /^([^=\s]+)=(\S*)$/.exec(pair.trim());
    if (!m) throw new CliUsageError(`--balances takes COIN=AMOUNT pairs separated by commas (usdt=100000,btc=10), got ${quotedValue(value)}`);
    if (Object.hasOwn(out, m[1]!)) throw new CliUsageError(`--balances names ${m[1]} twice (which amount is meant?)`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
