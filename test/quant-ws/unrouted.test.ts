/**
 * Frames for a token no session holds. The client holds them (a login reply may come after
 * its token's first frames), and when none of its sessions takes one it says so: an `error`
 * event, QuantWsFrameError "unknown-token", naming the frame and why it was not delivered.
 * Nothing is dropped unsaid (a late fill of a session that has logged out included).
 */
import { describe, expect, it } from "vitest";
import { QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { ResponseFormatError, type TradeApiError } from "../../src/handwritten/core/errors.js";
import { creds, payloads, setup } from "./helpers.js";

const notify = (token: string, seq: number) => JSON.stringify({ op: "notify", topic: "fill", token, data: payloads.fill({ order_no: `o-${seq}`, seq }) });

function collect(client: { on(e: "error", l: (e: TradeApiError) => void): () => void; on(e: "closed", l: () => void): () => void }) {
  const events: Array<string | TradeApiError> = [];
  client.on("error", (e) => events.push(e));
  client.on("closed", () => events.push("closed"));
  return events;
}

const unknownToken = (events: Array<string | TradeApiError>) => events.filter((e): e is QuantWsFrameError => e instanceof QuantWsFrameError && e.problem === "unknown-token");

describe("quant-ws frames no session takes", () => {
  it("a frame held for a token that never logs in is reported when the client closes, before `closed`", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    await client.login(creds());
    mock.sendRaw(notify("tk-stranger", 1));
    mock.sendRaw(JSON.stringify({ op: "state", token: "tk-stranger", code: 6, msg: "READY" }));
    await new Promise((r) => setTimeout(r, 50));
    // Held, not reported yet: its login reply may still come.
    expect(unknownToken(events)).toEqual([]);
    await client.close();
    const reported = unknownToken(events);
    expect(reported.map((e) => e.message.replace(/ \(body starts: .*/, ""))).toEqual([
      "quant-ws: fill notification for a token no session of this client holds, not delivered: the client closed before a login took its token",
      "quant-ws: state 6 for a token no session of this client holds, not delivered: the client closed before a login took its token",
    ]);
    expect(reported[0]).toBeInstanceOf(ResponseFormatError);
    expect(reported[0]!.field).toBe("token");
    // The frame as it came, for whoever needs the fill (the token, like every value named so, redacted).
    expect(reported[0]!.bodySnippet).toBe(notify("[redacted]", 1));
    expect(events.at(-1)).toBe("closed");
  });

  it("a late notification of a session that has logged out is reported, not lost", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    const session = await client.login(creds());
    const token = session.token;
    await session.logout();
    mock.sendRaw(notify(token, 7));
    await new Promise((r) => setTimeout(r, 50));
    await client.close();
    expect(unknownToken(events).map((e) => e.bodySnippet)).toEqual([notify("[redacted]", 7)]);
  });

  it("past 256 held frames the oldest is reported as it is dropped", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    await client.login(creds());
    for (let i = 0; i < 258; i++) mock.sendRaw(notify(`tk-${i}`, i));
    await expect.poll(() => unknownToken(events).length).toBe(2);
    const [first, second] = unknownToken(events);
    expect(first!.message).toMatch(/^quant-ws: fill notification for a token no session of this client holds, not delivered: more than 256 frames for tokens no session holds were waiting, and this was the oldest \(body starts: .*"seq\\":0}}"\)$/);
    expect(second!.bodySnippet).toBe(notify("[redacted]", 1));
    await client.close();
    // The other 256 when the client closed: every one of the 258 was reported once.
    expect(unknownToken(events).map((e) => JSON.parse(e.bodySnippet!).data.seq)).toEqual(Array.from({ length: 258 }, (_, i) => i));
  });

  it("holds at most 8 Mi of such frames' cost (text and 32 per JSON value): past that the oldest is reported as it is dropped", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    await client.login(creds());
    const big = (i: number) => JSON.stringify({ op: "notify", topic: "fill", token: `tk-big-${i}`, data: payloads.fill({ seq: i, pad: "x".repeat(3 * 1024 * 1024) }) });
    for (let i = 0; i < 3; i++) mock.sendRaw(big(i));
    await expect.poll(() => unknownToken(events).length).toBe(1);
    expect(unknownToken(events)[0]!.message).toMatch(/^quant-ws: fill notification for a token no session of this client holds, not delivered: more than 8 Mi of frame cost \(text and parsed values\) for tokens no session holds were waiting, and this was the oldest \(body starts: .*"seq\\":0,/);
    await client.close();
    expect(unknownToken(events)).toHaveLength(3);
  });

  it("held frames are reported when the socket drops", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    await client.login(creds());
    mock.sendRaw(notify("tk-gone", 3));
    await new Promise((r) => setTimeout(r, 50));
    mock.dropSockets();
    await expect.poll(() => unknownToken(events).length).toBe(1);
    expect(unknownToken(events)[0]!.message).toMatch(/not delivered: the connection dropped before a login took its token \(body starts: /);
  });

  it("frames that come before their login reply are delivered, and nothing is reported", async () => {
    const { client } = await setup({ readyDelayMs: 10, replyDelayMs: 120 });
    const events = collect(client);
    const session = await client.login(creds());
    expect(session.lastState?.name).toBe("READY");
    await client.close();
    expect(events).toEqual(["closed"]);
  });

  it("a secret in a held frame is redacted from its report", async () => {
    const { mock, client } = await setup();
    const events = collect(client);
    await client.login(creds({ secretKey: "sk-very-secret-value" }));
    mock.sendRaw(JSON.stringify({ op: "state", token: "tk-x", code: 7, msg: "bad key sk-very-secret-value" }));
    await new Promise((r) => setTimeout(r, 50));
    await client.close();
    const [report] = unknownToken(events);
    expect(report!.bodySnippet).toContain("[redacted]");
    expect(JSON.stringify(report)).not.toContain("sk-very-secret-value");
  });
});
