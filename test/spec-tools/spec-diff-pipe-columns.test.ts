/**
 * Xele's `x-pipe-rows.columns` compared by name (they were compared by place: a column inserted
 * mid-row read as ten renames): each column added, removed, moved or retyped is one line, its
 * kind by how the rows are read (a header line names the columns; without one, by position).
 * `x-pipe-columns` documents a row kind (docs/spec-conventions.md): docs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/api-registry.js";
import { diffSpec } from "../../src/spec-tools/spec-diff.js";
import { parseSpecText } from "../../src/spec-tools/spec-model.js";

type Doc = Record<string, any>;
const xele = (): Doc => parseSpecText(readFileSync(join(ROOT, "specs/openapi/xele-mgmt.yaml"), "utf8"), "xele-mgmt.yaml") as Doc;
const rowsOf = (d: Doc, path: string) => d.paths[path].get.responses["200"]["x-pipe-rows"];
const POSITIONS = "/api/trade/position/info"; // header: true
const RATES = "/api/trade/investor/rates"; // header: false

async function lines(edit: (d: Doc) => void): Promise<string[]> {
  const before = xele();
  const after = xele();
  edit(after);
  return (await diffSpec("xele", before, after)).map((c) => `${c.kind} ${c.operation ?? ""}: ${c.message}`);
}

describe("x-pipe-rows columns by name", () => {
  it("a column inserted mid-row (rows with a header line): one non-breaking line naming its place", async () => {
    expect(await lines((d) => rowsOf(d, POSITIONS).columns.splice(3, 0, { name: "FrozenMargin", type: "decimal", description: "冻结保证金" }))).toEqual([
      'non-breaking getPositions: pipe rows column "FrozenMargin" added at position 4 (after "InstrumentId"; the header line names the columns)',
    ]);
  });

  it("a column inserted mid-row without a header line: one breaking line (cells are read by position)", async () => {
    expect(await lines((d) => rowsOf(d, RATES).columns.splice(2, 0, { name: "Extra", type: "string" }))).toEqual([
      'breaking getInvestorRates: pipe rows column "Extra" added at position 3 (after "InstrumentId"; rows without a header line are read by position)',
    ]);
  });

  it("a column removed, moved, retyped: one line each", async () => {
    expect(await lines((d) => rowsOf(d, RATES).columns.splice(1, 1))).toEqual(['breaking getInvestorRates: pipe rows column "InstrumentId" removed (was at position 2)']);
    expect(
      await lines((d) => {
        const cols = rowsOf(d, POSITIONS).columns;
        cols.push(cols.splice(0, 1)[0]);
      }),
    ).toEqual(['non-breaking getPositions: pipe rows column "InvestorId" moved from position 1 to 18 (the header line names the columns)']);
    expect(await lines((d) => (rowsOf(d, RATES).columns[10].type = "decimal"))).toEqual([expect.stringMatching(/^breaking getInvestorRates: pipe rows column "VolumeMultiple" type "int" → "decimal"$/)]);
    expect(await lines((d) => (rowsOf(d, POSITIONS).columns[5].description = "昨买仓 (yesterday)"))).toEqual([expect.stringMatching(/^docs getPositions: pipe rows column "OldBoughtPosition" description /)]);
  });

  it("x-pipe-columns (documentation only) is a docs change", async () => {
    const changes = await lines((d) => {
      const schema = Object.values(d.components.schemas as Record<string, Doc>).find((s) => Array.isArray(s["x-pipe-columns"]) && s["x-pipe-columns"].length === 4)!;
      schema["x-pipe-columns"] = [...schema["x-pipe-columns"]].reverse();
    });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.startsWith("docs "))).toBe(true);
  });
});
