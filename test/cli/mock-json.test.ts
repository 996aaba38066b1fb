/**
 * `tradeapi mock <api> --json`: one JSON line a script can read (no banner to scrape), whose
 * `env` is everything the client side needs: a `tradeapi call` with only those variables succeeds.
 */
import { describe, expect, it } from "vitest";
import { API_TABLE } from "../../src/cli/registry.js";
import { runCliCaptured } from "../helpers/cli.js";

/** A read each emulator answers with its own credentials (the argv after `call <api>`). */
const FIRST_CALL: Record<string, string[]> = {
  xt: ["getBalance"],
  hubi: ["queryAccounts"],
  bhex: ["statisticsLockRecord", "user_id=217235926081077248"],
  xele: ["queryOrders", 'investor_id=["777001"]'],
  "quant-ws": ["asset"],
};

describe("mock --json", () => {
  it("covers every API of the registry", () => {
    expect(Object.keys(FIRST_CALL).sort()).toEqual(API_TABLE.map((a) => a.name).sort());
  });

  it.each(API_TABLE.map((a) => a.name))("mock %s --json prints one line whose env is enough for a call", async (api) => {
    let line!: (text: string) => void;
    const printed = new Promise<string>((r) => (line = r));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let stdout = "";
    const running = runCliCaptured(["mock", api, "--port", "0", "--json"], {}, {
      stdout: (t) => {
        stdout += t;
        if (stdout.endsWith("\n")) line(stdout);
      },
      untilStopped: () => stopped,
    });
    try {
      const text = await Promise.race([printed, running.then((r) => Promise.reject(new Error(`mock ${api} exited ${r.code}: ${r.stderr}`)))]);
      expect(text.split("\n")).toHaveLength(2);
      const ready = JSON.parse(text) as { api: string; urls: Record<string, string>; env: Record<string, string> };
      expect(ready.api).toBe(api);
      for (const url of Object.values(ready.urls)) expect(url).toMatch(/^(http|ws):\/\/127\.0\.0\.1:\d+(\/\S*)?$/);
      // Every variable the env names is the API's; the URLs are among them.
      const names = API_TABLE.find((a) => a.name === api)!.env.map((v) => v.name);
      for (const name of Object.keys(ready.env)) expect(names).toContain(name);
      for (const url of Object.values(ready.urls)) expect(Object.values(ready.env)).toContain(url);
      const call = await runCliCaptured(["call", api, ...FIRST_CALL[api]!], ready.env);
      expect(call.stderr).toBe("");
      expect(call.code).toBe(0);
    } finally {
      stop();
      expect((await running).code).toBe(0);
    }
  });
});
