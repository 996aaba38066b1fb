/**
 * The README's quick start, run as written: the XT emulator started by its `tradeapi mock xt`
 * line (port 0 for 8080), the environment of its `export` line, then each `npx tradeapi …`
 * line in order, each exit 0; the order's id is the one the README shows (above 2^53, every
 * digit), so the getOrder and cancel lines that quote it find the order.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliCaptured, spawnCliMock } from "./helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "..");

/** The shell block that starts the XT emulator. */
function quickStart(): string[] {
  const md = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = [...md.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].map((m) => m[1]!).find((b) => /tradeapi mock xt/.test(b));
  if (!block) throw new Error("README has no shell block starting the XT emulator");
  return block.split("\n");
}

/** Words of a command line as a shell splits them (single quotes; no other quoting in the block). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

describe("README quick start", () => {
  it("runs as written against the emulator it starts", async () => {
    const lines = quickStart();
    const mockLine = lines.find((l) => /^npx tradeapi mock xt\b/.test(l))!;
    expect(mockLine).toMatch(/--port 8080 &/);
    const mock = await spawnCliMock("xt", /listening on (http:\/\/127\.0\.0\.1:\d+)\ncredentials: .*\n/);
    try {
      const exportLine = lines.find((l) => l.startsWith("export "))!;
      const env: NodeJS.ProcessEnv = Object.fromEntries(words(exportLine.replace(/#.*/, "")).slice(1).map((w) => w.split("=", 2) as [string, string]));
      expect(env.XT_BASE_URL).toBe("http://127.0.0.1:8080");
      // The credentials the README exports are the ones the emulator prints.
      expect(mock.banner).toContain(env.XT_ACCESS_KEY);
      expect(mock.banner).toContain(env.XT_SECRET_KEY);
      env.XT_BASE_URL = mock.url;

      const commands = lines.map((l, i) => ({ l, next: lines[i + 1] ?? "" })).filter(({ l }) => /^npx tradeapi (?!mock)/.test(l));
      expect(commands.length).toBeGreaterThanOrEqual(6);
      for (const { l, next } of commands) {
        const argv = words(l.replace(/\s+#.*$/, "")).slice(2);
        const r = await runCliCaptured(argv, env);
        expect({ line: l, code: r.code, stderr: r.stderr }).toEqual({ line: l, code: 0, stderr: "" });
        const count = /# (\d+) operations/.exec(l);
        if (count) expect(r.stdout.trim().split("\n").filter((x) => /^\S/.test(x)).length, l).toBe(Number(count[1]));
        // A comment line under a command shows (part of) what it prints.
        const shown = /^#\s+(\{.*\})/.exec(next);
        if (shown) expect(r.stdout.replace(/\s+/g, ""), l).toContain(shown[1]!.replace(/\s+/g, "").slice(1, -1));
      }
    } finally {
      mock.stop();
    }
  }, 60_000);
});
