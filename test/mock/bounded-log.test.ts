import { describe, expect, it } from "vitest";
import { bindHandlers } from "../../src/mock/bind-handlers.js";
import { BoundedLog } from "../../src/mock/bounded-log.js";
import type { MockRequest } from "../../src/mock/http-mock.js";

describe("BoundedLog (what emulators keep for tests)", () => {
  it("drops the oldest items beyond the count", () => {
    const log = new BoundedLog<number>(3, 1_000);
    for (let i = 1; i <= 5; i++) log.push(i, 1);
    expect(log.items).toEqual([3, 4, 5]);
  });

  it("drops the oldest items beyond the total size, but always keeps the newest", () => {
    const log = new BoundedLog<string>(100, 10);
    log.push("a", 4);
    log.push("b", 4);
    log.push("c", 4);
    expect(log.items).toEqual(["b", "c"]);
    log.push("huge", 50);
    expect(log.items).toEqual(["huge"]);
  });

  it("keeps one array (callers hold a reference to it)", () => {
    const log = new BoundedLog<number>(2, 100);
    const held = log.items;
    log.push(1, 1);
    log.push(2, 1);
    log.push(3, 1);
    expect(held).toEqual([2, 3]);
  });
});

describe("bindHandlers", () => {
  const req = {} as MockRequest;
  const table = {
    ok: (state: { n: number }) => ({ body: state.n }),
    boom: (): never => {
      throw new Error("boom");
    },
  };

  it("binds each handler to the state", () => {
    const state = { n: 1 };
    const bound = bindHandlers(table, state);
    state.n = 2;
    expect(bound.ok!(req)).toEqual({ body: 2 });
    expect(() => bound.boom!(req)).toThrow("boom");
  });

  it("answers what a handler throws with onError, naming the operation", () => {
    const seen: string[] = [];
    const bound = bindHandlers(table, { n: 0 }, (id, e) => {
      seen.push(`${id}: ${(e as Error).message}`);
      return { status: 500, body: "failed" };
    });
    expect(bound.boom!(req)).toEqual({ status: 500, body: "failed" });
    expect(seen).toEqual(["boom: boom"]);
  });
});
