/**
 * The counter's charset: neither the vendor's documents nor the spec name one, so "|" rows are
 * UTF-8 unless the answer's Content-Type says otherwise. GBK bytes without that declaration are
 * a PipeRowsError (problem "encoding"), never cells silently turned into U+FFFD; declared
 * (`charset=GBK`), they decode. Through the client: `call` and `streamRows`.
 */
import { describe, expect, it } from "vitest";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { charsetOf, PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";

const HEAD = "MS,PosiQry,1.0.3,3,1,InvestorId|InvestorName|BoughtPositionSum\n";
const GBK_ZHANGSAN = [0xd5, 0xc5, 0xc8, 0xfd]; // 张三
const body = new Uint8Array([...new TextEncoder().encode(`${HEAD}777001|`), ...GBK_ZHANGSAN, ...new TextEncoder().encode("|2\n")]);

const clientAnswering = (contentType: string, bytes: Uint8Array = body) =>
  createXeleClient({
    maUrl: "http://ma.test",
    msUrl: "http://ms.test",
    username: "u",
    password: "p",
    fetch: async (input) =>
      String(input).includes("/login")
        ? new Response('{"ticket":"t-123456"}', { headers: { "content-type": "application/json" } })
        : new Response(bytes.slice().buffer as ArrayBuffer, { headers: { "content-type": contentType } }),
  });

async function streamed(c: ReturnType<typeof clientAnswering>): Promise<unknown> {
  const rows: unknown[] = [];
  try {
    for await (const row of c.streamRows("getPositions")) rows.push(row.toJSON());
    return rows;
  } catch (e) {
    return e;
  }
}

describe("the charset of \"|\" row answers", () => {
  it("charsetOf reads a Content-Type's charset", () => {
    expect(charsetOf("text/plain; charset=GBK")).toBe("GBK");
    expect(charsetOf('text/plain;charset="gb18030"')).toBe("gb18030");
    expect(charsetOf("text/plain")).toBeUndefined();
    expect(charsetOf(null)).toBeUndefined();
  });

  it.each(["text/plain", "text/plain; charset=utf-8", "application/json"])("GBK bytes sent as %s: a PipeRowsError naming line 2, from call and streamRows", async (ct) => {
    const err = await clientAnswering(ct).call("getPositions").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipeRowsError);
    expect(err).toMatchObject({ problem: "encoding", line: 2 });
    expect((err as Error).message).toMatch(/^xele getPositions: .*not valid UTF-8/);
    const s = await streamed(clientAnswering(ct));
    expect(s).toBeInstanceOf(PipeRowsError);
    expect(s).toMatchObject({ problem: "encoding", line: 2 });
  });

  it.each(["text/plain; charset=GBK", "text/plain; charset=gb18030"])("declared as %s: decoded", async (ct) => {
    const want = [{ InvestorId: "777001", InvestorName: "张三", BoughtPositionSum: "2" }];
    const rows = (await clientAnswering(ct).call("getPositions")) as Array<{ toJSON(): unknown }>;
    expect(rows.map((r) => r.toJSON())).toEqual(want);
    expect(await streamed(clientAnswering(ct))).toEqual(want);
  });

  it("an unknown charset is a PipeRowsError, and UTF-8 answers are unchanged", async () => {
    expect(await clientAnswering("text/plain; charset=x-nonesuch").call("getPositions").catch((e: unknown) => e)).toMatchObject({ problem: "encoding" });
    const utf8 = new TextEncoder().encode(`${HEAD}777001|张三|2\n`);
    const rows = (await clientAnswering("text/plain", utf8).call("getPositions")) as Array<{ toJSON(): unknown }>;
    expect(rows.map((r) => r.toJSON())).toEqual([{ InvestorId: "777001", InvestorName: "张三", BoughtPositionSum: "2" }]);
  });
});
