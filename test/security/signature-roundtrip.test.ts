/**
 * What the client signs is what the server reads. For every GET and POST operation of the three
 * signed REST APIs with a free-text parameter, each such parameter gets arbitrary text (any
 * script, emoji, controls, the characters URL and form encoding treat specially: space, `+`,
 * `&`, `=`, `%`, `#`, `?`), the others a valid value, and the call goes over HTTP to the
 * API's emulator, which decodes the request as a server does and checks the signature the way
 * the vendor documents it. Property: the signature is never refused (no AuthError), and every
 * other outcome is an answer or a typed error (the emulator may refuse the values themselves).
 * The emulators accept every signing variant the vendors' SDKs use (and log which matched): a
 * request whose signature matched only another variant than the client's own (the text it
 * signed is not the text the server read) fails the property too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta as bhexMeta } from "../../generated/bhex-org.docs.js";
import { meta as hubiMeta } from "../../generated/hubi-futures.docs.js";
import { meta as xtMeta } from "../../generated/xt-spot.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { AuthError, TradeApiError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { fcSeed } from "../helpers/fc-seed.js";

const text = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }).filter((s) => !/[\ud800-\udfff]/.test(s)),
  fc.constantFrom("a b", "a+b", "a&b=c", "%20", "a%2Fb", "é", "😀", "a\u0000b", "~!*'()", "=", "&", "+", " ", "\n", "#", "?"),
);

interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  items?: Schema;
}
interface Op {
  operationId: string;
  method: string;
  params?: Array<{ name: string; in: string; schema?: Schema }>;
  body?: { properties?: Record<string, Schema> } | null;
}

const isFreeText = (s: Schema | undefined) => s?.type === "string" && !s.enum && !s.pattern && s.format !== "int64";

/** A valid value for a field, or `text` for a free-text one. */
function valueOf(s: Schema | undefined, text: string): unknown {
  if (!s || isFreeText(s)) return text;
  if (s.enum) return s.enum[0];
  if (s.type === "number") return 1;
  if (s.type === "integer") return s.minimum ?? 1;
  if (s.type === "boolean") return true;
  if (s.type === "array") return [valueOf(s.items, text)];
  return "1";
}

async function roundTrips(meta: { operations: readonly unknown[] }, client: Client) {
  const refused: string[] = [];
  let calls = 0;
  let seed = 20261202;
  for (const op of meta.operations as Op[]) {
    if (op.method !== "GET" && op.method !== "POST") continue;
    const fields: Array<[string, Schema | undefined]> = [
      ...(op.params ?? []).filter((p) => p.in !== "header").map((p): [string, Schema | undefined] => [p.name, p.schema]),
      ...Object.entries(op.body?.properties ?? {}),
    ];
    if (!fields.some(([, s]) => isFreeText(s))) continue;
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        calls++;
        const params = Object.fromEntries(fields.map(([k, s]) => [k, valueOf(s, t)]));
        try {
          await client.call(op.operationId, params);
        } catch (e) {
          if (e instanceof AuthError || !(e instanceof TradeApiError)) refused.push(`${op.operationId} ${JSON.stringify(t)}: ${String(e)}`);
        }
      }),
      // A seed per operation: one seed for all would give each operation the same 20 texts.
      { numRuns: 20, seed: fcSeed(seed++) },
    );
  }
  return { refused, calls };
}

/** The log lines of signed requests whose signature did not match `variant` (the client's default). */
function otherVariant(log: string[], variant: RegExp): string[] {
  const signed = log.filter((l) => l.includes("[signature: "));
  expect(signed.length).toBeGreaterThan(0);
  return signed.filter((l) => !variant.test(l.slice(l.indexOf("[signature: "))));
}

type Client = { call(op: string, params: Record<string, unknown>): Promise<unknown> };
const noLimits = { rateLimit: false, retry: false } as const;

const apis: Array<{
  name: string;
  meta: { operations: readonly unknown[] };
  start: (log: (line: string) => void) => Promise<{ url: string; close(): Promise<void> }>;
  client: (baseUrl: string) => Client;
  /** How the emulator's log names the client's own signing variant. */
  variant: RegExp;
  minCalls: number;
}> = [
  {
    name: "XT",
    meta: xtMeta,
    start: (log) => startXtMock({ port: 0, log }),
    client: (baseUrl) => createXtClient({ baseUrl, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, ...noLimits }) as unknown as Client,
    variant: /\bjava\b/,
    minCalls: 200,
  },
  {
    name: "Hubi",
    meta: hubiMeta,
    start: (log) => startHubiMock({ port: 0, log }),
    client: (baseUrl) => createHubiClient({ baseUrl, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, ...noLimits }) as unknown as Client,
    variant: /signature: raw values/,
    minCalls: 100,
  },
  {
    name: "BHEX",
    meta: bhexMeta,
    start: (log) => startBhexMock({ port: 0, log }),
    client: (baseUrl) => createBhexOrgClient({ baseUrl, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, ...noLimits }) as unknown as Client,
    variant: /\bjava\b/,
    minCalls: 600,
  },
];

describe("the signature covers what is sent, for any text", () => {
  it.each(apis)("$name", async ({ meta, start, client, variant, minCalls }) => {
    const log: string[] = [];
    const mock = await start((l) => log.push(l));
    try {
      const { refused, calls } = await roundTrips(meta, client(mock.url));
      expect(refused).toEqual([]);
      expect(calls).toBeGreaterThanOrEqual(minCalls);
      expect(otherVariant(log, variant)).toEqual([]);
    } finally {
      await mock.close();
    }
  }, 60_000);
});
