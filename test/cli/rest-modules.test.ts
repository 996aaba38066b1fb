/**
 * The REST APIs' CLI modules are data for `restCliApi` (client factory, emulator module, first
 * call): the wiring that turns that data into `call` and `mock` is shared, so prove it per API
 * end to end — the emulator's hint is a command that works against it, and API flags reach the
 * client (BHEX `--all-as-post`).
 */
import { describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { runCliCaptured } from "../helpers/cli.js";

/** Run `mock <api>` in-process until `stop()`; its stdout and stderr (request log) as they come. */
function runMock(api: string) {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const out = { stdout: "", stderr: "" };
  const done = runCli(["mock", api, "--port", "0"], {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    env: {},
    untilStopped: () => stopped,
  });
  return { out, done, stop };
}

/** The hint's `try:` line as environment and argv. */
async function firstCommand(out: { stdout: string }): Promise<{ env: Record<string, string>; argv: string[] }> {
  await vi.waitFor(() => expect(out.stdout).toMatch(/^try: /m), { timeout: 10_000 });
  const line = /^try: (.*)$/m.exec(out.stdout)![1]!;
  const [assignments, command] = line.split(" npx tradeapi ");
  const env = Object.fromEntries(assignments!.split(" ").map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
  return { env, argv: command!.split(" ") };
}

describe("REST CLI modules as restCliApi data", () => {
  it.each(["xt", "hubi", "bhex"])("mock %s: the first command its hint prints succeeds against it, signed with the credentials it names", async (api) => {
    const mock = runMock(api);
    try {
      const { env, argv } = await firstCommand(mock.out);
      expect(Object.keys(env).some((k) => /SECRET_KEY$/.test(k))).toBe(true);
      const r = await runCliCaptured(argv, env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(() => r.json()).not.toThrow();
      // A wrong secret is refused by the same emulator: the call above really was signed.
      const bad = await runCliCaptured(argv, Object.fromEntries(Object.entries(env).map(([k, v]) => [k, /SECRET_KEY$/.test(k) ? `${v}x` : v])));
      expect(bad.code).toBe(1);
    } finally {
      mock.stop();
    }
    expect(await mock.done).toBe(0);
  });

  it("bhex --all-as-post reaches the client: a documented GET goes out as a form POST", async () => {
    const mock = runMock("bhex");
    try {
      const { env, argv } = await firstCommand(mock.out);
      const before = mock.out.stderr.length;
      expect((await runCliCaptured(argv, env)).code).toBe(0);
      expect(mock.out.stderr.slice(before)).toMatch(/^GET /m);
      const after = mock.out.stderr.length;
      expect((await runCliCaptured([...argv, "--all-as-post"], env)).code).toBe(0);
      expect(mock.out.stderr.slice(after)).toMatch(/^POST /m);
      expect(mock.out.stderr.slice(after)).not.toMatch(/^GET /m);
    } finally {
      mock.stop();
    }
    expect(await mock.done).toBe(0);
  });
});
