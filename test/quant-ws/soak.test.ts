/**
 * A client kept for days: what it holds must not grow with the number of reconnects or logins.
 * (Counted in what a caller can see, not in heap bytes.)
 */
import { describe, expect, it } from "vitest";
import { creds, ETH, setup } from "./helpers.js";

describe("quant-ws soak", () => {
  it("holds one login's snapshots for a topic nobody listens to, however often the socket is reconnected", async () => {
    const { mock, client } = await setup({ readyDelayMs: 0 });
    const session = await client.login(creds());
    // Nobody listens to asset or position: each re-login's snapshots would be held for a first listener.
    for (let i = 0; i < 25; i++) {
      const back = client.next("reconnected", 3_000);
      mock.dropSockets();
      expect((await back).sessions.map((s) => s.session)).toEqual([session]);
    }
    expect(mock.acceptedSockets).toBe(26);
    const assets: unknown[] = [];
    const positions: unknown[] = [];
    session.on("asset", (a) => assets.push(a));
    session.on("position", (p) => positions.push(p));
    await Promise.resolve();
    // The last login's snapshots (one asset, one position per symbol), not 26 of each.
    expect(assets).toHaveLength(1);
    expect(positions).toEqual([expect.objectContaining({ symbol: ETH })]);
  });
});
