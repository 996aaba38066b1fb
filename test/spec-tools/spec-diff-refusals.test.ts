/**
 * `tradeapi spec diff` refuses, with exit 2 and one message naming the file, a working tree it
 * cannot compare honestly: a `$ref` pointing at nothing, a spec listed in redocly.yaml but
 * missing, a spec that is not UTF-8, one too big, one that does not parse (file:line:col).
 * The version at the base ref is read the same way, named `<file> at <ref>`; a spec that was
 * not there at the ref is an API added, and a ref that does not exist is named.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SPEC_BYTES } from "../../src/spec-tools/spec-file.js";
import { demoSpecRepo, git, runSpec } from "../helpers/spec-repo.js";

const SPEC = `openapi: 3.1.0
info:
  title: Demo
  version: "1"
paths:
  /order:
    get:
      operationId: getOrder
      x-retryable: true
      parameters:
        - name: id
          in: query
          required: true
          schema:
            $ref: "#/components/schemas/OrderId"
      responses:
        "200":
          description: ok
components:
  schemas:
    OrderId:
      type: integer
`;

const ASYNC = `asyncapi: 3.0.0
info:
  title: Demo WS
  version: "1"
channels:
  gateway:
    address: /ws
    messages:
      login:
        $ref: "#/components/messages/login"
      logout:
        $ref: "#/components/messages/logout"
operations:
  login:
    action: send
    channel:
      $ref: "#/channels/gateway"
    messages:
      - $ref: "#/channels/gateway/messages/login"
components:
  messages:
    login:
      payload:
        type: object
    logout:
      payload:
        type: object
`;

const dirs: string[] = [];
const repo = (spec: string) => {
  const d = demoSpecRepo("specdiff-refuse-", spec);
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe("spec diff refuses a spec it cannot compare (exit 2, the file named)", () => {
  it("a component renamed while a $ref still names the old one: the $ref and where it is used", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "specs/demo.yaml"), SPEC.replace("    OrderId:\n      type: integer", "    OrderIdX:\n      type: integer"));
    const r = await runSpec(d, "diff", "--fail-on", "breaking");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("specs/demo.yaml: a $ref points at nothing");
    expect(r.stderr).toContain('$ref "#/components/schemas/OrderId" at paths./order.get.parameters.0.schema');
    noStack(r.stderr);
  });

  it("a $ref into another file (whose changes it would not see; a missing one exited 0)", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "specs/demo.yaml"), SPEC.replace('$ref: "#/components/schemas/OrderId"', '$ref: "./missing.yaml#/OrderId"'));
    const r = await runSpec(d, "diff");
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toContain("specs/demo.yaml: a $ref points into another file (a spec is one file: put what it names under components)");
    expect(r.stderr).toContain('$ref "./missing.yaml#/OrderId" at paths./order.get.parameters.0.schema (another file)');
    noStack(r.stderr);
  });

  it("AsyncAPI: an operation pointed at a message that does not exist", async () => {
    const d = repo(ASYNC);
    writeFileSync(join(d, "specs/demo.yaml"), ASYNC.replace('      - $ref: "#/channels/gateway/messages/login"', '      - $ref: "#/channels/gateway/messages/logon"'));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$ref "#/channels/gateway/messages/logon" at operations.login.messages.0');
  });

  it("a spec whose $refs all resolve is compared as before", async () => {
    const d = repo(ASYNC);
    writeFileSync(join(d, "specs/demo.yaml"), ASYNC.replace('      - $ref: "#/channels/gateway/messages/login"', '      - $ref: "#/channels/gateway/messages/logout"'));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("messages");
  });

  it("a spec listed in redocly.yaml but deleted: named, not reported as the API removed", async () => {
    const d = repo(SPEC);
    unlinkSync(join(d, "specs/demo.yaml"));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("redocly.yaml api `demo`: root specs/demo.yaml does not exist");
    expect(r.stdout).not.toContain("API removed");
  });

  it("a byte that is not UTF-8: the file, line and column", async () => {
    const d = repo(SPEC);
    const text = SPEC.replace("title: Demo", "title: Caf\u0000");
    const bytes = Buffer.from(text, "utf8");
    bytes[bytes.indexOf(0)] = 0xe9; // Latin-1 é
    writeFileSync(join(d, "specs/demo.yaml"), bytes);
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("specs/demo.yaml:3:13: not UTF-8 text (byte 0xE9)");
    expect(r.stdout).not.toContain("\uFFFD");
  });

  it("a spec over the size limit", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "specs/demo.yaml"), SPEC + `# ${"x".repeat(MAX_SPEC_BYTES)}\n`);
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/specs\/demo\.yaml is 16\.0 MiB, larger than the 16 MiB a spec may be/);
  });

  it("YAML aliases that expand it past 2,000,000 values: an anchor without aliases used often (the parser's own limit passed it: minutes, 2 GB), and the classic 'billion laughs'", async () => {
    const d = repo(SPEC);
    const flat = `x-a: &a [${Array.from({ length: 10_000 }, (_, i) => i).join(", ")}]\nx-b: [${Array(1000).fill("*a").join(", ")}]\n`;
    writeFileSync(join(d, "specs/demo.yaml"), SPEC + flat);
    const t0 = performance.now();
    const r = await runSpec(d, "diff");
    expect(performance.now() - t0).toBeLessThan(15_000); // minutes before the limit; a loaded CI machine takes seconds
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toContain("tradeapi spec: specs/demo.yaml: its YAML aliases (*name) expand it to 10,011,0");
    expect(r.stderr).toContain("more than the 2,000,000 a spec may hold: write the repeated part once, as a component its users $ref");
    const laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ..."bcdefghi".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)].join("\n");
    writeFileSync(join(d, "specs/demo.yaml"), `${SPEC}x-laughs:\n${laughs.replace(/^/gm, "  ")}\n`);
    const bomb = await runSpec(d, "diff");
    expect([bomb.code, bomb.stderr]).toEqual([2, expect.stringMatching(/^tradeapi spec: specs\/demo\.yaml: its YAML aliases \(\*name\) expand it to [\d,]+ values/)]);
    // a chain of 10,000 anchors, each naming the one before: counted in one pass (each alias was
    // resolved by a walk of the whole document: 86 s)
    let chain = "x-c0: &c0 1\n";
    for (let i = 1; i < 10_000; i++) chain += `x-c${i}: &c${i} [*c${i - 1}]\n`;
    writeFileSync(join(d, "specs/demo.yaml"), SPEC + chain);
    const t1 = performance.now();
    const long = await runSpec(d, "diff");
    expect(performance.now() - t1).toBeLessThan(20_000);
    expect([long.code, long.stderr]).toEqual([2, expect.stringMatching(/expand it to 50,0\d\d,\d{3} values/)]);
  }, 60_000);

  it("a YAML error: file:line:col", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "specs/demo.yaml"), SPEC.replace("      operationId: getOrder", "      operationId: [getOrder\n        x: y]"));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tradeapi spec: specs\/demo\.yaml:8:\d+: does not parse as YAML: /);
    noStack(r.stderr);
  });
});

/** A repository whose HEAD~1 holds `base` as specs/demo.yaml and whose HEAD (and working tree) holds `SPEC`. */
const repoWithBase = (base: string | Buffer) => {
  const d = repo(SPEC);
  writeFileSync(join(d, "specs/demo.yaml"), base);
  git(d, "commit", "-qam", "base");
  writeFileSync(join(d, "specs/demo.yaml"), SPEC);
  git(d, "commit", "-qam", "fixed");
  return d;
};

describe("the version at the base ref is read the same way, named `<file> at <ref>`", () => {
  it("a $ref pointing at nothing at the ref: refused, not shown as the component added/removed", async () => {
    const d = repoWithBase(SPEC.replace("    OrderId:\n      type: integer", "    OrderIdX:\n      type: integer"));
    const r = await runSpec(d, "diff", "--base", "HEAD~1", "--fail-on", "breaking");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("tradeapi spec: specs/demo.yaml at HEAD~1: a $ref points at nothing");
    expect(r.stderr).toContain('$ref "#/components/schemas/OrderId" at paths./order.get.parameters.0.schema');
    expect(r.stderr).toContain("--base");
    noStack(r.stderr);
  });

  it("AsyncAPI: a message $ref pointing at nothing at the ref", async () => {
    const d = repo(ASYNC.replace('      - $ref: "#/channels/gateway/messages/login"', '      - $ref: "#/channels/gateway/messages/logon"'));
    writeFileSync(join(d, "specs/demo.yaml"), ASYNC);
    const r = await runSpec(d, "diff", "--json");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('specs/demo.yaml at HEAD: a $ref points at nothing');
    expect(r.stderr).toContain('$ref "#/channels/gateway/messages/logon" at operations.login.messages.0');
  });

  it("a YAML error at the ref: file:line:col and the ref", async () => {
    const d = repoWithBase(SPEC.replace("      operationId: getOrder", "      operationId: [getOrder\n        x: y]"));
    const r = await runSpec(d, "diff", "--base", "HEAD~1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tradeapi spec: specs\/demo\.yaml:8:\d+ \(at HEAD~1\): does not parse as YAML: /);
    noStack(r.stderr);
  });

  it("a byte that is not UTF-8 at the ref: file, line, column and the ref", async () => {
    const bytes = Buffer.from(SPEC.replace("title: Demo", "title: Caf\u0000"), "utf8");
    bytes[bytes.indexOf(0)] = 0xe9; // Latin-1 é
    const d = repoWithBase(bytes);
    const r = await runSpec(d, "diff", "--base", "HEAD~1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("specs/demo.yaml:3:13 (at HEAD~1): not UTF-8 text (byte 0xE9)");
  });

  it("a spec over the size limit at the ref", async () => {
    const d = repoWithBase(SPEC + `# ${"x".repeat(MAX_SPEC_BYTES)}\n`);
    const r = await runSpec(d, "diff", "--base", "HEAD~1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/specs\/demo\.yaml at HEAD~1 is 16\.0 MiB, larger than the 16 MiB a spec may be/);
  });

  it("a spec git cannot read at the ref (its object missing): named, not reported as the API added", async () => {
    const d = repo(SPEC);
    const oid = git(d, "rev-parse", "HEAD:specs/demo.yaml").trim();
    unlinkSync(join(d, ".git/objects", oid.slice(0, 2), oid.slice(2)));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("specs/demo.yaml at HEAD cannot be read: ");
    expect(r.stdout).not.toContain("API added");
  });

  it("a folder where the spec is at the ref: not a file", async () => {
    const d = repo(SPEC);
    git(d, "rm", "-q", "specs/demo.yaml");
    mkdirSync(join(d, "specs/demo.yaml"), { recursive: true });
    writeFileSync(join(d, "specs/demo.yaml/part.yaml"), SPEC);
    git(d, "add", ".");
    git(d, "commit", "-qm", "a folder");
    rmSync(join(d, "specs/demo.yaml"), { recursive: true });
    writeFileSync(join(d, "specs/demo.yaml"), SPEC);
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("tradeapi spec: specs/demo.yaml at HEAD is not a file");
  });

  it("a spec that is a symbolic link at the ref is read through it, as in the working tree", async () => {
    const d = repo(SPEC);
    renameSync(join(d, "specs/demo.yaml"), join(d, "specs/demo-v1.yaml"));
    symlinkSync("demo-v1.yaml", join(d, "specs/demo.yaml"));
    git(d, "add", "-A");
    git(d, "commit", "-qm", "a link");
    writeFileSync(join(d, "specs/demo-v1.yaml"), SPEC.replace("      x-retryable: true\n", "      x-retryable: true\n      deprecated: true\n"));
    const r = await runSpec(d, "diff");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("demo: 0 breaking, 1 non-breaking, 0 docs");
    expect(r.stdout).toContain("deprecated");
  });

  it("redocly.yaml that does not parse at the ref: redocly.yaml:line:col and the ref", async () => {
    const d = repo(SPEC);
    const registry = readFileSync(join(d, "redocly.yaml"), "utf8");
    writeFileSync(join(d, "redocly.yaml"), "apis: [\n");
    git(d, "commit", "-qam", "broken registry");
    writeFileSync(join(d, "redocly.yaml"), registry);
    git(d, "commit", "-qam", "registry fixed");
    const r = await runSpec(d, "diff", "--base", "HEAD~1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tradeapi spec: redocly\.yaml:2:1 \(at HEAD~1\): does not parse as YAML: /);
    noStack(r.stderr);
  });

  it("an API added since the ref (not in its redocly.yaml): a normal diff, the API added", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "redocly.yaml"), "apis:\n  demo:\n    root: specs/demo.yaml\n  two:\n    root: specs/two.yaml\n");
    writeFileSync(join(d, "specs/two.yaml"), ASYNC);
    const r = await runSpec(d, "diff", "--fail-on", "breaking");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("two: 0 breaking, 1 non-breaking, 0 docs\n  (document)\n    non-breaking API added (1 operations)\n");
  });

  it("an API listed in redocly.yaml at the ref whose spec was not there yet: the API added, not an error", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "redocly.yaml"), "apis:\n  demo:\n    root: specs/demo.yaml\n  two:\n    root: specs/two.yaml\n");
    git(d, "commit", "-qam", "two listed before its spec");
    writeFileSync(join(d, "specs/two.yaml"), ASYNC);
    const r = await runSpec(d, "diff");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("two: 0 breaking, 1 non-breaking, 0 docs");
    expect(r.stdout).toContain("API added (1 operations)");
  });

  it("a base ref that does not exist: exit 2 naming the ref", async () => {
    const d = repo(SPEC);
    const r = await runSpec(d, "diff", "--base", "v9.9.9");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tradeapi spec: git ref "v9\.9\.9" does not exist in /);
    noStack(r.stderr);
  });

  it("a redocly.yaml in the working tree that is not YAML: exit 2, one line with its line and column", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "redocly.yaml"), "apis:\n  demo: [\n");
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tradeapi spec: redocly\.yaml:3:1: does not parse as YAML: [^\n]+\n$/);
  });

  it("a project that is not in a git repository: exit 2 saying so, not that the ref does not exist", async () => {
    const d = repo(SPEC);
    rmSync(join(d, ".git"), { recursive: true, force: true });
    const r = await runSpec(d, "diff", "--base", "HEAD");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tradeapi spec: cannot read git ref "HEAD" in .*: fatal: not a git repository/);
    noStack(r.stderr);
  });

  it("a project in a folder of the repository: its files at the ref are found (not every API added)", async () => {
    const d = repo(SPEC);
    mkdirSync(join(d, "sub"));
    git(d, "mv", "redocly.yaml", "specs", "sub/");
    git(d, "commit", "-qm", "the project moves into sub/");
    writeFileSync(join(d, "sub/specs/demo.yaml"), SPEC.replace("      x-retryable: true\n", "      x-retryable: true\n      deprecated: true\n"));
    const r = await runSpec(join(d, "sub"), "diff");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("API added");
    expect(r.stdout).toContain("deprecated");
  });
});
