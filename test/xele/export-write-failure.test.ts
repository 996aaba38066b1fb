/**
 * saveClientSystemExport when the file system fails partway. The failures are made by
 * wrapping node:fs/promises `writeFile` for the export module only: a full disk cuts the
 * write of the records after half of them (ENOSPC), and a directory that refuses new files
 * (EACCES) refuses the partial file. The real file system holds the result.
 */
import { mkdtemp, readdir, readFile, rm, writeFile as realWriteFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import { rejection } from "../helpers/rejection.js";

const failure = vi.hoisted(() => ({ partial: undefined as undefined | "ENOSPC" | "EACCES" }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const writeFile: typeof fs.writeFile = async (file, data, options) => {
    if (failure.partial && typeof file === "string" && file.endsWith(".partial")) {
      const error = Object.assign(new Error(`${failure.partial}: simulated`), { code: failure.partial });
      if (failure.partial === "EACCES") throw error;
      // A full disk: half the records reach the file, then the write fails.
      await fs.writeFile(file, String(data).slice(0, Math.floor(String(data).length / 2)), options);
      throw error;
    }
    return fs.writeFile(file, data, options);
  };
  return { ...fs, writeFile, default: { ...fs, writeFile } };
});

const { saveClientSystemExport } = await import("../../src/handwritten/xele/export.js");

const exported = { fileName: "clientinfo.txt", lines: Array.from({ length: 100 }, (_, i) => `77700${i}|record ${i}`) };
const whole = `${exported.lines.join("\n")}\n`;

let dir = "";
afterEach(async () => {
  failure.partial = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("client-system export: a write that fails partway", () => {
  it("with overwrite, a full disk leaves the file that was there whole, and no partial file", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    await realWriteFile(join(dir, "clientinfo.txt"), "yesterday's export\n");
    failure.partial = "ENOSPC";
    const e = await rejection(saveClientSystemExport(exported, dir, { overwrite: true }));
    expect(e).toBeInstanceOf(TradeApiError);
    expect(e.message).toBe(`xele exportClientSystemInfo: could not write the export to ${join(dir, "clientinfo.txt")} (ENOSPC)`);
    expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe("yesterday's export\n");
    expect(await readdir(dir)).toEqual(["clientinfo.txt"]);
  });

  it("without overwrite, a full disk leaves no file at all (the name it took is given back)", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    failure.partial = "ENOSPC";
    const e = await rejection(saveClientSystemExport(exported, dir));
    expect(e.message).toMatch(/\(ENOSPC\)$/);
    expect(await readdir(dir)).toEqual([]);
    // And once the disk has room, the same call writes it whole.
    failure.partial = undefined;
    await expect(saveClientSystemExport(exported, dir)).resolves.toBe(join(dir, "clientinfo.txt"));
    expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe(whole);
    expect(await readdir(dir)).toEqual(["clientinfo.txt"]);
  });

  it("a full disk leaves none of the directories made for the file (one that was there stays)", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    failure.partial = "ENOSPC";
    for (const overwrite of [false, true]) {
      const e = await rejection(saveClientSystemExport(exported, join(dir, "exports", "2026", "12"), { overwrite }));
      expect(e.message).toMatch(/\(ENOSPC\)$/);
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it("with overwrite, a directory that refuses new files gets the file written in place", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    await realWriteFile(join(dir, "clientinfo.txt"), "yesterday's export\n");
    failure.partial = "EACCES";
    await expect(saveClientSystemExport(exported, dir, { overwrite: true })).resolves.toBe(join(dir, "clientinfo.txt"));
    expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe(whole);
    expect(await readdir(dir)).toEqual(["clientinfo.txt"]);
  });

  it("without overwrite, a refused partial file is an error and leaves nothing", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    failure.partial = "EACCES";
    const e = await rejection(saveClientSystemExport(exported, dir));
    expect(e.message).toMatch(/could not write the export to .*clientinfo\.txt \(EACCES\)$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a whole write leaves only the file (no partial beside it)", async () => {
    dir = await mkdtemp(join(tmpdir(), "xele-export-fail-"));
    await expect(saveClientSystemExport(exported, dir)).resolves.toBe(join(dir, "clientinfo.txt"));
    await realWriteFile(join(dir, "other.txt"), "");
    await expect(saveClientSystemExport(exported, dir, { overwrite: true })).resolves.toBe(join(dir, "clientinfo.txt"));
    expect((await readdir(dir)).sort()).toEqual(["clientinfo.txt", "other.txt"]);
    expect(await readFile(join(dir, "clientinfo.txt"), "utf8")).toBe(whole);
  });
});
