/**
 * Every operation's `call()` result is its exact type, enveloped or not (issue: results typed
 * `unknown`). Checked by the compiler (`npm test` typechecks test/): an operation whose result
 * is `unknown` or `any` makes the union below non-empty and the file fails to compile, naming it.
 * The runtime part proves the two envelope-only answers really resolve to `undefined`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { BhexData, BhexOperationId } from "../../src/handwritten/bhex/client.js";
import type { HubiData, HubiOperationId } from "../../src/handwritten/hubi/client.js";
import type { XeleOperationId, XeleResult } from "../../src/handwritten/xele/client.js";
import { createXtClient, type XtData, type XtOperationId } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

type IsLoose<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;
type LooseXt = { [K in XtOperationId]: IsLoose<XtData<K>> extends true ? K : never }[XtOperationId];
type LooseBhex = { [K in BhexOperationId]: IsLoose<BhexData<K>> extends true ? K : never }[BhexOperationId];
type LooseHubi = { [K in HubiOperationId]: IsLoose<HubiData<K>> extends true ? K : never }[HubiOperationId];
type LooseXele = { [K in XeleOperationId]: IsLoose<XeleResult<K>> extends true ? K : never }[XeleOperationId];

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock();
});
afterAll(() => mock.close());

describe("call() result types", () => {
  it("no operation of XT, BHEX, Hubi or Xele resolves to unknown or any", () => {
    expectTypeOf<LooseXt>().toEqualTypeOf<never>();
    expectTypeOf<LooseBhex>().toEqualTypeOf<never>();
    expectTypeOf<LooseHubi>().toEqualTypeOf<never>();
    expectTypeOf<LooseXele>().toEqualTypeOf<never>();
  });

  it("XT transfer and cancel answer an envelope without data: typed and resolved as undefined", async () => {
    expectTypeOf<XtData<"transfer">>().toEqualTypeOf<undefined>();
    expectTypeOf<XtData<"cancel">>().toEqualTypeOf<undefined>();
    const xt = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false });
    const placed = await xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 });
    expect(await xt.call("cancel", { market: "btc_usdt", id: placed.id })).toBeUndefined();
    expect(await xt.call("transfer", { from: 1, to: 2, amount: 1, coin: "usdt", safePwd: "pw" })).toBeUndefined();
  });
});

describe("a wrong operation id", () => {
  it("is named by the compiler's message for every API (not 'Expected 1 arguments, but got 2')", () => {
    const root = resolve(import.meta.dirname, "../..");
    mkdirSync(join(root, ".tmp"), { recursive: true });
    const dir = mkdtempSync(join(root, ".tmp", "op-id-"));
    try {
      const file = join(dir, "wrong-ids.ts");
      const src = (p: string) => JSON.stringify(`../../src/handwritten/${p}/index.js`);
      writeFileSync(
        file,
        `import { createXeleClient } from ${src("xele")};
import { createXtClient } from ${src("xt")};
import { createBhexOrgClient } from ${src("bhex")};
import { createHubiClient } from ${src("hubi")};
export async function f() {
  await createXeleClient({ username: "u", password: "p" }).call("noSuchXeleOp", {});
  await createXeleClient({ username: "u", password: "p" }).call("noSuchXeleOpBare");
  await createXtClient({ accessKey: "a", secretKey: "s" }).call("noSuchXtOp", {});
  await createBhexOrgClient({ accessKey: "a", secretKey: "s" }).call("noSuchBhexOp", {});
  await createHubiClient({ accessKey: "a", secretKey: "s", accessToken: "t" }).call("noSuchHubiOp", {});
}
`,
      );
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ["node"],
      });
      const messages = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === file)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(messages).toHaveLength(5);
      for (const id of ["noSuchXeleOp", "noSuchXeleOpBare", "noSuchXtOp", "noSuchBhexOp", "noSuchHubiOp"]) {
        const m = messages.find((x) => x.includes(`"${id}"`));
        expect(m, id).toMatch(/is not assignable to parameter of type/);
      }
      expect(messages.join("\n")).not.toMatch(/Expected \d+ arguments/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
