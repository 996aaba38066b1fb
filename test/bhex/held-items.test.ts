/**
 * A BHEX call retried under one idempotency key sends the same batch at every attempt: the items
 * rows are held as they were when the call was made. (The retry read the caller's list again: a
 * caller that refilled its buffer while the call ran had another batch sent under the same
 * client_order_id, which a server that deduplicates by key would take for the first one.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, BHEX_MOCK_USER_IDS, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const user = BHEX_MOCK_USER_IDS[0]!;

describe("BHEX items rows under one idempotency key", () => {
  it.each([
    ["no onIdempotencyKey", undefined],
    ["an async onIdempotencyKey", async () => new Promise<void>((r) => setTimeout(r, 5))],
  ])("every attempt sends the rows as given when the call was made (%s)", async (_what, onIdempotencyKey) => {
    mock = await startBhexMock();
    const sent: Array<{ key: string | null; items: string | null }> = [];
    const bhex = createBhexOrgClient({
      baseUrl: mock!.url,
      accessKey: BHEX_MOCK_ACCESS_KEY,
      secretKey: BHEX_MOCK_SECRET_KEY,
      idempotentRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      ...(onIdempotencyKey ? { onIdempotencyKey } : {}),
      fetch: async (url, init) => {
        const form = new URLSearchParams(String(init?.body ?? ""));
        if (String(url).includes("air_drop")) sent.push({ key: form.get("client_order_id"), items: form.get("items") });
        return fetch(url, init);
      },
    });
    const rows = [{ target_user_id: user, token_id: "USDT", amount: "1" }];
    mock!.loseAnswers("financeAirDrop", 1); // carried out, its answer lost: retried under the same key
    const called = bhex.callWithKey("financeAirDrop", { data_type: "json", items: rows } as never);
    rows[0]!.amount = "500"; // the caller's next batch, in the same buffer
    rows.push({ target_user_id: user, token_id: "USDT", amount: "7" });
    const { idempotencyKey } = await called;
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((s) => s.key))).toEqual(new Set([idempotencyKey!.value]));
    for (const s of sent) expect(JSON.parse(s.items!)).toEqual([expect.objectContaining({ amount: "1" })]);
  });
});
