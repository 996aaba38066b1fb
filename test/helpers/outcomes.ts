/**
 * For stress and chaos tests: a seeded generator, and a record of how each call ended. `seen`
 * counts "label ok" or "label ErrorName", keeps every error's texts (String, JSON, inspect,
 * stack: where a secret must not be) and the errors that are no TradeApiError; unhandled
 * rejections are collected until `stop()`.
 */
import { inspect } from "node:util";
import { TradeApiError } from "../../src/handwritten/core/errors.js";

/** The same numbers in [0, 1) for the same seed. */
export function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

export function outcomeRecorder() {
  const outcomes = new Map<string, number>();
  const texts: string[] = [];
  const untyped: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  const seen = (label: string, e?: unknown): void => {
    if (e !== undefined) {
      if (!(e instanceof TradeApiError)) untyped.push(`${label}: ${String(e)}`);
      texts.push([String(e), JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true }), (e as Error).stack ?? ""].join("\n"));
    }
    const key = `${label} ${e === undefined ? "ok" : (e as Error).name}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  };
  return { outcomes, texts, untyped, unhandled, seen, stop: () => void process.off("unhandledRejection", onUnhandled) };
}
