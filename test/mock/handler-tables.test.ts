/**
 * The emulators' handler tables are keyed by the spec's operationIds (the generated
 * `operations` types): when a vendor drops an operation and the spec follows, the compiler
 * points at the emulator's handler for it, as it does at every stale typed call. These
 * `@ts-expect-error` lines are checked by `tsc -p tsconfig.json` (npm test runs it).
 */
import { describe, expect, it } from "vitest";
import type { BhexHandlerTable } from "../../src/mock/bhex/handlers.js";
import { opById as bhexOp } from "../../src/mock/bhex/replies.js";
import type { HubiHandlerTable } from "../../src/mock/hubi/handlers.js";
import type { XeleHandlerTable } from "../../src/mock/xele/handlers.js";
import { opById as xeleOp } from "../../src/mock/xele/replies.js";
import type { XtHandlerTable } from "../../src/mock/xt/handlers.js";
import { opById as xtOp } from "../../src/mock/xt/state.js";

const reply = () => ({ body: {} });

describe("handler tables name only operations the spec has", () => {
  it("a handler or an example lookup for an operation the spec does not have does not compile", () => {
    // @ts-expect-error no operation withdrawAll in the XT spec
    const xt: XtHandlerTable = { getBalance: reply, withdrawAll: reply };
    // @ts-expect-error no operation queryTrades in the Hubi spec
    const hubi: HubiHandlerTable = { queryAccounts: reply, queryTrades: reply };
    // @ts-expect-error no operation orderReplace in the BHEX spec
    const bhex: BhexHandlerTable = { basicTime: reply, orderReplace: reply };
    // @ts-expect-error no operation getMargins in the Xele spec
    const xele: XeleHandlerTable = { getPositions: reply, getMargins: reply };
    // @ts-expect-error no operation myTrades in the XT spec
    expect(() => xtOp("myTrades")).toThrow(/no operation myTrades/);
    // @ts-expect-error no operation orderReplace in the BHEX spec
    expect(() => bhexOp("orderReplace")).toThrow(/orderReplace/);
    // @ts-expect-error no operation getMargins in the Xele spec
    expect(() => xeleOp("getMargins")).toThrow(/getMargins/);
    expect([xt, hubi, bhex, xele].every((t) => typeof t === "object")).toBe(true);
    expect(xtOp("getBalance").operationId).toBe("getBalance");
  });
});
