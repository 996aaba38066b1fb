/**
 * What a caller gives as Xele `data` is refused or sent as given, never silently changed: keys
 * every object inherits (`constructor`, `toString`) or an own `__proto__` are unknown fields like
 * any other (they were dropped while the request was completed), and a string holding a lone
 * surrogate is refused (JSON would carry it as `\ud800`, which the counter reads as U+FFFD).
 */
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xele-mgmt.docs.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import type { OperationMeta } from "../../src/handwritten/core/meta.js";
import { prepareData } from "../../src/handwritten/xele/wire-request.js";

const op = (id: string): OperationMeta => meta.operations.find((o) => o.operationId === id)!;

function refusal(id: string, data: unknown): string {
  try {
    prepareData(op(id), data);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${id}: ${JSON.stringify(data)} was taken`);
}

describe("xele data: nothing given is dropped or mangled", () => {
  it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"])("an own key %j is an unknown field, as \"zz\" is", (key) => {
    const data = JSON.parse(`{${JSON.stringify(key)}: "x"}`) as Record<string, unknown>;
    expect(Object.hasOwn(data, key)).toBe(true);
    expect(refusal("getSeatConfigs", data)).toBe(`xele getSeatConfigs: invalid request: unknown field data.${key}`);
    expect(refusal("getSeatConfigs", { zz: "x" })).toBe("xele getSeatConfigs: invalid request: unknown field data.zz");
  });

  it("a string holding a lone surrogate is refused, naming the field and the index", () => {
    expect(refusal("deleteAlarmConfig", { templ: "a\ud800" })).toBe("xele deleteAlarmConfig: invalid request: data.templ holds a lone surrogate (U+D800 at index 1), which no encoding can send");
    // A pair is a character like any other.
    expect(prepareData(op("deleteAlarmConfig"), { templ: "a\ud83d\ude00" })).toContain('"templ":"a😀"');
  });
});
