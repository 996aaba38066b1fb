/**
 * Spec text in `spec diff`'s text and markdown: a property name, an error-code key or an
 * operationId stays one line of plain text, so `npm run changelog` cannot write a heading, HTML
 * or a link into CHANGELOG.md from a spec.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseChangelog, writeChangelogSection } from "../../src/spec-tools/changelog.js";
import { formatMarkdown, formatSummary, formatText, type SpecChange } from "../../src/spec-tools/spec-diff.js";
import { demoSpecRepo, git, runSpec } from "../helpers/spec-repo.js";

const SPEC = `openapi: 3.1.0
info:
  title: Demo
  version: "1"
x-error-codes:
  "103": { message: no funds, kind: insufficient-funds }
paths:
  /order:
    post:
      operationId: placeOrder
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                qty:
                  type: string
      responses:
        "200":
          description: ok
`;

const run = runSpec;

describe("spec diff: spec text cannot inject lines, headings or HTML into the output", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    dir = demoSpecRepo("specdiff-inject-", SPEC);
    const edited = SPEC.replace('  "103": { message: no funds, kind: insufficient-funds }\n', '  "103": { message: no funds, kind: insufficient-funds }\n  "999\\n## 0.0.1": { message: "x\\n## 1.0.0 <b>", kind: unknown }\n').replace(
      "                qty:\n                  type: string\n",
      '                qty:\n                  type: string\n                "evil\\n\\n## 9.9.9\\n\\n### xt\\n- <img src=x>":\n                  type: string\n                "![t](https://example.com/t.png)":\n                  type: string\n',
    );
    writeFileSync(join(dir, "specs/demo.yaml"), edited);
  });

  it("--markdown: one line per change, no heading, no HTML, no image; the changelog keeps one version section", async () => {
    const r = await run(dir, "diff", "--markdown");
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("#"))).toEqual(["### demo"]);
    expect(r.stdout).not.toMatch(/<img|\]\(https/);
    expect(r.stdout).toContain("- `placeOrder`: optional request field evil\\n\\n## 9.9.9\\n\\n### xt\\n- &lt;img src=x> added");
    expect(r.stdout).toContain("- `placeOrder`: optional request field ![t]\\(https://example.com/t.png) added");
    // (the meaning, quoted now, stays on the line too)
    expect(r.stdout).toContain("- error code 999\\n## 0.0.1 added: x\\n## 1.0.0 &lt;b> (kind unknown)");
    const { text } = writeChangelogSection("", undefined, "0.3.0", r.stdout, false);
    expect(parseChangelog(text).map((s) => s.version)).toEqual(["0.3.0"]);
    expect(text.split("\n").filter((l) => /^#{1,3} /.test(l))).toEqual(["# Changelog", "## 0.3.0", "### demo"]);
  });

  it("text output: one line per change, line breaks shown as \\n", async () => {
    const r = await run(dir, "diff");
    expect(r.stdout.split("\n")).toEqual([
      "demo: 0 breaking, 3 non-breaking, 0 docs",
      "  (document)",
      '    non-breaking error code 999\\n## 0.0.1 added: x\\n## 1.0.0 <b> (kind unknown)',
      "  placeOrder",
      "    non-breaking optional request field evil\\n\\n## 9.9.9\\n\\n### xt\\n- <img src=x> added",
      "    non-breaking optional request field ![t](https://example.com/t.png) added",
      "",
    ]);
  });
});

describe("formatMarkdown / formatText / formatSummary with spec text", () => {
  const c = (operation: string | undefined, message: string, kind: SpecChange["kind"] = "breaking"): SpecChange => ({ api: "t", kind, operation, message, rule: "generic" });

  it("an operation with backticks stays one code span", () => {
    expect(formatMarkdown([c("a`b", "x"), c("``c", "y"), c("d`", "z")])).toBe("### t\n\n**Breaking**\n\n- ``a`b``: x\n- ``` ``c ```: y\n- `` d` ``: z\n");
    expect(formatMarkdown([c("a`b", "x", "docs")], { docs: "summary" })).toBe("### t\n\n**Docs**\n\n- 1 operation: ``a`b``\n");
  });

  it("a message at the start of a list item starts no heading, quote, list, fence or link definition", () => {
    const md = formatMarkdown(["## 1.0.0", "> q", "- l", "+ l", "* l", "1. l", "2) l", "```js", "~~~", "[x]: https://example.com", "___", "    code"].map((m) => c(undefined, m)));
    expect(md.split("\n").filter((l) => l.startsWith("- "))).toEqual(["- \\## 1.0.0", "- \\> q", "- \\- l", "- \\+ l", "- \\* l", "- 1\\. l", "- 2\\) l", "- \\```js", "- \\~~~", "- \\[x]: https://example.com", "- \\___", "- &#32;   code"]);
  });

  it("control characters, line separators and bidi overrides are shown escaped", () => {
    const message = "a\rb\tc\u0007d\u2028e\u202ef";
    expect(formatText([c("op\nx", message)])).toBe("t: 1 breaking, 0 non-breaking, 0 docs\n  op\\nx\n    breaking     a\\rb\\tc\\u0007d\\u2028e\\u202ef\n");
    expect(formatMarkdown([c("op\nx", message)])).toBe("### t\n\n**Breaking**\n\n- `op\\nx`: a\\rb\\tc\\u0007d\\u2028e\\u202ef\n");
    expect(formatSummary([c("op\nx", "m\n## 2.0.0")], "HEAD")).toBe("spec diff vs HEAD:\n  t: 1 breaking, 0 non-breaking, 0 docs\n  BREAKING t op\\nx: m\\n## 2.0.0\n  (details: npx tradeapi spec diff; rules: docs/spec-diff-rules.md)\n");
  });

  it("ordinary changes print exactly as before", () => {
    const changes = [c("getOrder", 'request field id type "string" → ["string","integer"]'), c("placeOrder", "type definition of `e.e` in Request Body (changed)", "non-breaking"), c(undefined, "server changed: \"https://a\" → \"https://b\"")];
    expect(formatMarkdown(changes)).toBe('### t\n\n**Breaking**\n\n- `getOrder`: request field id type "string" → ["string","integer"]\n- server changed: "https://a" → "https://b"\n\n**Non-breaking**\n\n- `placeOrder`: type definition of `e.e` in Request Body (changed)\n');
    expect(formatText(changes)).toBe('t: 2 breaking, 1 non-breaking, 0 docs\n  getOrder\n    breaking     request field id type "string" → ["string","integer"]\n  placeOrder\n    non-breaking type definition of `e.e` in Request Body (changed)\n  (document)\n    breaking     server changed: "https://a" → "https://b"\n');
  });
});
