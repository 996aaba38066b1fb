/**
 * Retry options that cannot work are refused when a client is made: a NaN `maxAttempts`
 * retried forever, a NaN or negative delay hammered the server about once a millisecond, and a
 * `sleep` that is not a function was a bare TypeError in the middle of a call. The backoff
 * stays within its step whatever an injected `random` returns.
 */
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { backoffDelayMs, checkRetryOptions } from "../../src/handwritten/core/retry.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";

const KEYS = { accessKey: "k", secretKey: "s" };
const BAD: Array<[object, string]> = [
  [{ maxAttempts: Number.NaN }, ".maxAttempts must be a whole number, 1 or more (or Infinity), got NaN"],
  [{ maxAttempts: 0 }, ".maxAttempts must be a whole number, 1 or more (or Infinity), got 0"],
  [{ maxAttempts: 2.5 }, ".maxAttempts must be a whole number, 1 or more (or Infinity), got 2.5"],
  [{ baseDelayMs: Number.NaN }, ".baseDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got NaN"],
  [{ baseDelayMs: "100" }, '.baseDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got "100"'],
  [{ maxDelayMs: -1 }, ".maxDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got -1"],
  [{ maxDelayMs: Number.POSITIVE_INFINITY }, ".maxDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got Infinity"],
  // A longer wait would be run after 1 ms (Node's timers hold 2^31-1 ms): retries at once.
  [{ baseDelayMs: 5e9 }, ".baseDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 5000000000"],
  [{ maxDelayMs: 1e12 }, ".maxDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 1000000000000"],
  [{ sleep: 5 }, ".sleep must be a function, got 5"],
  [{ random: null }, ".random must be a function, got null"],
];

describe("retry options are checked when a client is made", () => {
  const makers: Array<[string, string, (o: object) => unknown]> = [
    ["xt", "retry", (retry) => createXtClient({ ...KEYS, retry })],
    ["hubi", "retry", (retry) => createHubiClient({ ...KEYS, retry })],
    ["bhex", "retry", (retry) => createBhexOrgClient({ ...KEYS, retry })],
    ["bhex", "idempotentRetry", (idempotentRetry) => createBhexOrgClient({ ...KEYS, idempotentRetry })],
    ["xele", "retry", (retry) => createXeleClient({ username: "u", password: "p", retry })],
    ["quant-ws", "retryReads", (retryReads) => createQuantWsClient({ retryReads })],
  ];
  it.each(BAD)("%o → UsageError naming the option, on every client", (opts, problem) => {
    for (const [api, name, make] of makers) {
      expect(() => make(opts), `${api} ${name}`).toThrow(UsageError);
      expect(() => make(opts), `${api} ${name}`).toThrow(`${name}${problem}`);
    }
  });

  it("true, false, {} and the documented values are taken, Infinity attempts included", () => {
    for (const [, , make] of makers) for (const ok of [{}, { maxAttempts: 5, baseDelayMs: 0, maxDelayMs: 100, sleep: async () => undefined, random: () => 0.5 }, { maxAttempts: Number.POSITIVE_INFINITY }]) expect(() => make(ok)).not.toThrow();
    expect(() => checkRetryOptions(true, "retry", {})).not.toThrow();
    expect(() => checkRetryOptions(false, "retry", {})).not.toThrow();
    expect(() => checkRetryOptions("yes", "retry", { api: "xt" })).toThrow("xt: retry must be an object (or true / false), got string");
  });

  it("the backoff stays within its step whatever an injected random returns", () => {
    for (const r of [7, -3, Number.NaN, 1, 0.999]) {
      const d = backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 2_000, random: () => r });
      expect(d, String(r)).toBeGreaterThanOrEqual(0);
      expect(d, String(r)).toBeLessThanOrEqual(400);
    }
  });
});
