/**
 * A client kept for days: what it holds must not grow with the number of reconnects or logins.
 * (Counted in what a caller can see, not in heap bytes.)
 */
import { describe, expect, it, vi } from "vitest";
import type { TradeApiError } from "../../src/handwritten/core/errors.js";
import { creds, ETH, setup } from "./helpers.js";

/** The secrets each Redactor was made of (the client makes one of its keys, tokens and proxy credentials). */
const { made } = vi.hoisted(() => ({ made: [] as string[][] }));
vi.mock("../../src/handwritten/core/redaction.js", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../src/handwritten/core/redaction.js")>();
  // A Proxy of the class: every instance is still a Redactor (instanceof holds both ways).
  const Redactor = new Proxy(m.Redactor, {
    construct(target, args, newTarget) {
      const list = args[0] === undefined || typeof args[0] === "string" ? args[0] : [...(args[0] as Iterable<string>)];
      if (Array.isArray(list)) made.push(list.filter((v): v is string => typeof v === "string"));
      return Reflect.construct(target, [list, ...args.slice(1)], newTarget) as object;
    },
  });
  return { ...m, Redactor };
});

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

  it("keeps the keys of ended sessions to the newest 256, and every live session's (many accounts logged in and out)", async () => {
    const { mock, client } = await setup({ readyDelayMs: 0 });
    const live = await client.login(creds({ accessKey: "soak-live-ak", secretKey: "soak-live-sk" }));
    for (let i = 0; i < 140; i++) {
      const s = await client.login(creds({ accessKey: `soak-ak-${i}`, secretKey: `soak-sk-${i}` }));
      await s.logout();
    }
    // A frame the client reports: its message goes through the client's Redactor (made anew if a key changed).
    const reported = client.next("error", 2_000);
    mock.sendRaw("not json");
    expect(((await reported) as TradeApiError).name).toBe("QuantWsFrameError");
    const keys = made.map((list) => list.filter((v) => v.startsWith("soak-"))).filter((list) => list.length).at(-1);
    // The live session's keys and the newest 128 ended sessions' (256 values), not all 141 pairs.
    expect(keys).toHaveLength(2 + 256);
    expect(keys).toEqual(expect.arrayContaining(["soak-live-ak", "soak-live-sk", "soak-ak-139", "soak-sk-139", "soak-ak-12", "soak-sk-12"]));
    expect(live.ready).toBe(true);
  });
});
