/**
 * The Xele emulator's fixed "|" rows (positions, rates, order history, alarm records) are cells
 * by position, labelled by the spec's x-pipe-rows columns: a column the spec inserts would shift
 * every cell after it. A row whose cell count is not the spec's column count is an error naming
 * the operation and both counts, when the emulator is built and when it answers; never padded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import type { PipeColumn } from "../../src/handwritten/xele/pipe-rows.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";

const layoutOf = (id: string) => meta.operations.find((o) => o.operationId === id)!.responses["200"]!.pipeRows! as { columns: PipeColumn[] };
const restore: Array<() => void> = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

/** The spec's columns of `id` with one more inserted after the third (as a vendor doc update would). */
function insertColumn(id: string): number {
  const layout = layoutOf(id);
  const saved = layout.columns;
  layout.columns = [...saved.slice(0, 3), { name: "NewColumn", type: "string" } as PipeColumn, ...saved.slice(3)];
  restore.push(() => void (layout.columns = saved));
  return saved.length;
}

describe("xele emulator: fixed rows must fit the spec's columns", () => {
  it("the project's rows fit: the emulator starts and answers positions", async () => {
    const mock = await startXeleMock();
    try {
      const client = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
      expect((await client.call("getPositions", {})).length).toBe(3);
    } finally {
      await mock.close();
    }
  });

  it.each(["getPositions", "getInvestorRates", "getOrderHistory", "getAlarmRecords"])("%s: a column inserted in the spec, the emulator refuses to start, naming the operation and both counts", async (id) => {
    const n = insertColumn(id);
    await expect(startXeleMock()).rejects.toThrow(new RegExp(`^Xele emulator: ${id}: (fixed row 1 has ${n} cells, the spec's x-pipe-rows has ${n + 1} columns|its header names ${n} columns, the spec's x-pipe-rows has ${n + 1})`));
  });

  it("an emulator already running refuses to answer shifted rows (the answer is an error naming the counts)", async () => {
    const mock = await startXeleMock();
    try {
      const n = insertColumn("getPositions");
      const client = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: { maxAttempts: 1 } });
      await expect(client.call("getPositions", {})).rejects.toThrow(`emulator error: Xele emulator: getPositions: fixed row 1 has ${n} cells, the spec's x-pipe-rows has ${n + 1} columns`);
    } finally {
      await mock.close();
    }
  });
});
