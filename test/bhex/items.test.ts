import { describe, expect, it } from "vitest";
import { meta } from "../../generated/bhex-org.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import {
  batchItemsSpec,
  decodeBatchItems,
  encodeBatchItems,
  type BhexBatchOperationId,
  type BhexBatchRows,
} from "../../src/handwritten/bhex/items.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { recordingFetch } from "../helpers/recording-fetch.js";
import { exampleResponder, KEYS, SAMPLE_ROWS, verifySignature } from "./helpers.js";

// The seed's own example `items` values, copied verbatim from the parameter tables.
const SEED = {
  transferSimple: "231215678785585152,83214971450163200,BTC,100.5,,,70,101;83214971450163200,231215678785585152,BTC,10.5,true,true,70,102",
  transferJson:
    '[{"source_user_id":"231215678785585152","target_user_id":"83214971450163200","token_id":"BTC","amount":"0.5","business_subject":70,"sub_business_subject":101},{"source_user_id":"83214971450163200","target_user_id":"231215678785585152","token_id":"USDT","amount":"5000","from_source_lock":true,"to_target_lock":true,"business_subject":3}]',
  airDropSimple: "83214971450163200,BTC,0.005,true,101;231215678785585152,USDT,0.5,",
  airDropJson:
    '[{"target_user_id":"83214971450163200","token_id":"BTC","amount":"0.5","to_target_lock":true,"sub_business_subject":101},{"target_user_id":"231215678785585152","token_id":"USDT","amount":"5000"}]',
  lockSimple: "83214971450163200,BTC,0.005,activity lock;231215678785585152,USDT,0.5,",
  lockJson: '[{"user_id":"83214971450163200","token_id":"BTC","amount":"0.5","desc":"acitvity lock"},{"user_id":"231215678785585152","token_id":"USDT","amount":"5000"}]',
  unlockSimple: "83214971450163200,BTC,0.005,release acitvity 0718;231215678785585152,USDT,0.5,",
  unlockJson:
    '[{"user_id":"83214971450163200","token_id":"BTC","amount":"0.5","desc":"release acitvity 0718"},{"user_id":"231215678785585152","token_id":"USDT","amount":"200"}]',
  kycJson: '[{"user_id": 83521968678633472, "first_name": "梁中", "last_name": null, "country_code": "CN", "card_no": "309328439232", "card_type": 3, "verify_status": 2}]',
};

describe("encodeBatchItems reproduces the vendor doc's examples from typed rows", () => {
  it("batch transfer, simple: empty optional booleans keep their commas", () => {
    const rows: Array<BhexBatchRows["financeBatchTransfer"]> = [
      { source_user_id: "231215678785585152", target_user_id: "83214971450163200", token_id: "BTC", amount: "100.5", business_subject: 70, sub_business_subject: 101 },
      {
        source_user_id: "83214971450163200",
        target_user_id: "231215678785585152",
        token_id: "BTC",
        amount: "10.5",
        from_source_lock: true,
        to_target_lock: true,
        business_subject: 70,
        sub_business_subject: 102,
      },
    ];
    expect(encodeBatchItems("financeBatchTransfer", rows, "simple")).toBe(SEED.transferSimple);
  });

  it("air drop, simple: the omittable fifth column is dropped with its comma, the empty fourth keeps it", () => {
    const rows: Array<BhexBatchRows["financeAirDrop"]> = [
      { target_user_id: "83214971450163200", token_id: "BTC", amount: "0.005", to_target_lock: true, sub_business_subject: 101 },
      { target_user_id: "231215678785585152", token_id: "USDT", amount: "0.5" },
    ];
    expect(encodeBatchItems("financeAirDrop", rows, "simple")).toBe(SEED.airDropSimple);
  });

  it.each([
    ["financeBatchLockPosition", SEED.lockSimple, SEED.lockJson],
    ["financeBatchUnlockPosition", SEED.unlockSimple, SEED.unlockJson],
    ["financeAirDrop", SEED.airDropSimple, SEED.airDropJson],
    ["financeBatchTransfer", SEED.transferSimple, SEED.transferJson],
  ] as const)("%s: decode(vendor doc text) then encode gives the vendor doc's text back, both forms", (op, simple, jsonText) => {
    expect(encodeBatchItems(op, decodeBatchItems(op, simple, "simple") as never, "simple")).toBe(simple);
    expect(encodeBatchItems(op, decodeBatchItems(op, jsonText, "json") as never, "json")).toBe(jsonText);
  });

  it("json: rows in, the vendor doc's JSON out (same key order, strings for amounts and ids)", () => {
    const rows: Array<BhexBatchRows["financeAirDrop"]> = [
      { target_user_id: "83214971450163200", token_id: "BTC", amount: "0.5", to_target_lock: true, sub_business_subject: 101 },
      { target_user_id: "231215678785585152", token_id: "USDT", amount: "5000" },
    ];
    expect(encodeBatchItems("financeAirDrop", rows, "json")).toBe(SEED.airDropJson);
  });

  it("batch KYC (json only): a user_id above 2^53 is written with every digit", () => {
    const text = encodeBatchItems("userBatchUpdateUserKycInfo", SAMPLE_ROWS.userBatchUpdateUserKycInfo, "json");
    expect(text).toContain('"user_id":83521968678633472,');
    expect(parseJson(text)).toEqual(parseJson(SEED.kycJson));
    // A string of digits is accepted and written as the same integer.
    const fromString = encodeBatchItems("userBatchUpdateUserKycInfo", [{ ...SAMPLE_ROWS.userBatchUpdateUserKycInfo[0]!, user_id: "9007199254740993" as never }], "json");
    expect(fromString).toContain('"user_id":9007199254740993,');
    expect(decodeBatchItems("userBatchUpdateUserKycInfo", fromString, "json")[0]!.user_id).toBe(9007199254740993n);
  });
});

describe("round trips", () => {
  const roundTrip: Array<{ op: BhexBatchOperationId; rows: unknown[] }> = [
    { op: "financeAirDrop", rows: [{ target_user_id: "1", token_id: "BTC", amount: "0.00000001", to_target_lock: false }, { target_user_id: "2", token_id: "USDT", amount: "5", sub_business_subject: 7 }] },
    { op: "financeBatchLockPosition", rows: [{ user_id: "231215678785585152", token_id: "BTC", amount: "1", desc: "锁仓 for Q3 (spaces and unicode)" }, { user_id: "3", token_id: "AT", amount: "2" }] },
    { op: "financeBatchUnlockPosition", rows: SAMPLE_ROWS.financeBatchUnlockPosition },
    { op: "financeBatchTransfer", rows: [{ source_user_id: "1", target_user_id: "2", token_id: "BTC", amount: "3", from_source_lock: false, to_target_lock: true }] },
  ];
  it.each(roundTrip)("$op: decode(encode(rows)) == rows in both forms", ({ op, rows }) => {
    for (const form of ["simple", "json"] as const) {
      const text = encodeBatchItems(op, rows as never, form);
      expect(decodeBatchItems(op, text, form)).toEqual(rows);
    }
  });

  it("bigint and safe-integer IDs are accepted for string ID columns and written as digits", () => {
    const text = encodeBatchItems("financeAirDrop", [{ target_user_id: 83214971450163200n as never, token_id: "BTC", amount: "1" }, { target_user_id: 42 as never, token_id: "BTC", amount: "1" }], "simple");
    expect(text).toBe("83214971450163200,BTC,1,;42,BTC,1,");
  });

  it("json carries what simple cannot (a comma in desc)", () => {
    const rows = [{ user_id: "1", token_id: "BTC", amount: "1", desc: "lock, then release" }];
    expect(decodeBatchItems("financeBatchLockPosition", encodeBatchItems("financeBatchLockPosition", rows, "json"), "json")).toEqual(rows);
  });
});

describe("refusals name the row and column", () => {
  const lock = (over: Record<string, unknown>) => [{ user_id: "1", token_id: "BTC", amount: "1" }, { user_id: "2", token_id: "BTC", amount: "1", ...over }];
  it.each([
    { why: "a comma in a simple field", op: "financeBatchLockPosition", rows: lock({ desc: "a,b" }), form: "simple", re: /row 2, column "desc": contains the field separator ","/ },
    { why: "a semicolon in a simple field", op: "financeBatchLockPosition", rows: lock({ desc: "a;b" }), form: "simple", re: /row 2, column "desc": contains the row separator ";"/ },
    { why: "a line break in a simple field", op: "financeBatchLockPosition", rows: lock({ desc: "a\nb" }), form: "simple", re: /row 2, column "desc": contains a line break/ },
    { why: "a comma in an amount", op: "financeBatchLockPosition", rows: lock({ amount: "1,000" }), form: "simple", re: /row 2, column "amount"/ },
    { why: "a missing required column", op: "financeBatchLockPosition", rows: lock({ amount: undefined }), form: "json", re: /row 2, column "amount": is required/ },
    { why: "an empty required column", op: "financeBatchLockPosition", rows: lock({ token_id: "" }), form: "simple", re: /row 2, column "token_id": is required/ },
    { why: "an unknown column (typo)", op: "financeBatchLockPosition", rows: lock({ amout: "1" }), form: "json", re: /row 2, column "amout": unknown column/ },
    { why: "a non-numeric user id", op: "financeBatchLockPosition", rows: lock({ user_id: "u-2" }), form: "simple", re: /row 2, column "user_id": "u-2" does not match/ },
    // (its message shows the start of it: the whole text was in it, a message of megabytes)
    { why: "a non-numeric user id of millions of characters", op: "financeBatchLockPosition", rows: lock({ user_id: `${"9".repeat(3_000_000)}x` }), form: "json", re: /row 2, column "user_id": "9{60}…" does not match \^-\?\[0-9\]\+\$$/ },
    { why: "a number id that lost digits", op: "financeAirDrop", rows: [{ target_user_id: 83214971450163200, token_id: "BTC", amount: "1" }], form: "json", re: /row 1, column "target_user_id": must be string/ },
    { why: "a boolean column given text", op: "financeAirDrop", rows: [{ target_user_id: "1", token_id: "BTC", amount: "1", to_target_lock: "yes" }], form: "simple", re: /row 1, column "to_target_lock": must be boolean/ },
    { why: "a value outside the enum", op: "financeBatchTransfer", rows: [{ source_user_id: "1", target_user_id: "2", token_id: "BTC", amount: "1", business_subject: 4 }], form: "simple", re: /column "business_subject": must be one of 3, 70/ },
    { why: "an amount that is no decimal number (as a top-level amount is refused)", op: "financeBatchLockPosition", rows: lock({ amount: "1 BTC" }), form: "json", re: /row 2, column "amount": must be a decimal number, got "1 BTC"/ },
    { why: "a lone surrogate in the json form (JSON would carry it as \\ud800, read as U+FFFD)", op: "financeBatchLockPosition", rows: lock({ desc: "a\ud800" }), form: "json", re: /row 2, column "desc": holds a lone surrogate \(U\+D800 at index 1\)/ },
    { why: "desc longer than 100 characters", op: "financeBatchLockPosition", rows: lock({ desc: "x".repeat(101) }), form: "json", re: /column "desc": longer than 100/ },
    { why: "an unsafe number KYC user_id", op: "userBatchUpdateUserKycInfo", rows: [{ ...SAMPLE_ROWS.userBatchUpdateUserKycInfo[0], user_id: 83521968678633472 }], form: "json", re: /column "user_id": .*not an exact integer/ },
    { why: "the simple form where only json is documented", op: "userBatchUpdateUserKycInfo", rows: SAMPLE_ROWS.userBatchUpdateUserKycInfo, form: "simple", re: /data_type "simple" is not documented.*use json/ },
    { why: "an empty batch", op: "financeAirDrop", rows: [], form: "json", re: /at least one row/ },
    { why: "a row that is not an object", op: "financeAirDrop", rows: ["83214971450163200,BTC,1,"], form: "json", re: /row 1: must be an object/ },
  ] as Array<{ why: string; op: BhexBatchOperationId; rows: unknown[]; form: "simple" | "json"; re: RegExp }>)("$why", ({ op, rows, form, re }) => {
    let err: unknown;
    try {
      encodeBatchItems(op, rows as never, form);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toContain(`bhex ${op}:`);
  });

  it.each([
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
    [-0, "-0"],
    [1.5, "1.5"],
  ])("a number in a text column is shown as written, not as JSON would write it (NaN was \"got null\"): %s", (amount, shown) => {
    expect(() => encodeBatchItems("financeBatchLockPosition", lock({ amount }) as never, "json")).toThrow(
      `bhex financeBatchLockPosition: items row 2, column "amount": must be string, got ${shown}`,
    );
  });

  it.each([
    { text: "1,BTC", re: /row 1: has 2 fields; expected 4/ },
    { text: "1,BTC,1,,extra", re: /row 1: has 5 fields/ },
    { text: "1,BTC,1,;2,BTC", re: /row 2: has 2 fields/ },
  ])("decode refuses a simple row with the wrong field count: $text", ({ text, re }) => {
    expect(() => decodeBatchItems("financeBatchLockPosition", text, "simple")).toThrow(re);
  });

  it("decode refuses bad JSON and non-arrays", () => {
    expect(() => decodeBatchItems("financeAirDrop", "[{", "json")).toThrow(/not valid JSON/);
    expect(() => decodeBatchItems("financeAirDrop", '{"a":1}', "json")).toThrow(/JSON array/);
  });

  it("operations without batch items are refused", () => {
    expect(() => encodeBatchItems("orderCreate" as BhexBatchOperationId, [], "json")).toThrow(/takes no batch items/);
  });
});

describe("the spec drives the encoder", () => {
  it("the five batch operations and only they describe items; BhexBatchRows pairs each with its row schema", () => {
    const withItems = meta.operations.filter((o) => batchItemsSpec(o)).map((o) => o.operationId).sort();
    expect(withItems).toEqual(Object.keys(SAMPLE_ROWS).sort());
    // Every column of a full row type is a property of the op's x-item-schema and vice versa.
    const full: { [K in BhexBatchOperationId]: Required<BhexBatchRows[K]> } = {
      userBatchUpdateUserKycInfo: { user_id: 1, first_name: "a", last_name: "b", country_code: "CN", card_no: "1", card_type: 1, verify_status: 0 },
      financeBatchTransfer: { source_user_id: "1", target_user_id: "2", token_id: "B", amount: "1", from_source_lock: true, to_target_lock: true, business_subject: 3, sub_business_subject: 1 },
      financeAirDrop: { target_user_id: "1", token_id: "B", amount: "1", to_target_lock: true, sub_business_subject: 1 },
      financeBatchLockPosition: { user_id: "1", token_id: "B", amount: "1", desc: "d" },
      financeBatchUnlockPosition: { user_id: "1", token_id: "B", amount: "1", desc: "d" },
    };
    for (const [op, row] of Object.entries(full)) {
      const spec = batchItemsSpec(meta.operations.find((o) => o.operationId === op)!)!;
      expect(Object.keys(row).sort(), op).toEqual(Object.keys(spec.schema.properties).sort());
      if (spec.columns) expect([...spec.columns].sort(), op).toEqual(Object.keys(row).sort());
    }
  });
});

describe("the client encodes typed rows given as items", () => {
  it("financeAirDrop with rows and data_type=simple sends the simple text, signed", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
    await client.call("financeAirDrop", {
      data_type: "simple",
      items: [
        { target_user_id: "83214971450163200", token_id: "BTC", amount: "0.005", to_target_lock: true, sub_business_subject: 101 },
        { target_user_id: "231215678785585152", token_id: "USDT", amount: "0.5" },
      ],
    });
    expect(new URLSearchParams(calls[0]!.body).get("items")).toBe(SEED.airDropSimple);
    expect(verifySignature(calls[0]!)).toBe(true);
    await expect(client.call("financeAirDrop", { data_type: "simple", items: [{ target_user_id: "1", token_id: "B,C", amount: "1" }] })).rejects.toThrow(
      /row 1, column "token_id"/,
    );
    expect(calls).toHaveLength(1);
  });
});

describe("items that are not a list of rows", () => {
  it("one row not in a list says so and names items (it was \"a batch needs at least one row\")", async () => {
    const { fetch, calls } = recordingFetch(() => new Response("{}"));
    const c = createBhexOrgClient({ ...KEYS, fetch, rateLimit: false });
    const call = (items: unknown) => c.call("financeBatchLockPosition" as never, { items, data_type: "json" } as never);
    await expect(call({ user_id: "1", token_id: "BTC", amount: "1" })).rejects.toThrow("financeBatchLockPosition: items must be a list of rows, got an object: put one row in [ ]");
    await expect(call(true)).rejects.toThrow("items must be a list of rows, got a boolean");
    await expect(call([])).rejects.toThrow("a batch needs at least one row");
    expect(calls).toHaveLength(0);
  });
});
