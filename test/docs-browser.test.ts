/**
 * The docs portal in a real browser: Debian's chromium driven by playwright-core, every
 * request that is not `file:` aborted and counted. The docs are built into a temporary folder
 * (no prior `npm run build` needed). Screenshots go to test-output/docs-screenshots/ (git-ignored)
 * for review.
 *
 * Needs `/usr/bin/chromium`: run `.ci/install-browser` (CI does). Without it this test fails.
 * `TRADEAPI_DOCS_BROWSER=skip` skips it: CI runs the suite on three Node versions, and the
 * portal (static pages in chromium) is tested once, on the newest (.ci/run).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { buildDocs } from "../scripts/build-docs.js";
import { asyncApiViewFile, type PortalApi } from "../scripts/docs-portal.js";
import { parse as parseYaml } from "yaml";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(ROOT, "test-output", "docs-screenshots");

let out: string;
let apis: PortalApi[];
let browser: Browser;
let context: BrowserContext;
const blocked: string[] = [];
const consoleErrors: string[] = [];
/** What a page's Content-Security-Policy refused: `<file> <directive> <url>`. */
const violations: string[] = [];

const url = (file: string, hash = "") => `${pathToFileURL(join(out, file)).href}${hash}`;

async function open(file: string, hash = ""): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${file}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${file}: ${String(e)}`));
  await page.goto(url(file, hash), { waitUntil: "load" });
  return page;
}

/** Wait until Redoc has rendered the page: its sidebar search and the logo linking back to the index. */
async function redocReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="search-trigger"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="logo"] a[href="index.html"]', { timeout: 60_000 });
}

/** Sidebar routes, with or without the hash router's leading '#'. */
const routesOf = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href")!.replace(/^#/, "")).filter((h) => h.startsWith("/")));

const SKIPPED = process.env.TRADEAPI_DOCS_BROWSER === "skip";

/** axe-core, run in the page (page.evaluate is outside the page's CSP). */
const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/** WCAG 2.1 A and AA violations axe finds in the page (`rules`: only those), one line each. */
async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run(d: Document, o: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: only ? { type: "rule", values: only } : { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} x${v.nodes.length}: ${v.nodes[0]?.target.join(" ")}`);
  }, rules);
}

beforeAll(async () => {
  if (SKIPPED) return;
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run .ci/install-browser (installs Debian's chromium and fonts-noto-cjk) and run this test again`);
  }
  out = mkdtempSync(join(tmpdir(), "tradeapi-docs-browser-"));
  ({ apis } = await buildDocs({ outDir: out, validate: false, changelog: join(out, "no-CHANGELOG.md") }));
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.exposeBinding("__cspViolation", ({ page }, v: string) => violations.push(`${decodeURIComponent(page.url().replace(/^.*\//, "").replace(/#.*$/, ""))} ${v}`));
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${e.effectiveDirective} ${e.blockedURI}`)),
  );
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith("file:") || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
    blocked.push(u);
    return route.abort();
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe.skipIf(SKIPPED)("docs portal in chromium", () => {
  it("every reference page loads offline with no console error, with Redoc's search, a link back to the index, operationIds, code samples and every index link's route", async () => {
    for (const api of apis) {
      // Opened at the index's link of one operation (BHEX: orderCreate, the one the issue names).
      const op = api.operations.find((o) => o.operationId === "orderCreate") ?? api.operations.find((o) => o.operationId !== "login")!;
      const page = await open(`${api.name}.html`, op.anchor);
      await redocReady(page);
      const id = op.anchor.replace(/^#\//, "");
      const section = page.locator(`[id="${id}"], [id="/${id}"]`).first();
      await section.waitFor({ timeout: 60_000 });
      await expect.poll(() => section.innerText(), { timeout: 30_000 }).toContain(`operationId ${op.operationId}`);
      if (api.kind === "openapi") await expect.poll(() => page.locator("#api-content").innerText(), { timeout: 30_000 }).toContain(`.call("${op.operationId}"`);
      // The WebSocket page's samples are markdown code blocks in the operation's section.
      else await expect.poll(() => section.innerText(), { timeout: 30_000 }).toMatch(/Code samples[\s\S]*createQuantWsClient[\s\S]*session\.request\("\w+"/);
      await page.screenshot({ path: join(SHOTS, `${api.name}-${op.operationId}.png`) });
      // Every link is one a new tab, a copied address or a bookmark can open: no root-relative
      // "/trade" (it named file:///trade), hash routes instead.
      const rooted = await page.evaluate(() => Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href")!).filter((h) => /^\/(?!\/)/.test(h)));
      expect(rooted, `${api.name}: links to the file system's root`).toEqual([]);

      // Every operation route the index links to exists in the page: open each group (tag or
      // channel) in the sidebar and collect the routes it lists.
      const routes = new Set(await routesOf(page));
      const groups = [...new Set(api.operations.map((o) => o.anchor.slice(1).replace(/\/[^/]+$/, "")))];
      for (const group of groups) {
        if (api.operations.every((o) => o.anchor.slice(1).replace(/\/[^/]+$/, "") !== group || routes.has(o.anchor.slice(1)))) continue;
        await page.evaluate((h) => (location.hash = h), `#${group}`);
        await page
          .waitForFunction((g) => Array.from(document.querySelectorAll("a[href]")).some((a) => a.getAttribute("href")!.replace(/^#/, "").startsWith(`${g}/`)), group, { timeout: 30_000 })
          .catch(() => undefined);
        for (const r of await routesOf(page)) routes.add(r);
      }
      const missing = api.operations.filter((o) => !routes.has(o.anchor.slice(1))).map((o) => `${o.operationId} ${o.anchor}`);
      expect(missing, `${api.name}: index links without a route in the page`).toEqual([]);

      if (api.name === "quant-ws") {
        await page.evaluate(() => (location.hash = "#/"));
        await expect.poll(() => page.locator("#api-content").innerText(), { timeout: 30_000 }).toContain("How a session works");
        const text = await page.locator("#api-content").innerText();
        expect(text, "markdown rendered, no literal backticks").not.toMatch(/`/);
        // Nothing fixed or floating over the content column at 1400 px.
        const floating = await page.evaluate(() => {
          const content = document.querySelector("#api-content")!.getBoundingClientRect();
          return Array.from(document.querySelectorAll("body *"))
            .filter((el) => {
              const st = getComputedStyle(el);
              if (st.position !== "fixed" || st.display === "none" || st.visibility === "hidden") return false;
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.height > 0 && r.left < content.right && r.right > content.left + 1 && r.top < window.innerHeight && r.bottom > 0;
            })
            .map((el) => `${el.tagName}#${el.id}.${String(el.className)}`);
        });
        expect(floating).toEqual([]);
        await page.screenshot({ path: join(SHOTS, "quant-ws.png") });
        // Redoc's own search, as on the other pages: finds an operation by its operationId.
        const trigger = page.locator('[data-testid="search-trigger"]');
        await expect.poll(() => trigger.innerText(), { timeout: 60_000 }).toMatch(/Search/);
        await trigger.click();
        await page.keyboard.type("placeOrder");
        await expect.poll(() => page.locator("body").innerText(), { timeout: 30_000 }).toMatch(/operationId placeOrder/);
        await page.screenshot({ path: join(SHOTS, "quant-ws-search.png") });
        await page.keyboard.press("Escape");
      }
      await page.close();
    }
    expect(consoleErrors).toEqual([]);
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
  }, 400_000);

  it("the index search finds every operation of every API, typed into the search box", async () => {
    const page = await open("index.html");
    await page.screenshot({ path: join(SHOTS, "index.png") });
    const box = page.locator("#q");
    const visibleLinks = () => page.locator("#ops tbody tr:not([hidden]) a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const notFound: string[] = [];
    for (const [i, op] of apis.flatMap((a) => a.operations).entries()) {
      // Keystrokes for some (input events as a user types them), fill for the rest (one input event).
      if (i % 20 === 0) {
        await box.fill("");
        await box.pressSequentially(op.operationId, { delay: 0 });
      } else await box.fill(op.operationId);
      if (!(await visibleLinks()).includes(`${op.api}.html${op.anchor}`)) notFound.push(`${op.api} ${op.operationId}`);
    }
    expect(notFound).toEqual([]);
    // By path, by summary, by the vendor's Chinese text, and across APIs.
    const searches: Array<[string, string]> = [
      ["/api/v2/org/order/create", "bhex.html#/spot-trading/ordercreate"],
      ["创建订单", "bhex.html#/spot-trading/ordercreate"],
      ["place an order", "quant-ws.html#/channels/gateway/operations/placeorder"],
    ];
    for (const [q, href] of searches) {
      await box.fill(q);
      expect(await visibleLinks(), q).toContain(href);
    }
    await box.fill("order");
    const apisHit = new Set((await visibleLinks()).map((h) => h!.split(".html")[0]));
    expect(apisHit.size, "one search covers several APIs").toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: join(SHOTS, "index-search-order.png") });
    await page.close();
    expect(consoleErrors).toEqual([]);
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
  }, 120_000);

  it("the AsyncAPI view (@asyncapi/html-template) of each AsyncAPI spec loads offline, is linked from the index, links back, and shows every operation and message", async () => {
    const index = await open("index.html");
    const asyncApis = apis.filter((a) => a.kind === "asyncapi");
    expect(asyncApis.length).toBeGreaterThan(0);
    for (const api of asyncApis) {
      const file = asyncApiViewFile(api.name);
      expect(await index.locator(`#apis a[href="${file}"]`).count(), `index links ${file}`).toBe(1);
      const page = await open(file);
      await page.waitForSelector("#operations", { timeout: 60_000 });
      expect(await page.locator('nav.tradeapi-portal a[href="index.html"]').count()).toBe(1);
      const ids = new Set(await page.evaluate(() => Array.from(document.querySelectorAll("[id]")).map((e) => e.id)));
      // Every operation of the spec has its section (send operations are shown as requests).
      const missing = api.operations.filter((o) => !["request", "send", "receive"].some((a) => ids.has(`operation-${a}-${o.operationId}`))).map((o) => o.operationId);
      expect(missing, `${api.name}: operations without a section in the AsyncAPI view`).toEqual([]);
      const spec = parseYaml(readFileSync(join(ROOT, readApis().find((e) => e.name === api.name)!.root), "utf8")) as { components: { messages: Record<string, unknown> } };
      const noMessage = Object.keys(spec.components.messages).filter((m) => !ids.has(`message-${m}`));
      expect(noMessage, `${api.name}: messages without a section`).toEqual([]);
      const text = await page.locator("body").innerText();
      expect(text).toContain("How a session works");
      // The vendor's error table, as on the reference page.
      expect(text).toContain("Error codes");
      expect(text).toContain("Vendor's message");
      // Its badges and notes are readable (WCAG AA contrast: the template's own colours were 2:1 to 3.4:1).
      expect(await axeViolations(page, ["color-contrast"]), `${api.name}: AsyncAPI view contrast`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${api.name}-asyncapi-view.png`) });
      await page.close();
    }
    await index.close();
    expect(consoleErrors).toEqual([]);
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
  }, 120_000);

  it("the vendor's Chinese is marked lang=\"zh\" (WCAG 3.1.2) on the reference pages, the AsyncAPI view and the index: the spans are elements, never shown as text", async () => {
    /** Chinese characters shown (not in a script) inside and outside an element marked zh, and whether any span shows as text. */
    const count = (page: Page) =>
      page.evaluate(() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let marked = 0;
        let unmarked = 0;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const parent = n.parentElement!;
          if (parent.closest("script, style")) continue;
          const c = (n.textContent!.match(/[\u4e00-\u9fff]/g) ?? []).length;
          if (parent.closest('[lang="zh"]')) marked += c;
          else unmarked += c;
        }
        return { marked, unmarked, literal: document.body.innerText.includes("<span lang") };
      });
    const pages: Array<[file: string, ready: (p: Page) => Promise<unknown>]> = [
      ["xele.html", redocReady],
      ["quant-ws.html", redocReady],
      [asyncApiViewFile("quant-ws"), (p) => p.waitForSelector("#operations", { timeout: 60_000 })],
      ["index.html", async () => undefined],
    ];
    for (const [file, ready] of pages) {
      const page = await open(file);
      await ready(page);
      const { marked, unmarked, literal } = await count(page);
      expect(literal, `${file}: a span shown as text`).toBe(false);
      // (what stays unmarked: titles, summaries, enum labels, server descriptions: text, not markdown)
      expect(marked, `${file}: Chinese marked zh`).toBeGreaterThan(unmarked);
      await page.close();
    }
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it("every page carries a Content-Security-Policy that refuses whatever the page would load from outside", async () => {
    for (const file of readdirSync(out).filter((f) => f.endsWith(".html"))) {
      expect(readFileSync(join(out, file), "utf8"), file).toMatch(/^<!doctype html>\s*<html[^>]*>\s*<head>\s*(?:<meta charset[^>]*>\s*)?<meta http-equiv="Content-Security-Policy" content="default-src 'none'; /i);
    }
    // Markup a spec's text could bring in, added to a rendered Redoc page and the AsyncAPI view:
    // refused by the page's policy (no request is made: `blocked` stays empty), handler not run.
    const refused = (file: string) => violations.filter((v) => v.startsWith(`${file} `)).map((v) => v.split(" ")[1]);
    for (const file of ["xt.html", asyncApiViewFile("quant-ws")]) {
      const page = await open(file);
      await page.evaluate(() => {
        document.body.insertAdjacentHTML("beforeend", '<img src="https://example.com/csp.png"><iframe src="https://example.com/csp"></iframe><img src="x" onerror="window.__ran = 1">');
        const s = document.createElement("script");
        s.src = "https://example.com/csp.js";
        document.body.append(s);
      });
      await expect.poll(() => refused(file), { timeout: 10_000 }).toEqual(expect.arrayContaining(["img-src", "script-src-attr", "script-src-elem"]));
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => (window as unknown as { __ran?: number }).__ran)).toBeUndefined();
      await page.close();
      for (const list of [violations, consoleErrors]) list.splice(0, list.length, ...list.filter((v) => !v.startsWith(`${file}`)));
    }
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("changelog pages load and link back to the index", async () => {
    for (const api of apis) {
      const page = await open(`changelog-${api.name}.html`);
      expect(await page.locator('a[href="index.html"]').count()).toBeGreaterThan(0);
      expect(await page.locator("main").innerText()).toMatch(/no changes recorded yet/i);
      await page.close();
    }
    expect(consoleErrors).toEqual([]);
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
  }, 60_000);

  it("every reference page: method and channel badges, links, the search box and muted text reach 4.5:1 (axe color-contrast), no table scrolls out of the keyboard's reach, the Error codes section and the cut-free sidebar labels are shown", async () => {
    for (const api of apis) {
      const page = await open(`${api.name}.html`);
      await redocReady(page);
      await expect.poll(() => page.locator("#api-content").innerText(), { timeout: 30_000 }).toContain("Error codes");
      expect(await axeViolations(page, ["color-contrast", "scrollable-region-focusable"]), `${api.name}.html`).toEqual([]);
      const labels = await page.evaluate(() => Array.from(document.querySelectorAll("[data-testid=menu-item-label]"), (e) => (e.textContent ?? "").trim()));
      expect(labels, api.name).toContain("Error codes");
      // (the texts' links to the table go where the sidebar's entry goes)
      const hrefs = await page.evaluate(() => Array.from(document.querySelectorAll("a[href*='rror-codes']"), (a) => a.getAttribute("href")));
      expect(new Set(hrefs), `${api.name}: links to the Error codes section`).toEqual(new Set(["#/section/error-codes"]));
      for (const l of labels) expect(l, `${api.name}: a sidebar label cut at an inline element`).not.toMatch(/\($/);
      if (api.name === "xt") expect(labels).toContain("Authentication (security scheme xtAccessKey)");
      if (api.name === "quant-ws") expect(labels).toContain("Vendor doc text (原文)");
      await page.close();
    }
  }, 180_000);

  it("the index and a changelog page reflow at 320 px (WCAG 1.4.10: nothing scrolls the page sideways), pass axe's WCAG 2.1 AA checks, the search's count is announced, and the folder is readable by a web server", async () => {
    expect(statSync(out).mode & 0o777).toBe(0o755);
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
    await narrow.route("**/*", (route) => (/^(file|data|blob):/.test(route.request().url()) ? route.continue() : route.abort()));
    try {
      for (const file of ["index.html", "changelog-xele.html"]) {
        const page = await narrow.newPage();
        await page.goto(url(file), { waitUntil: "load" });
        expect(await page.evaluate(() => document.documentElement.scrollWidth), file).toBeLessThanOrEqual(320);
        if (file === "index.html") {
          expect(await page.locator("#count").getAttribute("role")).toBe("status");
          expect(await page.locator("#q").getAttribute("aria-describedby")).toBe("count");
        }
        expect(await axeViolations(page), `${file}: WCAG 2.1 AA`).toEqual([]);
        await page.close();
      }
    } finally {
      await narrow.close();
    }
  }, 60_000);
});
