/**
 * The vendor's Chinese marked `lang="zh"` in the docs (scripts/docs-lang.ts): in every spec's
 * descriptions as the pages are rendered from them, the markdown renders to the same HTML as
 * before once the spans are taken out (nothing else moved: code, links, emphasis, tables), and
 * nearly all of the Chinese a reader sees is inside a span. The browser test checks that the
 * pages keep the spans as elements (test/docs-browser.test.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { bundledSpec } from "../scripts/build-docs.js";
import { zhHtml, zhMarkdown } from "../scripts/docs-lang.js";

const SPAN = /<span lang="zh">([^<]*)<\/span>/g;
const unmarked = (s: string) => s.replace(SPAN, "$1");
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]/g;
// marked 4.3.0: the markdown renderer of the AsyncAPI view (its package has no types).
const { marked } = createRequire(import.meta.url)("marked") as { marked: { parse(md: string): string } };
const render = (md: string) => marked.parse(md);

describe("zhMarkdown", () => {
  it("marks runs of Chinese, with the digits, spaces and punctuation between them", () => {
    expect(zhMarkdown("Order status (订单状态): 0 新建, 1 已成交")).toBe('Order status (<span lang="zh">订单状态): 0 新建, 1 已成交</span>');
    expect(zhMarkdown("状态 status 0 新建")).toBe('<span lang="zh">状态</span> status 0 <span lang="zh">新建</span>');
    expect(zhMarkdown("适用于Release-002-P3以上版本")).toBe('<span lang="zh">适用于</span>Release-002-P3<span lang="zh">以上版本</span>');
    expect(zhMarkdown("no Chinese here")).toBe("no Chinese here");
  });

  it("leaves code (spans, fenced and indented blocks), tags, link destinations, table pipes and runs beside emphasis marks as they are", () => {
    const md = ["`代码` and [链接](https://x.test/文档) <b title=\"提示\">粗</b>", "", "```", "围栏 代码", "```", "", "    缩进代码", "", "| 列 | 值 |", "|---|---|", "| 甲 | 乙 |", "", "**加粗**后 and x*强调*"].join("\n");
    expect(zhMarkdown(md)).toBe(
      [
        '`代码` and [<span lang="zh">链接</span>](https://x.test/文档) <b title="提示"><span lang="zh">粗</span></b>',
        "",
        "```",
        "围栏 代码",
        "```",
        "",
        "    缩进代码",
        "",
        '| <span lang="zh">列</span> | <span lang="zh">值</span> |',
        "|---|---|",
        '| <span lang="zh">甲</span> | <span lang="zh">乙</span> |',
        "",
        "**加粗**后 and x*强调*",
      ].join("\n"),
    );
  });

  it("zhHtml marks escaped text and never enters an entity", () => {
    expect(zhHtml("价格 &lt; 100 &amp; 数量")).toBe('<span lang="zh">价格</span> &lt; 100 &amp; <span lang="zh">数量</span>');
  });
});

describe("every spec's descriptions, as their pages are rendered", () => {
  for (const api of readApis()) {
    it(`${api.name}: the same HTML once the spans are out, and at least 99% of the Chinese shown is marked`, () => {
      const spec = bundledSpec(api, readFileSync(join(ROOT, api.root), "utf8")).toJS({ maxAliasCount: -1 }) as unknown;
      let total = 0;
      let outside = 0;
      const changed: string[] = [];
      const walk = (v: unknown, servers: boolean): void => {
        if (Array.isArray(v)) return v.forEach((x) => walk(x, servers));
        if (v === null || typeof v !== "object") return;
        for (const [k, x] of Object.entries(v)) {
          if (k === "description" && typeof x === "string") {
            if (servers) {
              expect(x, "a server's description is shown as text").not.toMatch(SPAN);
              continue;
            }
            const before = unmarked(x);
            if (unmarked(render(x)) !== render(before)) changed.push(before.slice(0, 120));
            const shown = render(x).replace(/<code>[\s\S]*?<\/code>/g, "").replace(/<[^>]*>/g, (tag) => (tag.startsWith('<span lang="zh"') || tag === "</span>" ? tag : ""));
            total += (unmarked(shown).match(CJK) ?? []).length;
            outside += (shown.replace(SPAN, "").match(CJK) ?? []).length;
          } else walk(x, servers || k === "servers");
        }
      };
      walk(spec, false);
      expect(changed).toEqual([]);
      expect(total).toBeGreaterThan(0);
      expect(outside / total).toBeLessThan(0.01);
    });
  }
});
