import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuthError, TradeApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { rejection } from "../helpers/rejection.js";
import { decodeClientSystemExport, saveClientSystemExport } from "../../src/handwritten/xele/export.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";

describe("client-system export", () => {
  it.each([
    { name: "raw text", answer: "clientinfo20220412.txt\n777001|a\n777002|b, \"c\"\n" },
    { name: "CRLF text", answer: "clientinfo20220412.txt\r\n777001|a\r\n777002|b, \"c\"\r\n" },
    { name: "envelope", answer: { code: 0, msg: "成功", result: "clientinfo20220412.txt\n777001|a\n777002|b, \"c\"" } },
  ])("$name → file name and verbatim lines", ({ answer }) => {
    expect(decodeClientSystemExport(answer)).toEqual({ fileName: "clientinfo20220412.txt", lines: ["777001|a", '777002|b, "c"'] });
  });

  it("an empty answer means nothing found; an error envelope is the ApiError", () => {
    expect(decodeClientSystemExport("")).toEqual({ fileName: null, lines: [] });
    expect(decodeClientSystemExport({ code: 0, msg: "成功" })).toEqual({ fileName: null, lines: [] });
    expect(() => decodeClientSystemExport({ code: 109, msg: "无效token" })).toThrow(AuthError);
  });

  it.each(["../etc/passwd", "/tmp/x.txt", "a\\b.txt", "C:evil.txt", ".."])("refuses the file name %j (never writes outside the directory)", (name) => {
    expect(() => decodeClientSystemExport(`${name}\nline`)).toThrow(PipeRowsError);
  });

  it.each([
    [".bashrc", "starts with a dot"],
    [".ssh", "starts with a dot"],
    ["report\u001b]0;x\u0007.txt", "control character"],
    ["a\u0085b.txt", "control character"],
    ["report\u202etxt.exe", "bidirectional override"],
    ["a\u2066b.txt", "bidirectional override"],
    ["a\u200fb.txt", "bidirectional override"],
    ["NUL", "Windows"],
    ["com1.txt", "Windows"],
    ["report.txt.", "Windows"],
    ["report.txt:hidden", "Windows"],
    ['a"b.txt', "Windows"],
    ["a|b.txt", "Windows"],
    ["a?.txt", "Windows"],
    ["x".repeat(252) + ".txt", "longer than 255 bytes"],
    ["报".repeat(86), "longer than 255 bytes"],
  ])("refuses the hostile file name %j (%s)", (name, why) => {
    expect(() => decodeClientSystemExport(`${name}\nline`)).toThrow(PipeRowsError);
    expect(() => decodeClientSystemExport(`${name}\nline`)).toThrow(why);
  });

  it("writes a file name of 255 bytes, the most a file system takes (the partial file beside it has a short name of its own)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xele-export-long-"));
    try {
      for (const fileName of ["e".repeat(251) + ".txt", "报".repeat(85)]) {
        expect(Buffer.byteLength(fileName)).toBe(255);
        await expect(saveClientSystemExport({ fileName, lines: ["a|1"] }, dir)).resolves.toBe(join(dir, fileName));
        expect(await readFile(join(dir, fileName), "utf8")).toBe("a|1\n");
      }
      expect((await readdir(dir)).sort()).toEqual(["e".repeat(251) + ".txt", "报".repeat(85)].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps a file that is already there (UsageError, nothing written) unless overwrite; other write failures are typed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xele-export-unit-"));
    try {
      const exported = { fileName: "clientinfo.txt", lines: ["new|1"] };
      await writeFile(join(dir, "clientinfo.txt"), "mine\n");
      const kept = await rejection(saveClientSystemExport(exported, dir));
      expect(kept).toBeInstanceOf(UsageError);
      expect(kept.message).toContain(`${join(dir, "clientinfo.txt")} already exists: it was kept and nothing was written (pass overwrite: true to replace it)`);
      expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe("mine\n");
      await expect(saveClientSystemExport(exported, dir, { overwrite: true })).resolves.toBe(join(dir, "clientinfo.txt"));
      expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe("new|1\n");
      // A file where a directory should be: a UsageError naming it, before anything is written.
      await writeFile(join(dir, "plainfile"), "");
      const failed = await rejection(saveClientSystemExport(exported, join(dir, "plainfile", "sub")));
      expect(failed).toBeInstanceOf(UsageError);
      expect(failed.message).toBe(`xele exportClientSystemInfo: cannot write into ${join(dir, "plainfile", "sub")}: a part of the path is a file, not a directory`);
      // The directory itself a file: not "already exists" (overwrite would not help), with or without overwrite.
      for (const overwrite of [false, true]) {
        const itself = await rejection(saveClientSystemExport(exported, join(dir, "plainfile"), { overwrite }));
        expect(itself).toBeInstanceOf(UsageError);
        expect(itself.message).toBe(`xele exportClientSystemInfo: cannot write into ${join(dir, "plainfile")}: a part of the path is a file, not a directory`);
      }
      expect(await readFile(join(dir, "plainfile"), "utf8")).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(existsSync("/proc/self"))("a directory procfs cannot hold is a typed error at once (recursive mkdir spun there forever)", async () => {
    const started = performance.now();
    const e = await rejection(saveClientSystemExport({ fileName: "clientinfo.txt", lines: ["a|1"] }, "/proc/no-such-tradeapi-dir/exports"));
    expect(e).toBeInstanceOf(TradeApiError);
    expect(e.message).toMatch(/^xele exportClientSystemInfo: could not write \/proc\/no-such-tradeapi-dir \(ENOENT\)/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("saves one record per line; an empty export writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xele-export-unit-"));
    try {
      const path = await saveClientSystemExport({ fileName: "clientinfo20220412.txt", lines: ["a|1", "张三|2"] }, join(dir, "sub"));
      expect(path).toBe(join(dir, "sub", "clientinfo20220412.txt"));
      expect(await readFile(path!, "utf8")).toBe("a|1\n张三|2\n");
      expect(await saveClientSystemExport({ fileName: null, lines: [] }, dir)).toBeNull();
      expect(await readdir(dir)).toEqual(["sub"]);
      await expect(saveClientSystemExport({ fileName: "../x", lines: [] }, dir)).rejects.toThrow(PipeRowsError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("saveClientSystemExport: a JavaScript caller's wrong argument", () => {
  it.each([
    [[null, "/tmp"], "the export must be what decodeClientSystemExport gives"],
    [[{ fileName: "a.txt" }, "/tmp"], "the export must be what decodeClientSystemExport gives"],
    [[{ fileName: 5, lines: [] }, "/tmp"], "the export must be what decodeClientSystemExport gives"],
    [[{ fileName: "a.txt", lines: [] }, undefined], "the directory must be a path, got undefined"],
    [[{ fileName: "a.txt", lines: [] }, ""], 'the directory must be a path, got ""'],
    [[{ fileName: "a.txt", lines: [] }, "/tmp", null], "the save options must be an object of options, got null"],
    [[{ fileName: "a.txt", lines: [] }, "/tmp", { overwrite: "yes" }], 'overwrite must be true or false, got "yes"'],
    [[{ fileName: "a.txt", lines: [] }, "/tmp", { overwite: true }], '"overwite" is not an option (did you mean "overwrite"?)'],
  ])("%o is a UsageError naming it, nothing written (was a TypeError from join() or a read of null)", async (args, message) => {
    const e = await (saveClientSystemExport as (...a: unknown[]) => Promise<unknown>)(...(args as unknown[])).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain(message);
    expect((e as Error).message).toMatch(/^xele saveClientSystemExport: /);
  });
});
