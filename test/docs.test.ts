import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { runInNewContext } from "node:vm";
import { escapeEmbeddedSpec } from "../scripts/asyncapi-docs.js";
import { createHash } from "node:crypto";
import {
  activeContentIn,
  BIG_INTEGER_NOTE,
  bundledSpec,
  checkNoActiveContent,
  checkNoRemoteLoads,
  contentSecurityPolicy,
  inlineScripts,
  offlinePage,
  PORTAL_LOGO,
  remoteLoadsInMarkdown,
  withContentSecurityPolicy,
} from "../scripts/build-docs.js";
import { changelogPage, changelogSections, indexPage, portalApi, redocSlug } from "../scripts/docs-portal.js";
import { cliArg, operationsOf, readSpec } from "../scripts/docs-samples.js";

const apis = readApis();
const specText = (name: string) => readFileSync(join(ROOT, apis.find((a) => a.name === name)!.root), "utf8");

describe("offline pages", () => {
  it("replaces the Redoc bundle's CDN logo by an inline image", () => {
    const page = `<script>const a={src:e?\`https://cdn.redoc.ly/redoc/logo-mini-full.svg\`:\`https://cdn.redoc.ly/redoc/logo-mini.svg\`}</script>`;
    const out = offlinePage(page);
    expect(out).not.toContain("cdn.redoc.ly");
    expect(out).toContain("data:image/svg+xml,");
  });

  it("writes Redoc's root-relative links as the hash routes they are (a new tab or a bookmark of /trade named file:///trade)", () => {
    const out = offlinePage('<a href="/trade" class="x">Trade</a><a class="y" href="/section/rate-limits">R</a><a href="index.html">i</a><a href="//example.org">p</a><link href="/x">');
    expect(out).toBe('<a href="#/trade" class="x">Trade</a><a class="y" href="#/section/rate-limits">R</a><a href="index.html">i</a><a href="//example.org">p</a><link href="/x">');
  });

  it("refuses a page that would still load something remote", () => {
    expect(() => offlinePage(`<script src="https://example.com/x.js"></script>`)).toThrow(/remote resource/);
    expect(() => offlinePage(`<img src="https://cdn.example.com/a.png">`)).toThrow(/remote resource/);
    expect(() => offlinePage(`<script>fetch("https://cdn.example.com/fonts")</script>`)).toThrow(/remote resource/);
  });
});

describe("markdown that would load something remote", () => {
  it("finds images and HTML sources, spelled any way; not links, relative or data: URLs, or code", () => {
    const remote: Array<[string, string]> = [
      ["![p](https://example.com/a.png)", "https://example.com/a.png"],
      ['![p](<https://example.com/a b.png> "t")', "https://example.com/a b.png"],
      ["![p][logo]\n\n[Logo]: https://example.com/r.png", "https://example.com/r.png"],
      ["![logo]\n\n[logo]: <//example.com/r.png>", "//example.com/r.png"],
      ['<img src="https://example.com/a.png">', "https://example.com/a.png"],
      ["<IMG SRC=&#104;ttps://example.com/e.png>", "https://example.com/e.png"],
      ['<img srcset="a.png 1x, https://example.com/2x.png 2x">', "https://example.com/2x.png"],
      ["<iframe src='//example.com/f'></iframe>", "//example.com/f"],
      ["<script src=https://example.com/s.js></script>", "https://example.com/s.js"],
      ['<link rel="stylesheet" href="https://example.com/s.css">', "https://example.com/s.css"],
      ["<style>@import 'https://example.com/i.css';</style>", "https://example.com/i.css"],
      ['<p style="background:url(https://example.com/b.png)">x</p>', "https://example.com/b.png"],
      ['<object data="http:example.com/o"></object>', "http:example.com/o"],
      ["<embed src=https://example.com/e>", "https://example.com/e"],
      ['<video poster="https://example.com/p.png" src="https://example.com/v.mp4"></video>', "https://example.com/p.png"],
      ["<audio src=https://example.com/a.mp3>", "https://example.com/a.mp3"],
      ["<img src='\\\\example.com\\a.png'>", "\\\\example.com\\a.png"],
    ];
    for (const [md, url] of remote) expect(remoteLoadsInMarkdown(md).map((l) => l.url), md).toContain(url);
    const local = [
      "[text](https://example.com)",
      '<a href="https://example.com">docs</a>',
      "[r]\n\n[r]: https://example.com",
      "![diagram](img/a.png) <img src=a.png> <img src='data:image/png;base64,AA=='>",
      "`<img src=https://example.com/a.png>` and `![p](https://example.com/a.png)`",
      "```html\n<img src=\"https://example.com/a.png\">\n```",
      "Server: https://api.example.com/v1 (ws://<host>:9878/ws/v1)",
    ];
    for (const md of local) expect(remoteLoadsInMarkdown(md), md).toEqual([]);
  });

  it("refuses such a spec, naming the spec, the operation, the field and the URL; examples' values are data", () => {
    const openapi = {
      openapi: "3.1.0",
      info: { title: "T", version: "1", description: "See ![arch](https://example.com/arch.png)" },
      paths: {
        "/order": {
          post: {
            operationId: "placeOrder",
            description: 'Places an order. <iframe src="https://example.com/embed"></iframe> [docs](https://example.com/docs)',
            responses: { "200": { description: "ok", content: { "application/json": { examples: { a: { value: { note: "<img src=https://example.com/data.png>" } } } } } } },
          },
        },
      },
      components: { schemas: { O: { properties: { default: { type: "string", description: "<img src=https://example.com/p.png>" } }, example: "<img src=https://example.com/x.png>" } } },
    };
    const fail = () => checkNoRemoteLoads("specs/openapi/t.yaml", openapi);
    expect(fail).toThrow(/^specs\/openapi\/t\.yaml: its text would make the docs load 3 remote resources when shown/);
    expect(fail).toThrow("  info.description: image https://example.com/arch.png");
    expect(fail).toThrow("  operation placeOrder (POST /order), paths./order.post.description: <iframe src> https://example.com/embed");
    expect(fail).toThrow("  components.schemas.O.properties.default.description: <img src> https://example.com/p.png");
    expect(fail).not.toThrow(/data\.png|x\.png|example\.com\/docs/);
    const asyncapi = { asyncapi: "3.0.0", info: { title: "W", version: "1" }, operations: { ping: { action: "send", summary: "Ping ![](http://example.com/i.gif)" } } };
    expect(() => checkNoRemoteLoads("specs/asyncapi/w.yaml", asyncapi)).toThrow("operation ping, operations.ping.summary: image http://example.com/i.gif");
    expect(() => checkNoRemoteLoads("x.yaml", { openapi: "3.1.0", info: { title: "T", version: "1", description: "[link](https://example.com)" } })).not.toThrow();
  });
});

describe("spec text that would run script in the pages (refused, as remote loads are)", () => {
  it("finds <script>, <iframe>, srcdoc, on…= handlers in HTML tags and javascript: URLs, spelled any way, code and examples included; not prose", () => {
    const active: Array<[string, string]> = [
      ["<script>alert(1)</script>", "<script>"],
      ["</SCRIPT><script>x()</script>", "<script>"],
      ["`</script><script>x()</script>`", "<script>"], // (a code span: the AsyncAPI page embeds the spec in a <script>)
      ['<iframe src="a.html"></iframe>', "<iframe>"],
      ['<div srcdoc="&lt;b&gt;">', "srcdoc"],
      ['<img src=x onerror="alert(1)">', "<img onerror>"],
      ["<img/onerror=alert(1)>", "<img onerror>"],
      ['<img title=">" onerror=x>', "<img onerror>"],
      ["<svg onload=x", "<svg onload>"],
      ["<a href=x OnMouseOver='y'>z</a>", "<a onmouseover>"],
      ["[click](javascript:alert(1))", "javascript: URL"],
      ["<javascript:alert(1)>", "javascript: URL"],
      ['<a href="java&#x09;script:alert(1)">x</a>', "javascript: URL"],
      ["[x](JaVaScRiPt&colon;alert(1))", "javascript: URL"],
      ["[x](java\nscript:alert(1))", "javascript: URL"],
      ["[x]: javascript:alert(1)", "javascript: URL"],
      ['<object data="data:text/html;base64,PHNjcmlwdD4=">', "<object>"],
      ["<embed src=x>", "<embed>"],
      ["<frameset><frame src=x>", "<frame>"],
    ];
    for (const [text, what] of active) expect(activeContentIn(text).map((c) => c.what), text).toContain(what);
    const plain = [
      "Set onlyMaker=true to post only; <b>onlyReduce=true</b> closes only.<br>",
      "<access key> and <version>: the header's fields; on=1 in the query",
      "A JavaScript client: see [the SDK](https://example.com/js).",
      "[x](java\\script:alert(1))", // (a backslash before a letter stays: no scheme)
      "SDKs in Java, Python, JavaScript: see the vendor's page.",
      "for (let i = 0; i<items.length; i++) { const onclick = handlers[i]; }",
    ];
    for (const text of plain) expect(activeContentIn(text), text).toEqual([]);
  });

  it("refuses such a spec naming the spec, the place (operation, field; a name too) and what to write instead", () => {
    const openapi = {
      openapi: "3.1.0",
      info: { title: "T <script>x()</script>", version: "1", description: '<iframe srcdoc="&lt;script&gt;x()&lt;/script&gt;"></iframe>' },
      paths: {
        "/order": {
          post: {
            operationId: "placeOrder",
            summary: "Place [docs](javascript:alert(1))",
            description: '<img src=x onerror="alert(1)">',
            responses: { "200": { description: "ok", content: { "application/json": { example: { note: "</script><script>x()</script>" } } } } },
          },
        },
      },
      components: { schemas: { "O<script>": { type: "object" } } },
    };
    const fail = () => checkNoActiveContent("specs/openapi/t.yaml", openapi);
    expect(fail).toThrow(/^specs\/openapi\/t\.yaml: its text holds 7 pieces of markup that would run script in the docs pages \(they show the vendor's documents as text and run none of them\):\n/);
    expect(fail).toThrow('  info.title: <script> in "T <script>x()</script>": describe it in words (the pages run no script from a spec)');
    expect(fail).toThrow('  info.description: <iframe> in "<iframe srcdoc=\\"&lt;script&gt;x()&lt;/sc…": link to the page instead: [text](https://…)');
    expect(fail).toThrow('  info.description: srcdoc in "<iframe srcdoc=\\"&lt;script&gt;x()&lt;/script&gt;…": link to the page instead: [text](https://…)');
    expect(fail).toThrow("  operation placeOrder (POST /order), paths./order.post.summary: javascript: URL in \"Place [docs](javascript:alert(1))\": link to an https:// page instead: [text](https://…), or write the code as code (`…`) without the scheme");
    expect(fail).toThrow("  operation placeOrder (POST /order), paths./order.post.description: <img onerror> in \"<img src=x onerror=\\\"alert(1)\\\">\": leave the handler out (HTML in a description is for formatting only: <b>, <br>, tables)");
    expect(fail).toThrow("  operation placeOrder (POST /order), paths./order.post.responses.200.content.application/json.example.note: <script>");
    expect(fail).toThrow("  components.schemas.O<script> (the name): <script>");
    expect(() => checkNoActiveContent("x.yaml", { openapi: "3.1.0", info: { title: "T", version: "1", description: "<b>Note</b>: onlyMaker=true<br>[link](https://example.com)" } })).not.toThrow();
  });

  it("none in the project's specs", () => {
    for (const api of apis) expect(() => checkNoActiveContent(api.root, parse(specText(api.name), { maxAliasCount: -1 }) as Record<string, any>)).not.toThrow();
  });
});

describe("Content-Security-Policy of the pages", () => {
  const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
  it("lets the page's own inline scripts run, by hash, and nothing load from outside it", () => {
    const page = `<!doctype html><html><head><meta charset="utf-8"><title>x</title><script>a()</script><script type="module">\r\nb("</scr" + "ipt>")</script></head><body><script type="application/json">{}</script><script>c()</SCRIPT ></body></html>`;
    expect(inlineScripts(page)).toEqual(["a()", '\nb("</scr" + "ipt>")', "c()"]);
    const out = withContentSecurityPolicy(page);
    expect(out.startsWith(`<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="`)).toBe(true);
    const policy = contentSecurityPolicy(page);
    expect(out).toContain(`content="${policy}">`);
    const directives = Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["default-src"]).toEqual(["'none'"]);
    expect(directives["script-src"]).toEqual([sha("a()"), sha('\nb("</scr" + "ipt>")'), sha("c()"), "'unsafe-eval'"]);
    expect(directives["img-src"]).toEqual(["data:", "blob:"]);
    expect(policy).not.toMatch(/https?:|\*|'self'|file:/);
    expect(contentSecurityPolicy("<html><head></head><body>x</body></html>")).toContain("script-src 'none'");
    expect(() => withContentSecurityPolicy(out)).toThrow(/already/);
  });
});

describe("the AsyncAPI view's embedded spec", () => {
  // The installed @asyncapi/html-template's own page function (components/index.js), with its
  // helpers stubbed: the page it writes around a spec, without running the generator.
  const template = readFileSync(join(ROOT, "node_modules/@asyncapi/html-template/components/index.js"), "utf8");
  const source = template.replace(/^import .*$/gm, "").replace(/^export function/gm, "function");
  const templatePage = (spec: { info: { title: string; version: string } }): string =>
    new Function(
      "includeFile",
      "generateBase64Favicon",
      "renderSpec",
      "stringifySpec",
      "stringifyConfiguration",
      `${source}\nreturn Index;`,
    )(
      () => 'var ui = "<\\/script>";',
      () => "data:image/x-icon;base64,AA==",
      () => "<p>rendered &lt;/script&gt;</p>",
      () => JSON.stringify(spec, null, 2),
      () => JSON.stringify({ show: { sidebar: true } }),
    )({ asyncapi: { info: () => ({ title: () => spec.info.title, version: () => spec.info.version }) }, params: { singleFile: "true" } }) as string;
  const hostile = "Intro </script><img src=x onerror=window.__xssA=1> <!-- and </SCRIPT > too";
  const spec = { asyncapi: "3.0.0", info: { title: "Tiny </title><script>x()</script> & co", version: "1.0.0", description: hostile }, operations: { ping: { description: "<\/script>" } } };

  it("stays data: the script runs to its own end and gives the spec back; the title is text", () => {
    const page = templatePage(spec);
    const start = page.indexOf("<script>\n    const schema");
    // As the HTML parser reads it: the script ends at the first `</script`, any case.
    const raw = page.slice(start + "<script>".length, start + page.slice(start).search(/<\/script/i));
    expect(raw, "the template itself still embeds the spec raw").not.toMatch(/AsyncApiStandalone/);

    const safe = escapeEmbeddedSpec(page, spec.info);
    const at = safe.indexOf("<script>\n    const schema");
    const script = safe.slice(at + "<script>".length, at + safe.slice(at).search(/<\/script/i));
    expect(script).toMatch(/AsyncApiStandalone\.render\(\s*\{ schema, config, \}, appRoot\s*\);\s*$/);
    expect(script).not.toContain("<");
    const rendered: unknown[] = [];
    runInNewContext(script, { document: { getElementById: () => "root" }, AsyncApiStandalone: { render: (p: unknown) => rendered.push(p) } });
    expect(rendered).toEqual([{ schema: spec, config: { show: { sidebar: true } } }]);
    expect(safe).toContain("<title>Tiny &lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; co 1.0.0 documentation</title>");
    // Nothing else changed: the other scripts, the rendered body.
    expect(safe.slice(safe.indexOf("</title>"), at)).toBe(page.slice(page.indexOf(" documentation</title>") + " documentation".length, start));
  });

  it("refuses a page laid out otherwise (a template upgrade): check it again", () => {
    const page = templatePage(spec);
    expect(() => escapeEmbeddedSpec(page.replace("AsyncApiStandalone.render", "AsyncApiStandalone.hydrate"), spec.info)).toThrow(/not laid out as expected/);
    expect(() => escapeEmbeddedSpec(page, { ...spec.info, title: "Other" })).toThrow(/<title>/);
  });
});

describe("the bundled copy a page is rendered from", () => {
  for (const api of apis) {
    it(`${api.name}: every operation shows its operationId; every operation gets call() (and CLI, openapi-fetch) samples; specs/ untouched`, () => {
      const text = specText(api.name);
      const doc = bundledSpec(api, text);
      const spec = doc.toJS({ maxAliasCount: -1 }) as Record<string, any>;
      expect(spec.info["x-logo"]).toEqual({ url: PORTAL_LOGO, href: "index.html", altText: expect.any(String) });
      if (api.kind === "openapi") {
        const ops = operationsOf(spec);
        // (every operation of the spec, however few a new API has)
        expect(ops.length).toBe(operationsOf(readSpec(text)).length);
        expect(ops.length).toBeGreaterThan(0);
        for (const [, , op] of ops) {
          expect(op.description).toMatch(new RegExp(`^\\*\\*operationId\\*\\* \`${op.operationId}\``));
          const labels = (op["x-codeSamples"] as Array<{ label: string; source: string }>).map((s) => s.label);
          expect(labels).toContain("call()");
          if (api.name !== "xele") expect(labels).toEqual(["call()", "openapi-fetch", "CLI"]);
          const cli = op["x-codeSamples"].find((s: { label: string }) => s.label === "CLI");
          if (cli) expect(cli.source).toMatch(new RegExp(`^npx tradeapi call ${api.name} ${op.operationId}\\b`));
        }
      } else {
        for (const [id, op] of Object.entries(spec.operations as Record<string, any>)) {
          expect(op.description).toMatch(new RegExp(`^\\*\\*operationId\\*\\* \`${id}\``));
          // Code samples after the description, as markdown (the WebSocket page has no samples panel).
          expect(op.description, id).toMatch(/\*\*Code samples\*\*\n\nTypeScript \(the typed session\):\n\n```ts\nimport \{ createQuantWsClient(, QuantWsServerError)? \} from "tradeapi\/quant-ws";\n[\s\S]*\n```\n$/);
        }
        const send = spec.operations.placeOrder.description as string;
        expect(send).toContain('session.request("place_order", {');
        expect(send).toMatch(/```sh\nnpx tradeapi call quant-ws place_order symbol=ETH\/USDT /);
      }
      // Big integers keep every digit in the copy, and in what Redoc reads from it (JavaScript
      // numbers: 213670654898113536 became 213670654898113540 on the BHEX page).
      const copy = doc.toString({ lineWidth: 0 });
      const bigs = [...new Set(text.match(/\b\d{17,19}\b/g) ?? [])];
      expect(bigs.filter((big) => !copy.includes(big))).toEqual([]);
      const asRedocReads = JSON.stringify(parse(copy, { maxAliasCount: -1 }));
      expect(bigs.filter((big) => !asRedocReads.includes(big))).toEqual([]);
      if (api.name === "bhex") {
        const info = (doc.toJS() as any).paths["/v2/org/otc/order/info"].post;
        expect(info.responses["200"].content["application/json"].example.data.targetAccountId).toBe("213670654898113536");
        expect(info.description).toContain(BIG_INTEGER_NOTE);
        // an operation whose examples hold no such integer says nothing of it
        expect(spec.paths["/api/v2/org/order/create"].post.description).not.toContain(BIG_INTEGER_NOTE);
      }
      expect(readFileSync(join(ROOT, api.root), "utf8")).toBe(text);
    });
  }

  it("BHEX orderCreate: its operationId, a typed call without the client-generated client_order_id, the CLI command", () => {
    const doc = bundledSpec(apis.find((a) => a.name === "bhex")!, specText("bhex"));
    const op = (doc.toJS() as any).paths["/api/v2/org/order/create"].post;
    expect(op.description).toContain("`orderCreate`");
    const [call, fetchForm, cli] = op["x-codeSamples"] as Array<{ source: string }>;
    expect(call!.source).toContain('await bhex.call("orderCreate", {');
    expect(call!.source).not.toContain("client_order_id");
    // the request's example completes the limit order with its price (the schema leaves price optional)
    expect(call!.source).toContain('symbol_id: "ATUSDT"');
    expect(call!.source).toMatch(/type: "limit",[^]*price: "0.1668"/);
    expect(cli!.source).toContain("price=0.1668");
    expect(fetchForm!.source).toContain('await bhex.POST("/api/v2/org/order/create", {');
    expect(cli!.source).toMatch(/^npx tradeapi call bhex orderCreate \\\n {2}user_id=/);
  });
});

describe("portal index", () => {
  it("lists every operation of every API with a link into its page", () => {
    const portal = apis.map((a) => portalApi(a.name, a.kind, readSpec(specText(a.name))));
    const html = indexPage(portal, {});
    const total = portal.reduce((n, a) => n + a.operations.length, 0);
    expect(total).toBeGreaterThan(150);
    for (const op of portal.flatMap((a) => a.operations)) expect(html).toContain(`href="${op.api}.html${op.anchor}"`);
    expect(html).toContain('id="q"');
    // the APIs counted, not a number written once (a sixth API still read "the five APIs")
    expect(indexPage([...portal, { ...portal[0]!, name: "acme" }], {})).toContain("Reference pages for the six APIs,");
    expect(indexPage(portal.slice(0, 1), {})).toContain("Reference pages for the one API,");
    expect(html).not.toMatch(/(?:src|href)="https?:/);
    // an orientation: where each API's signing and errors are, the README, the two WebSocket pages
    const start = /<p id="start">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? "";
    for (const words of ["<em>Authentication</em> section", "<em>Error codes</em>", 'href="../../README.md"', "quant-ws.html", "quant-ws.asyncapi.html", "AsyncAPI view"]) expect(start).toContain(words);
    const bhex = portal.find((a) => a.name === "bhex")!.operations.find((o) => o.operationId === "orderCreate")!;
    expect(bhex).toMatchObject({ method: "POST", path: "/api/v2/org/order/create", anchor: "#/spot-trading/ordercreate" });
    expect(bhex.text).toContain("创建订单");
    const qws = portal.find((a) => a.name === "quant-ws")!.operations.find((o) => o.operationId === "placeOrder")!;
    expect(qws).toMatchObject({ method: "SEND", path: "/ws/v1 op=place_order", anchor: "#/channels/gateway/operations/placeorder" });
  });

  it("slugs tags as Redoc does", () => {
    expect(redocSlug("Spot Trading")).toBe("spot-trading");
    expect(redocSlug("Cash In/Out")).toBe("cash-inout");
    expect(redocSlug("Vendor doc text (原文)")).toBe("vendor-doc-text-()");
    expect(redocSlug("Trade & Funds (v1)")).toBe("trade-and-funds-(v1)");
    expect(redocSlug("Market data - v2.1")).toBe("market-data-v2.1");
    expect(redocSlug("Café €")).toBe("cafe-euro");
    expect(redocSlug("行情 数据")).toBe("行情-数据");
  });

  it("links an operation where Redoc routes it: its first listed tag's slug, or 'other' without a tag", () => {
    const spec = {
      openapi: "3.1.0",
      info: { title: "T", version: "1" },
      tags: [{ name: "Trade & Funds (v1)" }, { name: "Beta", "x-traitTag": true }],
      paths: {
        "/time": { get: { operationId: "getServerTime", responses: {} } },
        "/empty": { get: { operationId: "emptyTags", tags: [], responses: {} } },
        "/order": { post: { operationId: "Place_Order", tags: ["Trade & Funds (v1)"], responses: {} } },
        "/beta": { get: { operationId: "betaThing", tags: ["Beta", "Trade & Funds (v1)"], responses: {} } },
      },
    };
    const anchors = Object.fromEntries(portalApi("t", "openapi", spec).operations.map((o) => [o.operationId, o.anchor]));
    expect(anchors).toEqual({
      getServerTime: "#/other/getservertime",
      emptyTags: "#/other/emptytags",
      Place_Order: "#/trade-and-funds-(v1)/place_order",
      betaThing: "#/trade-and-funds-(v1)/betathing",
    });
  });

  it("slugs as the installed Redoc bundle does (its slugify and fallback, run on every character it maps)", () => {
    const bundle = readFileSync(join(ROOT, "node_modules/@redocly/cli/lib/chunks/redoc.standalone.js"), "utf8");
    // slugify's UMD factory: `(\`slugify\`,e,function(){ … return n.extend=…,n})`.
    const open = bundle.indexOf("function(){", bundle.indexOf("(`slugify`,"));
    const close = /return (\w)\.extend=function\((\w)\)\{Object\.assign\((\w),\2\)\},\1\}/.exec(bundle.slice(open));
    // Redoc's slug: `slugify(e) || e.toString().toLowerCase()…` (lower-cased by the caller).
    const fallback = /function \w+\(e\)\{return\(0,\w+\.default\)\(e\)\|\|(e\.toString\(\)\.toLowerCase\(\)[^}]*)\}/.exec(bundle);
    expect(open > 0 && close && fallback, "Redoc's slug code moved: read it again and update redocSlug").toBeTruthy();
    const slugify = new Function(`return (${bundle.slice(open, open + close!.index + close![0].length)})()`)() as (s: string) => string;
    const redoc = new Function("slugify", "e", `return slugify(e) || ${fallback![1]}`) as (f: typeof slugify, s: string) => string;
    const charmap = JSON.parse(new Function(`return ${/JSON\.parse\((`\{"\$":"dollar"[^`]*`)\)/.exec(bundle)![1]}`)()) as Record<string, string>;
    const names = [
      "Trade & Funds (v1)",
      "  a -- b\t c  ",
      "x $*_+~.()'\"!:@ y #%^={}[]|;,?<>",
      "原文",
      "—",
      "",
      ...Object.keys(charmap).map((c) => `A ${c} z`),
      ...Object.keys(charmap),
    ];
    const differ = names.filter((n) => redocSlug(n) !== redoc(slugify, n).toLowerCase()).map((n) => `${JSON.stringify(n)}: ${redocSlug(n)} vs ${redoc(slugify, n).toLowerCase()}`);
    expect(differ).toEqual([]);
  });
});

describe("changelog pages", () => {
  const md = `# Changelog

## 0.3.0 (2026-12-01)

### xt
- **Added** operation \`getFoo\` (GET /foo)
- Changed \`order\`: parameter \`type\` is now required

### bhex
- Removed \`orderCancel\`

## 0.2.0

### \`xt\`
Nothing breaking.
`;

  it("reads the API's section under each version, newest first", () => {
    expect(changelogSections(md, "xt")).toEqual([
      { version: "0.3.0 (2026-12-01)", body: "- **Added** operation `getFoo` (GET /foo)\n- Changed `order`: parameter `type` is now required" },
      { version: "0.2.0", body: "Nothing breaking." },
    ]);
    expect(changelogSections(md, "bhex")).toEqual([{ version: "0.3.0 (2026-12-01)", body: "- Removed `orderCancel`" }]);
    expect(changelogSections(md, "hubi")).toEqual([]);
  });

  it("renders them, or says no changes are recorded yet", () => {
    const api = { name: "xt", kind: "openapi" as const, title: "XT", version: "vendor doc, undated", operations: [] };
    const html = changelogPage(api, changelogSections(md, "xt"));
    expect(html).toContain("<strong>Added</strong> operation <code>getFoo</code>");
    expect(html).toContain('<h2 id="0.2.0">0.2.0</h2>');
    expect(html).toContain('href="index.html"');
    expect(changelogPage(api, null)).toContain("No changes recorded yet.");
    expect(changelogPage(api, [])).toContain("No changes recorded yet.");
  });
});

describe("CLI sample arguments", () => {
  it("quote what the shell would split or expand", () => {
    expect(cliArg("market", "btc_usdt")).toBe("market=btc_usdt");
    expect(cliArg("data", [{ price: 1 }])).toBe(`'data=[{"price":1}]'`);
    expect(cliArg("name", "it's")).toBe(`'name=it'\\''s'`);
    expect(cliArg("id", 9007199254740993n)).toBe("id=9007199254740993");
  });
});
