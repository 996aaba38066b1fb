/**
 * A login answer whose ticket (the session token) is no string is refused without its value:
 * neither the message nor any other text of the error (its snippet, its body, its cause chain)
 * holds the ticket's digits in any form.
 */
import { describe, expect, it } from "vitest";
import { ApiError, ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

/** Every string reachable from `value`: own properties (message and stack too), nested objects, the cause chain. */
function stringsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "bigint") return [String(value)];
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  for (const key of Object.getOwnPropertyNames(value)) out.push(...stringsOf((value as Record<string, unknown>)[key], seen));
  if (value instanceof Error) out.push(...stringsOf(value.cause, seen), String(value));
  return out;
}

async function loginError(body: string, decimals?: "string"): Promise<Error> {
  const { fetch } = recordingFetch(() => new Response(body, { headers: { "content-type": "application/json" } }));
  const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "pw-ticket-leak", fetch, retry: false, ...(decimals ? { decimals } : {}) });
  const e = await c.login().then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe("a login answer with a ticket that is no string", () => {
  it.each([
    ["an integer", "48151623", "integer"],
    ["a negative integer", "-48151623", "integer"],
    ["a decimal", "4815162342.5", "number"],
    ["an exponent", "4.8151623e7", "integer"],
    ["an integer beyond 2^53", "1152921504606846977", "integer"],
  ])("%s ticket: the error names its type, never its digits", async (_name, ticket, type) => {
    for (const body of [`{"code":0,"msg":"ok","ticket":${ticket}}`, `{"ticket":${ticket}}`]) {
      const e = await loginError(body);
      expect(e).toBeInstanceOf(ResponseFormatError);
      expect(e.message).toMatch(new RegExp(`ticket \\(the token\\) must be string, got ${type}\\b`));
      const texts = stringsOf(e).join("\n");
      for (const run of ticket.match(/\d{4,}/g)!) expect(texts).not.toContain(run);
      expect(texts).not.toContain("pw-ticket-leak");
    }
  });

  it.each([
    ["48151623", "integer"],
    ["48151623.5", "number"],
    ["4.8151623e7", "integer"],
  ])("a ticket %s with decimals: \"string\" is refused the same way (a decimal was taken as the token)", async (ticket, type) => {
    const e = await loginError(`{"code":0,"ticket":${ticket}}`, "string");
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(new RegExp(`must be string, got ${type}\\b`));
    expect(stringsOf(e).join("\n")).not.toContain("48151623");
  });

  it.each([
    ["true", "boolean"],
    ['["tok-SECRET-in-array"]', "array"],
    ['{"value":"tok-SECRET-in-object"}', "object"],
  ])("ticket %s: named by its type %s, its content not shown", async (ticket, type) => {
    const e = await loginError(`{"code":0,"ticket":${ticket}}`);
    expect(e.message).toMatch(new RegExp(`must be string, got ${type}\\b`));
    expect(stringsOf(e).join("\n")).not.toMatch(/tok-SECRET/);
  });

  it("a wrong password's code still wins over a number ticket (an ApiError whose body hides the ticket)", async () => {
    const e = await loginError('{"code":114,"msg":"bad password","ticket":48151623}');
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(114);
    expect(stringsOf(e).join("\n")).not.toContain("48151623");
  });
});

describe("a login ticket of absurd length", () => {
  it("a ticket of more than 16,384 characters is refused, its text not shown; one of 16,384 is taken", async () => {
    const long = "T".repeat(16_384);
    const e = await loginError(`{"code":0,"ticket":"${long}Z"}`);
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("ticket (the token) is 16385 characters long; a token of more than 16384 is not taken");
    expect(stringsOf(e).join("\n")).not.toContain("TTTTTTTT");
    const { fetch } = recordingFetch(() => new Response(`{"code":0,"ticket":"${long}"}`, { headers: { "content-type": "application/json" } }));
    const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "pw-ticket-leak", fetch, retry: false });
    await expect(c.login()).resolves.toBeUndefined();
  });

  it("the session's redactor is made once per set of tokens, not for each failed call (a redactor of a long ticket cost the event loop)", async () => {
    const { XeleSession } = await import("../../src/handwritten/xele/session.js");
    let n = 0;
    const s = new XeleSession({ login: async () => `token-${++n}-${"x".repeat(100)}`, username: "u", password: "pw-1234" });
    await s.token();
    const first = s.redactor();
    expect(s.redactor()).toBe(first);
    expect(s.redactor([undefined, ""])).toBe(first);
    // With an extra secret: one that removes it too, the tokens still removed.
    const withExtra = s.redactor(["extra-secret-1"]);
    expect(withExtra.text("extra-secret-1 token-1-" + "x".repeat(100))).not.toMatch(/extra-secret-1|token-1/);
    // A new token: a new redactor, which removes both tokens.
    s.reset();
    await s.token();
    const second = s.redactor();
    expect(second).not.toBe(first);
    expect(second.text(`token-1-${"x".repeat(100)} token-2-${"x".repeat(100)} pw-1234`)).not.toMatch(/token-\d|pw-1234/);
  });
});
