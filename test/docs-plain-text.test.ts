/**
 * The portal index's text of an operation (scripts/docs-portal.ts plainText): markdown markup
 * goes, the characters of words stay. `_ * # > |` were all replaced by spaces, so
 * "client_order_id" read "client order id" and no search for it found anything.
 */
import { describe, expect, it } from "vitest";
import { readApis } from "../scripts/api-registry.js";
import { plainText, portalApi, renderMarkdown } from "../scripts/docs-portal.js";
import { diffSpec, formatMarkdown } from "../src/spec-tools/spec-diff.js";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

describe("portal index text", () => {
  it.each([
    ["keyed by market name (e.g. btc_usdt)", "keyed by market name (e.g. btc_usdt)"],
    ["`client_order_id` must be unique", "client_order_id must be unique"],
    ["order_id和client_order_id其中一个有值即可", "order_id和client_order_id其中一个有值即可"],
    ['one "|" row, a */ b, 2*3*4', 'one "|" row, a */ b, 2*3*4'],
    ["# Title\n\n**bold**, *it*, _em_ and __strong__", "Title bold, it, em and strong"],
    ["| a | b |\n|---|:--:|\n| 1 | 2 |", "a b 1 2"],
    ["> quote\n- item\n* item2\n[link](https://example.com)", "quote item item2 link"],
  ])("%j → %j", (md, text) => {
    expect(plainText(md)).toBe(text);
  });

  it("every BHEX and XT operation whose description names client_order_id or btc_usdt keeps the word in its index text", () => {
    let seen = 0;
    for (const api of readApis().filter((a) => a.name === "bhex" || a.name === "xt")) {
      const spec = parseYaml(readFileSync(api.root, "utf8")) as { paths: Record<string, Record<string, { operationId?: string; description?: string }>> };
      const texts = new Map(portalApi(api.name, "openapi", spec).operations.map((o) => [o.operationId, o.text]));
      for (const item of Object.values(spec.paths)) {
        for (const op of Object.values(item)) {
          for (const w of ["client_order_id", "btc_usdt"]) {
            if (op.operationId && op.description?.includes(w)) (seen++, expect(texts.get(op.operationId), op.operationId).toContain(w));
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(5);
  });
});

describe("the portal's changelog pages show spec text as written", () => {
  it("enum values with markdown's special characters (<, ](, **) read as themselves, escaped once", async () => {
    const spec = (values: string[]) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/k": { get: { operationId: "getKLine", parameters: [{ name: "type", in: "query", required: true, schema: { type: "string", enum: values } }], responses: { "200": { description: "ok" } } } } },
    });
    const md = formatMarkdown(await diffSpec("t", spec(["1min"]), spec(["1min", "<1min", "a](b", "**x**"])));
    const html = renderMarkdown(md);
    expect(html).not.toMatch(/<strong>x<\/strong>|&amp;lt;|\\\(|<a /);
    const text = html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    for (const v of ["<1min", "a](b", "**x**"]) expect(text).toContain(`"${v}" added`);
  });
});
