/**
 * The regeneration workflow's checks: package.json's version against CHANGELOG.md, and the
 * README against the generated metadata (operation counts, operations named in prose).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { meta as xtMeta } from "../../generated/xt-spot.docs.js";
import { API_TABLE } from "../../src/cli/registry.js";
import { nextVersion, parseChangelog, versionProblems, writeChangelogSection } from "../../src/spec-tools/changelog.js";

const README = readFileSync("README.md", "utf8");
/** Each API's operations as the CLI lists them (from the generated metadata). */
const OPERATIONS = new Map(await Promise.all(API_TABLE.map(async (e) => [e.name, (await e.load()).operations] as const)));
const operationsOf = (name: string) => {
  const ops = OPERATIONS.get(name);
  if (!ops) throw new Error(`no api ${name}`);
  return ops.map((o) => ({ id: o.operationId, method: o.method }));
};

describe("CHANGELOG.md and the package version", () => {
  it("package.json's version is not behind what CHANGELOG.md requires", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(versionProblems(readFileSync("CHANGELOG.md", "utf8"), pkg.version)).toEqual([]);
  });

  it("has one ## <version> section per version and ### <api> sections of known APIs", () => {
    const text = readFileSync("CHANGELOG.md", "utf8");
    const sections = parseChangelog(text);
    expect(sections.length).toBeGreaterThan(0);
    expect(new Set(sections.map((s) => s.version)).size).toBe(sections.length);
    for (const s of sections) for (const m of s.body.matchAll(/^### (.+)$/gm)) expect(API_TABLE.map((a) => a.name)).toContain(m[1]);
  });

  it("version rule: breaking → minor while 0.x, else patch; a version behind is reported", () => {
    expect(nextVersion("0.1.3", true)).toBe("0.2.0");
    expect(nextVersion("0.1.3", false)).toBe("0.1.4");
    expect(nextVersion("1.2.3", true)).toBe("2.0.0");
    const base = "# Changelog\n\n## 0.1.0\n\n### xt\n\n**Non-breaking**\n\n- API added\n";
    const breaking = writeChangelogSection(base, "0.1.0", "0.1.0", "### xt\n\n**Breaking**\n\n- `withdraw`: operation removed\n", true);
    expect(breaking.version).toBe("0.2.0");
    expect(parseChangelog(breaking.text).map((s) => [s.version, s.breaking])).toEqual([["0.2.0", true], ["0.1.0", false]]);
    expect(versionProblems(breaking.text, "0.1.0")).toEqual(["package.json's version 0.1.0 is behind CHANGELOG.md's 0.2.0: bump it (npm version 0.2.0 --no-git-tag-version)"]);
    expect(versionProblems(breaking.text, "0.2.0")).toEqual([]);
    const patch = writeChangelogSection(base, "0.1.0", "0.1.0", "### xt\n\n**Non-breaking**\n\n- `getOrder`: optional parameter page added\n", false);
    expect(patch.version).toBe("0.1.1");
    // a hand-edited section with a too small version for its breaking changes
    expect(versionProblems(breaking.text.replace("## 0.2.0", "## 0.1.1"), "0.1.1")).toEqual(["CHANGELOG.md: 0.1.1 follows 0.1.0 with breaking changes; it must be at least 0.2.0"]);
    // rewriting the same version replaces its section
    const again = writeChangelogSection(breaking.text, "0.1.0", "0.2.0", "### xt\n\n**Breaking**\n\n- `getOrder`: parameter id removed\n", true);
    expect(parseChangelog(again.text)).toHaveLength(2);
    expect(again.text).toContain("parameter id removed");
    expect(again.text).not.toContain("operation removed");
    // …keeping what a maintainer wrote above its per-API part (library and CLI notes)
    const noted = again.text.replace("## 0.2.0\n\n", "## 0.2.0\n\nLibrary changes:\n- `call()` takes a signal\n\n");
    const rewritten = writeChangelogSection(noted, "0.1.0", "0.2.0", "### xt\n\n**Breaking**\n\n- `getTicker`: operation removed\n", true).text;
    expect(rewritten).toContain("## 0.2.0\n\nLibrary changes:\n- `call()` takes a signal\n\n### xt\n\n**Breaking**\n\n- `getTicker`: operation removed\n");
    expect(rewritten).not.toContain("parameter id removed");
    expect(parseChangelog(rewritten)).toHaveLength(2);
    // A run after the release's changes changed what version they need: its one section is
    // renamed and rewritten (notes kept), not a second section stacked above the first.
    const fewer = writeChangelogSection(noted, "0.1.0", "0.1.0", "### xt\n\n**Non-breaking**\n\n- `getOrder`: optional parameter page added\n", false);
    expect(fewer.version).toBe("0.1.1");
    expect(parseChangelog(fewer.text).map((x) => x.version)).toEqual(["0.1.1", "0.1.0"]);
    expect(fewer.text).toContain("## 0.1.1\n\nLibrary changes:\n- `call()` takes a signal\n\n### xt\n\n**Non-breaking**\n\n- `getOrder`: optional parameter page added\n");
    expect(fewer.text).not.toContain("parameter id removed");
    expect(versionProblems(fewer.text, "0.2.0")).toEqual([]);
    const more = writeChangelogSection(fewer.text, "0.1.0", "0.1.1", "### xt\n\n**Breaking**\n\n- `getTicker`: operation removed\n", true);
    expect(parseChangelog(more.text).map((x) => x.version)).toEqual(["0.2.0", "0.1.0"]);
  });
});

describe("README against the generated metadata", () => {
  it("the API table's operation counts", () => {
    const rows = [...README.matchAll(/^\|[^|\n]*\| `([\w-]+)` \|[^\n]*?\| (\d+) ops\b/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const [, api, count] of rows) expect(`${api}: ${count} ops`).toBe(`${api}: ${operationsOf(api!).length} ops`);
  });

  it("every other operation count the README states (e.g. a command's comment)", () => {
    const counts = [...README.matchAll(/tradeapi list ([\w-]+)\s+#\s*(\d+) operations/g)];
    expect(counts.length).toBeGreaterThan(0);
    for (const [, api, count] of counts) expect(`${api}: ${count} operations`).toBe(`${api}: ${operationsOf(api!).length} operations`);
    const unchecked = [...README.matchAll(/\b\d+ (?:ops|operations)\b/g)].length - counts.length - [...README.matchAll(/^\|[^|\n]*\| `([\w-]+)` \|[^\n]*?\| (\d+) ops\b/gm)].length;
    expect(unchecked, "an operation count in the README that no test compares with the metadata").toBe(0);
  });

  it("operations named in commands and code examples exist", () => {
    const named: Array<[string, string]> = [];
    for (const m of README.matchAll(/tradeapi call ([\w-]+) ([A-Za-z]\w*)/g)) named.push([m[1]!, m[2]!]);
    const clientVar: Record<string, string> = { xt: "xt", bhex: "bhex", xele: "xele" };
    for (const [v, api] of Object.entries(clientVar)) {
      for (const m of README.matchAll(new RegExp(`\\b${v}\\.(?:call|callWithKey|paginate|streamRows)\\("(\\w+)"`, "g"))) named.push([api, m[1]!]);
    }
    for (const m of README.matchAll(/encodeBatchItems\("(\w+)"/g)) named.push(["bhex", m[1]!]);
    expect(named.length).toBeGreaterThan(8);
    for (const [api, op] of named) expect(operationsOf(api).map((o) => o.id), `${api} ${op}`).toContain(op);
  });

  it("prose examples of a state-changing GET (README and docs/) name one", () => {
    const texts = [README, ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => readFileSync(join("docs", f), "utf8"))];
    const named = texts.flatMap((t) => [...t.matchAll(/XT(?:'s)? `(\w+)` is a GET/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThanOrEqual(2);
    for (const id of named) expect(xtMeta.operations.find((o) => o.operationId === id), id).toMatchObject({ method: "GET", retryable: false });
  });
});
