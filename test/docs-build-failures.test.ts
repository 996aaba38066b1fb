/**
 * `npm run docs` on a spec it cannot render: one line naming the file (and line:col), exit 1,
 * no stack trace, and docs/api left exactly as it was (the pages are rendered into a folder
 * next to it and moved into place only when all of them were written). Each case runs
 * scripts/build-docs.ts in a copy of the project whose specs are broken; all of them fail
 * before any page is rendered, so they stay fast.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../scripts/api-registry.js";
import { replaceFolder } from "../scripts/build-docs.js";
import { tempDir } from "./helpers/temp-dir.js";

const run = promisify(execFile);

/**
 * A copy of what the docs build reads, with `edit` applied, and an existing docs/api, removed
 * when the test ends (`onFinished`: the concurrent test's own hook; the global one removed a
 * folder when another test running at once ended, and the build then found no docs/).
 */
function project(edit: (dir: string) => void, onFinished: Parameters<typeof tempDir>[1]): string {
  const dir = tempDir("docs-fail-", onFinished);
  for (const p of ["scripts", "src", "specs", "generated", "redocly.yaml", "package.json", "tsconfig.json"]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, "docs/api"), { recursive: true });
  writeFileSync(join(dir, "docs/api/index.html"), "the previous build\n");
  writeFileSync(join(dir, "docs/api/xt.html"), "the previous build\n");
  edit(dir);
  return dir;
}

async function docs(dir: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/build-docs.ts"], { cwd: dir });
    return { code: 0, stderr: "" };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? "" };
  }
}

function untouched(dir: string): void {
  expect(readdirSync(join(dir, "docs")).sort()).toEqual(["api"]);
  expect(readdirSync(join(dir, "docs/api")).sort()).toEqual(["index.html", "xt.html"]);
  expect(readFileSync(join(dir, "docs/api/index.html"), "utf8")).toBe("the previous build\n");
}

const edit = (dir: string, file: string, from: string, to: string) => {
  const text = readFileSync(join(dir, file), "utf8");
  expect(text).toContain(from);
  writeFileSync(join(dir, file), text.replace(from, to));
};

describe("npm run docs refuses a broken spec in one line and leaves docs/api as it was", () => {
  it.concurrent("a YAML error: <file>:<line>:<col>", async ({ onTestFinished }) => {
    const dir = project((d) => edit(d, "specs/openapi/xt-spot.yaml", "    OrderId:\n      type: integer", "    OrderId: [a\n      b: c]"), onTestFinished);
    const r = await docs(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^docs: specs\/openapi\/xt-spot\.yaml:\d+:\d+: does not parse as YAML: /);
    expect(r.stderr).not.toMatch(/\n\s+at |cannot be stringified/);
    untouched(dir);
  }, 30_000);

  it.concurrent("an operation without an operationId: the file and the operation named (it was a TypeError naming nothing)", async ({ onTestFinished }) => {
    const dir = project((d) => edit(d, "specs/openapi/xt-spot.yaml", "      operationId: getTicker\n", ""), onTestFinished);
    const r = await docs(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^docs: specs\/openapi\/xt-spot\.yaml: paths\.\/data\/api\/v1\/getTicker\.get: GET \/data\/api\/v1\/getTicker has no operationId/);
    expect(r.stderr).not.toMatch(/Cannot read|\n\s+at /);
    untouched(dir);
  }, 30_000);

  it.concurrent("a spec listed in redocly.yaml but missing", async ({ onTestFinished }) => {
    const dir = project((d) => unlinkSync(join(d, "specs/openapi/hubi-futures.yaml")), onTestFinished);
    const r = await docs(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^docs: redocly\.yaml api `hubi`: root specs\/openapi\/hubi-futures\.yaml does not exist\n/);
    expect(r.stderr).not.toMatch(/ENOENT|\n\s+at /);
    untouched(dir);
  }, 30_000);

  it.concurrent("text that would run script in a page (an event handler, a javascript: link): the spec, each place, what to write instead", async ({ onTestFinished }) => {
    const dir = project((d) => {
      edit(d, "specs/openapi/xt-spot.yaml", "      summary: Ticker of one market\n", "      summary: Ticker of one market <img src=x onerror=alert(1)>\n");
      edit(d, "specs/asyncapi/quant-ws.yaml", "  title: Quant trading gateway WebSocket API\n", "  title: 'Quant trading gateway WebSocket API [docs](javascript:alert(1))'\n");
    }, onTestFinished);
    const r = await docs(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^docs: specs\/openapi\/xt-spot\.yaml: its text holds markup that would run script in the docs pages \(they show the vendor's documents as text and run none of them\):\n/);
    expect(r.stderr).toContain(
      '  operation getTicker (GET /data/api/v1/getTicker), paths./data/api/v1/getTicker.get.summary: <img onerror> in "…icker of one market <img src=x onerror=alert(1)>": leave the handler out (HTML in a description is for formatting only: <b>, <br>, tables)\n',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    untouched(dir);
    // (the first spec refused is named; fixed, the next one is)
    edit(dir, "specs/openapi/xt-spot.yaml", " <img src=x onerror=alert(1)>", "");
    const next = await docs(dir);
    expect(next.code).toBe(1);
    expect(next.stderr).toContain("docs: specs/asyncapi/quant-ws.yaml: its text holds markup that would run script in the docs pages");
    expect(next.stderr).toContain('  info.title: javascript: URL in "…ebSocket API [docs](javascript:alert(1))": link to an https:// page instead');
    untouched(dir);
  }, 60_000);

  it.concurrent("an AsyncAPI $ref pointing at nothing: the $ref and where", async ({ onTestFinished }) => {
    const dir = project((d) => edit(d, "specs/asyncapi/quant-ws.yaml", "'#/channels/gateway/messages/loginRequest'", "'#/channels/gateway/messages/loginRequestX'"), onTestFinished);
    const r = await docs(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docs: specs/asyncapi/quant-ws.yaml: $ref "#/channels/gateway/messages/loginRequestX" at operations.login.messages.0 points at nothing');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    untouched(dir);
  }, 30_000);
});

describe("replaceFolder (the last step of a build that succeeded)", () => {
  it("puts the new folder in place of the old one, nothing of the old left", () => {
    const dir = tempDir("docs-swap-");
    mkdirSync(join(dir, "api"));
    writeFileSync(join(dir, "api/stale.html"), "old");
    mkdirSync(join(dir, ".api-new-1"));
    writeFileSync(join(dir, ".api-new-1/index.html"), "new");
    replaceFolder(join(dir, ".api-new-1"), join(dir, "api"));
    expect(readdirSync(dir)).toEqual(["api"]);
    expect(readdirSync(join(dir, "api"))).toEqual(["index.html"]);
    expect(existsSync(join(dir, ".api-new-1-old"))).toBe(false);
  });
});
