/**
 * The specs' extensions that Redoc does not render, written into the copy the pages are
 * rendered from (scripts/docs-extensions.ts via bundledSpec): what the texts point readers to
 * is on the page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { asyncApiViewSpec, bundledSpec } from "../scripts/build-docs.js";

const apis = readApis();
const api = (name: string) => apis.find((a) => a.name === name)!;
const source = (name: string) => parse(readFileSync(join(ROOT, api(name).root), "utf8")) as Record<string, any>;
const rendered = (name: string) => parse(bundledSpec(api(name), readFileSync(join(ROOT, api(name).root), "utf8")).toString({ lineWidth: 0 })) as Record<string, any>;
const unmarked = (s: string) => s.replace(/<span lang="zh">([^<]*)<\/span>/g, "$1");

describe("error table", () => {
  it.each([
    ["xt", "x-error-codes", 19],
    ["hubi", "x-error-codes", 50],
    ["bhex", "x-error-codes", 3],
    ["xele", "x-error-codes", 23],
    ["quant-ws", "x-error-messages", 2],
  ])("%s: every entry of %s is a row of the page's Error codes section", (name, key, count) => {
    const table = source(name)[key] as Record<string, Record<string, string>>;
    expect(Object.keys(table)).toHaveLength(count);
    const description = unmarked(rendered(name).info.description as string);
    const section = description.slice(description.indexOf("\n# Error codes\n"));
    expect(section.startsWith("\n# Error codes\n")).toBe(true);
    expect(section).toContain("| --- | --- | --- | --- |");
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(count);
    for (const [code, e] of Object.entries(table)) {
      const row = rows.find((r) => r.startsWith(`| \`${code}\` |`));
      expect(row, code).toBeDefined();
      expect(row).toContain(e.message!.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ").trim());
      expect(row).toContain(`| ${e.kind} |`);
    }
  });

  it("quant-ws: the AsyncAPI view's copy of the spec has the error table too (the template renders no x- extension)", () => {
    const table = source("quant-ws")["x-error-messages"] as Record<string, Record<string, string>>;
    const description = unmarked(parse(asyncApiViewSpec(readFileSync(join(ROOT, api("quant-ws").root), "utf8")).toString({ lineWidth: 0 })).info.description as string);
    const section = description.slice(description.indexOf("\n# Error codes\n"));
    expect(section.startsWith("\n# Error codes\n")).toBe(true);
    for (const code of Object.keys(table)) expect(section, code).toContain(`| \`${code.replace(/`/g, "")}\` |`);
  });

  it("links the texts' mentions of the table to its section", () => {
    const info = rendered("bhex").info.description as string;
    expect(info).toContain("`x-error-codes` ([Error codes](#/section/error-codes))");
    expect(source("bhex").info.description).not.toContain("#/section/error-codes");
  });
});

describe("signing recipes", () => {
  const schemes = (name: string) => Object.entries((source(name).components?.securitySchemes ?? {}) as Record<string, Record<string, any>>);
  it.each(["xt", "hubi", "bhex", "xele", "quant-ws"])("%s: every security scheme's x-signature and x-headers are in its rendered description", (name) => {
    const out = rendered(name).components?.securitySchemes ?? {};
    for (const [id, scheme] of schemes(name)) {
      const description = unmarked(out[id].description as string);
      expect(description.startsWith((scheme.description ?? "").trimEnd())).toBe(true);
      const signature = scheme["x-signature"] as Record<string, unknown> | undefined;
      if (signature) {
        expect(description).toContain("**Signing recipe**");
        for (const key of Object.keys(signature)) expect(description, `${id} ${key}`).toContain(`- **${key}**:`);
      }
      for (const h of (scheme["x-headers"] ?? []) as Array<{ name: string }>) expect(description).toContain(`| \`${h.name}\` |`);
      if (!signature && !scheme["x-headers"]) expect(out[id].description ?? "").toBe(scheme.description ?? "");
    }
  });

  it("hubi: the test vector and the headers' values are shown, `<access token>` as text", () => {
    const description = unmarked(rendered("hubi").components.securitySchemes.hubiApiKey.description as string);
    const vector = source("hubi").components.securitySchemes.hubiApiKey["x-signature"].testVector as Record<string, string>;
    for (const [k, v] of Object.entries(vector)) expect(description).toContain(`  - **${k}**: \`${v}\``);
    expect(description).toContain("| `Authorization` | `Bearer <access token>` |");
    expect(description).toContain("Authorization: Bearer &lt;access token>.");
  });
});

describe("headings", () => {
  it("zhMarkdown and plainHeadings leave a heading without inline markup (Redoc's sidebar label ends at the first)", async () => {
    const { zhMarkdown } = await import("../scripts/docs-lang.js");
    const { plainHeadings } = await import("../scripts/docs-extensions.js");
    expect(zhMarkdown("## Vendor doc text (原文)\n\n原文 text")).toBe('## Vendor doc text (原文)\n\n<span lang="zh">原文</span> text');
    expect(plainHeadings("## Authentication (security scheme `xtAccessKey`)\n\nsee `x`\n\n```sh\n# `a` <b>\n```")).toBe(
      "## Authentication (security scheme xtAccessKey)\n\nsee `x`\n\n```sh\n# `a` <b>\n```",
    );
  });

  it.each(["xt", "hubi", "bhex", "xele", "quant-ws"])("%s: no heading of the rendered descriptions holds a code span or a tag", (name) => {
    const headings: string[] = [];
    const walk = (node: unknown, key = ""): void => {
      if (typeof node === "string") {
        if (key === "description") headings.push(...node.split("\n").filter((l) => /^ {0,3}#{1,6} /.test(l)));
      } else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, k);
    };
    const spec = rendered(name);
    walk({ info: spec.info, tags: spec.tags });
    for (const h of headings) expect(h).not.toMatch(/[`<]/);
    if (name === "xt") expect(headings).toContain("## Authentication (security scheme xtAccessKey)");
    if (name === "quant-ws") expect(headings).toContain("## Vendor doc text (原文)");
  });
});

describe("xele: requests sent base64-encoded in `params`, answers in '|'-separated rows", () => {
  const spec = source("xele");
  const out = rendered("xele");
  const schemaOf = (ref: string) => spec.components.schemas[ref.split("/").pop()!] as Record<string, any>;
  const ops = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

  it("every x-get-body: base64-params operation shows its request's fields (name, type, required, description), data's fields too", () => {
    const gets = ops.filter((o) => o.op?.["x-get-body"] === "base64-params");
    expect(gets).toHaveLength(20);
    for (const { path, method, op } of gets) {
      const description = unmarked(out.paths[path][method].description as string);
      expect(description, op.operationId).toContain("**Request fields**");
      const request = schemaOf(op["x-request-schema"].$ref);
      for (const name of Object.keys(request.properties)) expect(description, `${op.operationId} ${name}`).toMatch(new RegExp(`\\| \`${name}\` \\| [^|]+ \\| ${request.required.includes(name) ? "yes" : "no"} \\|`));
      const data = request.properties.data?.$ref ? schemaOf(request.properties.data.$ref) : undefined;
      for (const name of Object.keys(data?.properties ?? {})) expect(description, `${op.operationId} data.${name}`).toContain(`| \`data.${name}\` |`);
    }
  });

  it("every x-pipe-rows answer shows its columns in order, with their types", () => {
    let seen = 0;
    for (const { path, method, op } of ops) {
      for (const [status, response] of Object.entries((op?.responses ?? {}) as Record<string, any>)) {
        const rows = response?.["x-pipe-rows"];
        if (!rows) continue;
        seen++;
        const description = unmarked(out.paths[path][method].description as string);
        expect(description, op.operationId).toContain(`of the ${status} answer**`);
        (rows.columns as Array<{ name: string; type: string }>).forEach((c, i) => expect(description, `${op.operationId} ${c.name}`).toContain(`| ${i + 1} | \`${c.name}\` | ${c.type} |`));
      }
    }
    expect(seen).toBe(6);
  });
});

describe("idempotency keys", () => {
  it("bhex: the field each x-idempotency-key names says the client generates it when left out", async () => {
    const { IDEMPOTENCY_KEY_NOTE } = await import("../scripts/build-docs.js");
    const spec = source("bhex");
    const out = rendered("bhex");
    let seen = 0;
    for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const key = op?.["x-idempotency-key"];
        if (typeof key !== "string") continue;
        const field = out.paths[path][method].requestBody?.content?.["application/x-www-form-urlencoded"]?.schema?.properties?.[key] ?? out.paths[path][method].parameters?.find((p: { name: string }) => p.name === key);
        expect(unmarked(field?.description ?? ""), `${op.operationId} ${key}`).toContain(IDEMPOTENCY_KEY_NOTE);
        seen++;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(15);
  });
});
