/**
 * close() ends what the emulators wait for: a Xele request waiting out `latencyMs` kept the
 * process alive for that long after close() (and was then handled: a login made, a log line).
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("xele close() with a request in its latency", () => {
  it("the process ends right after close(); the waiting request is handled no further", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/mock/fixtures/xele-latency-child.ts"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let closedAt = 0;
    child.stdout.on("data", (d) => {
      out += String(d);
      if (!closedAt && out.includes("closed\n")) closedAt = performance.now();
    });
    child.stderr.on("data", (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill(), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(3_000);
    expect(out).toBe('closed\nexit {"logins":0,"received":0}\n');
  }, 30_000);
});
