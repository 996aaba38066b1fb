import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { ClientClosedError, createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { creds, framesOf, isOp, rejection, setup, startMock } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/exit-on-close.ts", import.meta.url));

/** Run the fixture in a child process; resolves to its stdout once it exits by itself. `onOutput` hears its stdout as it comes. */
function runChild(args: string[], onOutput?: (text: string) => void): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ["--import", "tsx", FIXTURE, ...args], { timeout: 15_000, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error && error.killed) reject(new Error(`child did not exit on its own within 15 s\n${stdout}\n${stderr}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, ms: Date.now() - started });
    });
    if (onOutput) child.stdout!.on("data", (d) => onOutput(String(d)));
  });
}

describe("quant-ws close()", () => {
  it("while the opening handshake gets no answer: ends it at once (close() does not wait for connectTimeoutMs)", async () => {
    const sockets: Socket[] = [];
    const deaf = createServer((s) => {
      sockets.push(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => deaf.listen(0, "127.0.0.1", r));
    onTestFinished(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => deaf.close(() => r()));
    });
    const client = createQuantWsClient({ url: `ws://127.0.0.1:${(deaf.address() as AddressInfo).port}/ws/v1`, connectTimeoutMs: 5_000, reconnect: false });
    const connecting = rejection(client.connect());
    while (sockets.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await client.close();
    expect(performance.now() - t0).toBeLessThan(500);
    const e = await connecting;
    expect(e).toBeInstanceOf(ClientClosedError);
    expect(e.message).toBe("quant-ws: client closed while connecting");
  });

  it("logs out every session, then closes the socket; pending work is rejected and streams end", async () => {
    const { mock, client } = await setup();
    const a = await client.login(creds({ accessKey: "key-a" }));
    const b = await client.login(creds({ accessKey: "key-b" }));
    const tokens = [a.token, b.token];
    const orders = a.stream("order");
    const ended = (async () => {
      let n = 0;
      for await (const _ of orders) n++;
      return n;
    })();
    mock.silence("asset");
    const pending = rejection(b.asset());
    await mock.waitForFrame(isOp("asset"));

    await client.close();

    expect(new Set(framesOf(mock, "logout").map((f) => f.token))).toEqual(new Set(tokens));
    expect(mock.tokens()).toEqual([]);
    expect(client.connected).toBe(false);
    expect(client.sessions).toEqual([]);
    expect(a.ended && b.ended).toBe(true);
    expect(await pending).toBeInstanceOf(ClientClosedError);
    expect(await ended).toBe(0);
    expect(await rejection(a.asset())).toBeInstanceOf(ClientClosedError);
    expect(await rejection(client.login(creds()))).toBeInstanceOf(ClientClosedError);
    // ping() too, as every other call (not a ConnectionError "not connected").
    const ping = await rejection(client.ping());
    expect(ping).toBeInstanceOf(ClientClosedError);
    expect(ping).toMatchObject({ operation: "ping" });
    await expect.poll(() => mock.openSockets).toBe(0);
    // close() is idempotent.
    await client.close();
  });

  it("requests waiting for READY when close() runs fail each with its own ClientClosedError naming its operation and that it was not sent", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.sendState(5, "RECONNECTING", session.token);
    await new Promise((r) => setTimeout(r, 50));
    const order = rejection(session.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
    const read = rejection(session.asset());
    await client.close();
    const [o, r] = await Promise.all([order, read]);
    expect(o).toBeInstanceOf(ClientClosedError);
    expect(r).toBeInstanceOf(ClientClosedError);
    expect(o).not.toBe(r);
    expect(o).toMatchObject({ operation: "place_order", message: "quant-ws place_order: not sent: client closed" });
    expect(r).toMatchObject({ operation: "asset", message: "quant-ws asset: not sent: client closed" });
    expect(o.cause).toBe(r.cause);
    expect((o as { outcomeUnknown?: true }).outcomeUnknown).toBeUndefined();
    expect(framesOf(mock, "place_order")).toHaveLength(0);
  });

  it("a login answered and waiting for READY is logged out by close() (the gateway got the login alone and held it)", async () => {
    const { mock, client } = await setup({ readyDelayMs: 5_000 });
    const login = rejection(client.login(creds()));
    await expect.poll(() => mock.tokens().length).toBe(1);
    const token = mock.tokens()[0];
    await client.close();
    expect(await login).toBeInstanceOf(ClientClosedError);
    expect(framesOf(mock, "logout").map((f) => f.token)).toEqual([token]);
    await mock.close();
  });

  it("a login sent but not answered yet when close() runs: its reply is waited for and that login logged out", async () => {
    const { mock, client } = await setup({ readyDelayMs: 5_000 });
    await client.connect();
    mock.setReplyDelay(150);
    const login = rejection(client.login(creds()));
    await mock.waitForFrame(isOp("login"));
    const t0 = performance.now();
    await client.close();
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(await login).toBeInstanceOf(ClientClosedError);
    const logouts = framesOf(mock, "logout");
    expect(logouts).toHaveLength(1);
    expect(logouts[0]!.token).toMatch(/^\w+$/);
    await mock.close();
  });

  it("close() from a state listener hearing the first login's READY logs that login out (the login fails, the gateway holds nothing)", async () => {
    const { mock, client } = await setup();
    let closing: Promise<void> | undefined;
    let token = "";
    client.on("state", (e) => {
      if (e.code !== 6) return;
      token = e.session.token;
      closing ??= client.close();
    });
    expect(await rejection(client.login(creds()))).toBeInstanceOf(ClientClosedError);
    await closing;
    expect(token).not.toBe("");
    expect(framesOf(mock, "logout").map((f) => f.token)).toEqual([token]);
  });

  it("logout ends one session and leaves the others", async () => {
    const { mock, client } = await setup();
    const a = await client.login(creds({ accessKey: "key-a" }));
    const b = await client.login(creds({ accessKey: "key-b" }));
    await a.logout();
    expect(a.ended).toBe(true);
    expect(client.sessions).toEqual([b]);
    expect(mock.tokens()).toEqual([b.token]);
    await expect(b.asset()).resolves.toHaveProperty("USDT");
  });

  it.each(["full", "reconnecting"])("the process exits on its own after close() (%s)", async (mode) => {
    const { code, stdout } = await runChild([mode]);
    expect(code).toBe(0);
    expect(stdout).toMatch(mode === "full" ? /closed ClientClosedError/ : /closed ConnectionDroppedError/);
  });

  it("the process exits on its own after close() when a login came during a reconnect backoff (no second socket left open)", async () => {
    // The gateway is this process's: it keeps open whatever socket the child's client leaves.
    const mock = await startMock();
    const { code, stdout } = await runChild(["login-during-backoff", mock.url], (text) => {
      if (text.includes("ready")) mock.dropSockets();
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/closed/);
    expect(mock.acceptedSockets).toBe(2);
  });
});
