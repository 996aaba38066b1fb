/**
 * `tradeapi spec check-doc <api> <doc> --record` writing into a copy of the project's specs:
 * how it writes (never half a spec, never outside the project) and what it keeps of the file.
 */
import * as fs from "node:fs";
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runSpecCommand } from "../../src/cli/spec-command.js";
import { runSpec } from "../helpers/spec-repo.js";
import { parseSpecText } from "../../src/spec-tools/spec-model.js";
import { runCliCaptured } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

// writeFileSync through a spy, so that a test can make it fail half way (a full disk)
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return { ...actual, writeFileSync: vi.fn(actual.writeFileSync) };
});
const realWriteFileSync = (await vi.importActual<typeof import("node:fs")>("node:fs")).writeFileSync;
afterEach(() => void vi.mocked(fs.writeFileSync).mockImplementation(realWriteFileSync));

const XT = "specs/openapi/xt-spot.yaml";
/** A doc whose one section (getMarketConfig's) differs from the one the spec records. */
const DOC = "**交易市场配置**\n\n``\n    GET /data/api/v1/getMarketConfig\n``\n\n>请求参数\n\n>响应数据\n\n市场配置 (a new remark)\n";

/** A copy of the project's API list and specs in a scratch folder, with the doc in it. */
function project(): string {
  const dir = tempDir("record-");
  cpSync("redocly.yaml", join(dir, "redocly.yaml"));
  cpSync("specs", join(dir, "specs"), { recursive: true });
  writeFileSync(join(dir, "doc.md"), DOC);
  return dir;
}

async function record(cwd: string, api = "xt") {
  let stdout = "";
  let stderr = "";
  const code = await runSpecCommand(["check-doc", api, "doc.md", "--record"], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd });
  return { code, stdout, stderr };
}

describe("check-doc --record: how the spec is written", () => {
  it("writes the new record (the baseline the other tests change)", async () => {
    const dir = project();
    const r = await record(dir);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(readFileSync(join(dir, XT), "utf8")).toMatch(/x-doc-section: \{ heading: "交易市场配置", sha256: (?!81b2d348)[0-9a-f]{64} \}/);
  });

  it("in an installed package (under node_modules) it is exit 2 and writes nothing: those specs are not what runs", async () => {
    const installed = join(tempDir("record-installed-"), "node_modules", "tradeapi");
    mkdirSync(installed, { recursive: true });
    cpSync(project(), installed, { recursive: true });
    const before = readFileSync(join(installed, XT), "utf8");
    const r = await record(installed);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/--record edits a spec of a tradeapi clone .* is an installed package, whose specs nothing reads: run it in your clone/);
    expect(readFileSync(join(installed, XT), "utf8") === before).toBe(true);
    // spec diff there names the same (it said "cannot read git ref HEAD … not a git repository")
    const diff = await runSpec(installed, "diff", "xt");
    expect([diff.code, diff.stdout]).toEqual([2, ""]);
    expect(diff.stderr).toMatch(/spec diff compares the specs of a git clone of tradeapi between commits; .* is an installed package: run it in your clone/);
  });

  it("a document that has no operation's section (another API's) is exit 2 and writes nothing", async () => {
    const dir = project();
    const before = readFileSync(join(dir, XT), "utf8");
    // Hubi's document section, given for XT: it would have replaced XT's recorded sections.
    writeFileSync(join(dir, "doc.md"), "## 合约账户信息\n\n```\nPOST /api/v1/contract_account_info\n```\n\nsome text\n");
    const r = await record(dir);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/doc\.md has the section of none of xt's operations \(is it xt's vendor document\?\); nothing recorded/);
    expect(readFileSync(join(dir, XT), "utf8") === before).toBe(true);
  });

  it("a write that fails half way (a full disk) leaves the spec as it was, and no scratch file", async () => {
    const dir = project();
    const before = readFileSync(join(dir, XT), "utf8");
    vi.mocked(fs.writeFileSync).mockImplementation((file, data, options) => {
      if (typeof data !== "string" || data.length < 50_000) return realWriteFileSync(file, data, options);
      realWriteFileSync(file, data.slice(0, data.length >> 1), options);
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    });
    const r = await record(dir);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining("ENOSPC: no space left on device")]);
    expect(readFileSync(join(dir, XT), "utf8") === before, "the spec is whole").toBe(true);
    // (no scratch file left beside the specs: the folder holds the project's specs, as copied)
    expect(readdirSync(join(dir, "specs/openapi")).sort()).toEqual(readdirSync("specs/openapi").sort());
  });

  it("a spec that is a symbolic link to a file outside the project is not written", async () => {
    const dir = project();
    const outside = join(tempDir("record-outside-"), "xt-spot.yaml");
    cpSync(join(dir, XT), outside);
    fs.rmSync(join(dir, XT));
    symlinkSync(outside, join(dir, XT));
    const before = readFileSync(outside, "utf8");
    const r = await record(dir);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", `tradeapi spec: ${XT} is a link to ${fs.realpathSync(outside)}, outside the project; the spec is not written there\n`]);
    expect(readFileSync(outside, "utf8") === before).toBe(true);
  });

  it("a spec that is a symbolic link inside the project is written where it points; the link stays", async () => {
    const dir = project();
    mkdirSync(join(dir, "vendor-specs"));
    fs.renameSync(join(dir, XT), join(dir, "vendor-specs/xt.yaml"));
    symlinkSync("../../vendor-specs/xt.yaml", join(dir, XT));
    const r = await record(dir);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(lstatSync(join(dir, XT)).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "vendor-specs/xt.yaml"), "utf8")).toContain("市场配置");
    expect(readFileSync(join(dir, "vendor-specs/xt.yaml"), "utf8")).not.toContain("81b2d34842667862b587a02f36952d0cd04ca1c44e2285ad0685c824849c9718");
  });

  it("the spec keeps its file mode", async () => {
    const dir = project();
    fs.chmodSync(join(dir, XT), 0o640);
    expect((await record(dir)).code).toBe(0);
    expect(fs.statSync(join(dir, XT)).mode & 0o777).toBe(0o640);
  });
});

describe("check-doc --record: what it keeps of the spec file", () => {
  /** The spec file after `edit`, recorded: [exit code, text]. */
  async function recorded(edit: (spec: string) => string, spec = XT, api = "xt", doc = DOC): Promise<[number, string, string]> {
    const dir = project();
    writeFileSync(join(dir, "doc.md"), doc);
    writeFileSync(join(dir, spec), edit(readFileSync(join(dir, spec), "utf8")));
    const r = await record(dir, api);
    return [r.code, readFileSync(join(dir, spec), "utf8"), r.stderr];
  }

  it("x-vendor-doc's keys after `sections:` and the comment of the key after the block", async () => {
    const [code, text] = await recorded((s) => `${s.replace(/\n*$/, "\n")}  params: flat\n\n# the next key's comment\nx-after: 1\n`);
    expect(code).toBe(0);
    expect(text).toMatch(/\n  sections:\n(    - \{ heading: .*\n)*  params: flat\n\n# the next key's comment\nx-after: 1\n$/);
  });

  it("comments in the sections list stay with their section (above it, or inside it), below the last; a gone section's go with it", async () => {
    const doc = `${DOC}\n**限频规则**\n\nnew limits\n\n**签名说明**\n\nnew signing words\n`;
    const [code, text] = await recorded(
      (s) =>
        s
          .replace(/^( +)(- \{ heading: "REST API")/m, "$1# REST API: the servers list\n$1$2")
          .replace(/^( +)(- \{ heading: "限频规则")/m, "$1# rate limits: reviewed 2026-11\n\n$1#   (two lines)\n$1$2")
          .replace(/^( +)- \{ heading: "签名说明", sha256: (\w+), covers: ("[^"]*") \}$/m, "$1- heading: \"签名说明\"\n$1  # the signing text\n$1  sha256: $2\n$1  covers: $3")
          .replace(/(\n {4}- \{ heading: [^\n]*\n)(?! {4}[-#])/, "$1    # the list's last comment\n"),
      XT,
      "xt",
      doc,
    );
    expect(code).toBe(0);
    const list = /\n  sections:\n((?: {4}.*\n)*)/.exec(text)![1]!;
    expect(list).toMatch(/^ {4}# rate limits: reviewed 2026-11\n {4}# {3}\(two lines\)\n {4}- \{ heading: "限频规则", sha256: [0-9a-f]{64}, covers: "x-rate-limits" \}\n {6}# the signing text\n {4}- \{ heading: "签名说明", sha256: [0-9a-f]{64}, covers: "components\.securitySchemes \(x-signature\)" \}\n {4}# the list's last comment\n$/);
    expect(text).not.toContain("# REST API: the servers list");
  });

  it("an x-vendor-doc without `sections:` gets it at its end, before what follows", async () => {
    const [code, text] = await recorded((s) => `${s.replace(/\n  sections:\n(    - .*\n)*/, "\n")}\n# next\nx-after: 1\n`);
    expect(code).toBe(0);
    expect(text).toMatch(/  ignoreParams: \[accesskey, nonce, signature\]\n  sections:\n\n# next\nx-after: 1\n$/);
  });

  it("a record written in block style is replaced whole (its lines left behind made the spec unreadable)", async () => {
    const [code, text] = await recorded((s) => s.replace(/^( +)x-doc-section: \{ heading: "交易市场配置", sha256: (\w+) \}$/m, '$1x-doc-section:\n$1  heading: "交易市场配置"\n$1  sha256: $2'));
    expect(code).toBe(0);
    expect(text).toMatch(/\n( +)operationId: getMarketConfig\n(\1[^\n]*\n)*?\1x-doc-section: \{ heading: "交易市场配置", sha256: [0-9a-f]{64} \}\n\1[a-z]/);
    expect(text).not.toMatch(/^ +heading: "交易市场配置"$/m);
    expect(text.match(/x-doc-section:/g)).toHaveLength(24);
  });

  it("a comment at column 0 among an operation's keys does not hide its record (a second one was added)", async () => {
    const [code, text] = await recorded((s) => s.replace(/^( +)operationId: getMarketConfig$/m, "$1operationId: getMarketConfig\n# (a note at column 0)"));
    expect(code).toBe(0);
    expect(text.match(/x-doc-section:/g)).toHaveLength(24);
  });

  it("CRLF line ends (a Windows checkout): kept on every line, and AsyncAPI operations are found", async () => {
    for (const [spec, api, doc] of [
      [XT, "xt", DOC],
      ["specs/asyncapi/quant-ws.yaml", "quant-ws", 'login\n请求示例\n{"op": "login", "cid": "x"}\n'],
    ] as const) {
      const [code, text] = await recorded((s) => s.replace(/\n/g, "\r\n"), spec, api, doc);
      expect(code, api).toBe(0);
      expect(text.split("\n").slice(0, -1).filter((l) => !l.endsWith("\r")), `${api}: lines without CR`).toEqual([]);
      expect(text).toMatch(api === "xt" ? /x-doc-section: \{ heading: "交易市场配置", sha256: (?!81b2d348)[0-9a-f]{64} \}\r\n/ : /\r\n  login:\r\n    x-doc-section: \{ heading: "op login", sha256: (?!514a6340)[0-9a-f]{64} \}\r\n/);
    }
  });

  it("a byte order mark at the start of the spec stays", async () => {
    const [code, text] = await recorded((s) => `\ufeff${s}`);
    expect(code).toBe(0);
    expect(text.startsWith("\ufeffopenapi:")).toBe(true);
  });
});

describe("doc section titles with YAML-special and terminal control characters", () => {
  const TITLE = `a: "b" #c \\ 'd' [e] {f} &g *h !i |j >k %l @m \`n\` \u001b[2J\u001b]0;t\u0007 \u007f \u0085 \u009b31m \u2028 \u2029 \u202e evil \u2066 x\ufeffy end`;
  const HOSTILE_DOC = `## ${TITLE} 1\n\nGET /data/api/v1/getMarketConfig\n\n市场配置\n\n## ${TITLE} 2\n\nprose\n`;
  /** What a terminal acts on, or a reader does not see, written as it is. */
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

  it("--record writes them escaped (only \\uXXXX, nothing raw), and reads them back as they were", async () => {
    const dir = project();
    writeFileSync(join(dir, "doc.md"), HOSTILE_DOC);
    expect((await record(dir)).code).toBe(0);
    const text = readFileSync(join(dir, XT), "utf8");
    const written = text.split("\n").filter((l) => l.includes("evil"));
    expect(written).toHaveLength(2);
    for (const l of written) expect(l, l).not.toMatch(RAW);
    const spec = parseSpecText(text, XT) as { paths: Record<string, Record<string, Record<string, { heading: string }>>>; "x-vendor-doc": { sections: Array<{ heading: string }> } };
    expect(spec.paths["/data/api/v1/getMarketConfig"]!.get!["x-doc-section"]!.heading).toBe(`${TITLE} 1`);
    expect(spec["x-vendor-doc"].sections.map((s) => s.heading)).toEqual([`${TITLE} 2`]);
    let stdout = "";
    await runSpecCommand(["check-doc", "xt", "doc.md", "--json"], { stdout: (t) => void (stdout += t), stderr: () => {}, cwd: dir });
    const kinds = (JSON.parse(stdout) as { differences: Array<{ kind: string }> }).differences.map((d) => d.kind);
    expect(kinds.filter((k) => k.startsWith("section-")), "the sections recorded are the doc's").toEqual([]);
  });

  it("the CLI's messages show them escaped", async () => {
    const f = join(tempDir("checkdoc-"), "doc.md");
    writeFileSync(f, HOSTILE_DOC);
    const r = await runCliCaptured(["spec", "check-doc", "xt", f], {});
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("\\u001b[2J\\u001b]0;t\\u0007 \\u007f \\u0085 \\u009b31m");
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});
