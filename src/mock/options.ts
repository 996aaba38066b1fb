import { shownValue, UsageError } from "../handwritten/core/errors.js";
import { checkOption, checkOptionNames, meant, ownFields } from "../handwritten/core/validate.js";

/** Options every emulator takes the same way. */
export interface MockServerOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number | undefined;
  /** Address to listen on (default 127.0.0.1). */
  host?: string | undefined;
  /** One line per request (never a secret). */
  log?: ((line: string) => void) | undefined;
}

/** Options of an emulator that checks an access key / secret key signature. */
export interface SignedMockOptions extends MockServerOptions {
  /** The access key the emulator accepts (default: the `…_MOCK_ACCESS_KEY` exported beside it). */
  accessKey?: string | undefined;
  /** The secret key it checks signatures with (default: the `…_MOCK_SECRET_KEY` exported beside it). */
  secretKey?: string | undefined;
}

/**
 * An emulator option that cannot work is a UsageError naming it, before anything listens or is
 * built: a port out of range was a bare RangeError (and "x" a pipe name), a record count of
 * 1e9 filled the memory until the process died, a NaN delay meant no delay. Counts and delays
 * go through the clients' `checkOption`.
 */
export const checkMock = {
  port(api: string, name: string, v: unknown): void {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535)) throw new UsageError(`${name} must be a port number 0-65535, got ${shownValue(v)}`, { api });
  },
  host(api: string, v: unknown): void {
    if (v !== undefined && (typeof v !== "string" || v === "")) throw new UsageError(`host must be an address to listen on, got ${shownValue(v)}`, { api });
  },
  server(api: string, o: MockServerOptions, names: Readonly<Record<string, unknown>>): void {
    checkMock.names(api, o, names);
    checkMock.port(api, "port", o.port);
    checkMock.host(api, o.host);
  },
  /** A key that is not one of the emulator's options (`prot` for `port`) is a UsageError, not ignored. */
  names(api: string, o: object, names: Readonly<Record<string, unknown>>): void {
    checkOptionNames({ api }, "options", o, names);
  },
};

/** The names of SignedMockOptions, which each signed emulator's own list extends. */
export const SIGNED_MOCK_OPTIONS = { port: 1, host: 1, log: 1, accessKey: 1, secretKey: 1 } satisfies Record<keyof SignedMockOptions, 1>;

/** Most records an emulator builds up front (each held in memory). */
export const MAX_MOCK_RECORDS = 100_000;

/** Most answers one loseAnswers() call drops. */
export const MAX_LOST_ANSWERS = 1_000_000;

/**
 * loseAnswers(name, count) of an emulator: `count` more answers of `name` to lose, in
 * `losing`. `name` must be one of `names` (a UsageError naming the closest, and listing them
 * when `listed`), `count` a whole number from 1 to MAX_LOST_ANSWERS.
 */
export function addLostAnswers(api: string, losing: Map<string, number>, name: string, count: number, names: readonly string[], what: string, listed = false): void {
  const ctx = { api, operation: "loseAnswers" };
  if (!names.includes(name)) throw new UsageError(`no ${what} ${JSON.stringify(name)}${meant(name, names)}${listed ? `; the ${what}s are ${names.join(", ")}` : ""}`, ctx);
  checkOption(ctx, "count", count, { min: 1, max: MAX_LOST_ANSWERS });
  losing.set(name, (losing.get(name) ?? 0) + count);
}

/** Is the next answer of `name` one to lose? (Takes it off `losing`.) */
export function takeLostAnswer(losing: Map<string, number>, name: string | undefined): boolean {
  const left = name === undefined ? undefined : losing.get(name);
  if (left === undefined) return false;
  if (left > 1) losing.set(name!, left - 1);
  else losing.delete(name!);
  return true;
}

/** Most coins an emulator's `balances` option names. */
const MAX_BALANCE_COINS = 1_000;

/**
 * An amount of a `balances` option: plain digits, at most 30 before and 30 after the point.
 * An exponent (1e999999999) made every balance answer a billion digits long, and an order's
 * arithmetic held the emulator.
 */
const PLAIN_AMOUNT = /^\d{1,30}(?:\.\d{1,30})?$/;

/**
 * The `balances` option of an emulator (XT, BHEX) as decimal texts by coin (its name as
 * `nameOf` writes it), or a UsageError naming what is wrong.
 */
export function balancesOption(api: string, given: unknown, nameOf: (coin: string) => string = (c) => c): Record<string, string> | undefined {
  if (given === undefined) return undefined;
  const refuse = (why: string): never => {
    throw new UsageError(`balances ${why}`, { api });
  };
  if (given === null || typeof given !== "object" || Array.isArray(given)) refuse(`must be an object of coin → available amount, got ${shownValue(given)}`);
  const entries = Object.entries(ownFields(given as object));
  if (entries.length > MAX_BALANCE_COINS) refuse(`names at most ${MAX_BALANCE_COINS} coins, got ${entries.length}`);
  const out: Record<string, string> = {};
  for (const [coin, v] of entries) {
    if (!/^[A-Za-z0-9]{1,20}$/.test(coin)) refuse(`coin names are 1-20 letters and digits, got ${shownValue(coin)}`);
    const text = typeof v === "number" ? String(v) : typeof v === "string" ? v : "";
    if (!PLAIN_AMOUNT.test(text)) refuse(`${coin} must be a decimal amount written in digits (at most 30 before and 30 after the point), 0 or more, got ${shownValue(v)}`);
    // (a coin given twice, or in two cases BHEX reads as one: which amount was meant is not known)
    if (Object.hasOwn(out, nameOf(coin))) refuse(`names ${coin === nameOf(coin) ? coin : `${coin} (${nameOf(coin)})`} twice`);
    out[nameOf(coin)] = text;
  }
  return out;
}
