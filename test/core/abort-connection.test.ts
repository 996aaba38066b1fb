/**
 * A call that ends (the caller's abort, or its timeout) while its connection is still being made
 * ends that connection too. undici goes on connecting for the agent's connect timeout after the
 * request it connects for is gone: a socket that kept a script's process alive for the client's
 * timeout after the call had failed (and `tradeapi call` after Ctrl-C), and piled up under calls
 * aborted one after another. Here the connection never completes: an https:// server whose TCP
 * side accepts and then says nothing (no TLS handshake).
 */
import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { AbortedError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startProxy } from "../helpers/proxy.js";
import { rejection } from "../helpers/rejection.js";

const ROOT = resolve(import.meta.dirname, "../..");

async function mute(): Promise<{ url: string; open: () => number; accepted: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
    s.resume(); // (read, so that the client's close is seen)
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onTestFinished(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, open: () => sockets.size, accepted: () => accepted };
}

describe("an ended call's connection still being made ends with it", () => {
  it("the caller's abort (client timeout 30 s): the connection is closed at once, not after 30 s", async () => {
    const server = await mute();
    const client = createXtClient({ baseUrl: server.url, timeoutMs: 30_000, retry: false });
    const e = await rejection(client.call("getServerTime", {}, { signal: AbortSignal.timeout(100) }));
    expect(e).toBeInstanceOf(AbortedError);
    expect(server.accepted()).toBe(1);
    await expect.poll(() => server.open(), { timeout: 1_000, interval: 20 }).toBe(0);
  });

  it("calls aborted one after another leave no connections behind", async () => {
    const server = await mute();
    const client = createXtClient({ baseUrl: server.url, timeoutMs: 30_000, retry: false });
    for (let i = 0; i < 20; i++) expect(await rejection(client.call("getServerTime", {}, { signal: AbortSignal.timeout(20) }))).toBeInstanceOf(AbortedError);
    await expect.poll(() => server.open(), { timeout: 1_000, interval: 20 }).toBe(0);
  });

  it.each(["direct", "through a proxy (the TLS handshake through its tunnel)"])("a script whose call was aborted exits at once, %s (it waited for the client's timeout)", async (road) => {
    const server = await mute();
    const proxy = road === "direct" ? undefined : await startProxy();
    // (the test proxy tunnels any name to 127.0.0.1)
    const baseUrl = proxy ? server.url.replace("127.0.0.1", "xt.invalid") : server.url;
    const script = `
      import { createXtClient } from "./src/handwritten/xt/index.ts";
      const client = createXtClient({ baseUrl: ${JSON.stringify(baseUrl)}, ${proxy ? `proxy: ${JSON.stringify(proxy.url)}, ` : ""}timeoutMs: 20_000, retry: false });
      const e = await client.call("getServerTime", {}, { signal: AbortSignal.timeout(100) }).catch((x) => x);
      console.log(e.name);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    let printed = 0;
    child.stdout.once("data", () => (printed = performance.now()));
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect([code, out.trim()]).toEqual([0, "AbortedError"]);
    expect(performance.now() - printed).toBeLessThan(2_000);
  }, 30_000);
});

describe("an order aborted while its connection was being made was not sent", () => {
  it("AbortedError without outcomeUnknown (nothing was written); aborted once connected and waiting: outcomeUnknown", async () => {
    const server = await mute();
    const client = createXtClient({ baseUrl: server.url, accessKey: "ak", secretKey: "sk", timeoutMs: 30_000, retry: false });
    const order = { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 } as const;
    const e = await rejection(client.call("order", order, { signal: AbortSignal.timeout(100) }));
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as AbortedError).outcomeUnknown).not.toBe(true);
    // A server that reads the request and never answers: the abort comes after the send.
    const { createServer: createHttp } = await import("node:http");
    const deaf = createHttp(() => undefined);
    await new Promise<void>((r) => deaf.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => (deaf.closeAllConnections(), deaf.close(() => r()))));
    const sent = createXtClient({ baseUrl: `http://127.0.0.1:${(deaf.address() as { port: number }).port}`, accessKey: "ak", secretKey: "sk", timeoutMs: 30_000, retry: false });
    const late = await rejection(sent.call("order", order, { signal: AbortSignal.timeout(300) }));
    expect(late).toBeInstanceOf(AbortedError);
    expect((late as AbortedError).outcomeUnknown).toBe(true);
  });
});
