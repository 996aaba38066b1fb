import { rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";
import { demoSpecRepo, git, runSpec } from "../helpers/spec-repo.js";

const SPEC = `openapi: 3.1.0
info:
  title: Demo
  version: "1"
paths:
  /order:
    get:
      operationId: getOrder
      description: One order.
      x-retryable: true
      parameters:
        - name: id
          in: query
          required: true
          schema:
            type: string
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  price:
                    type: number
  /withdraw:
    get:
      operationId: withdraw
      x-retryable: false
      responses:
        "200":
          description: ok
`;

const run = runSpec;

describe("tradeapi spec diff in a temporary git repository", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    dir = demoSpecRepo("specdiff-", SPEC);
    const edited = SPEC.replace(/  \/withdraw:[\s\S]*$/, "") // remove an operation
      .replace("      parameters:\n", "      parameters:\n        - name: market\n          in: query\n          required: true\n          schema:\n            type: string\n        - name: verbose\n          in: query\n          required: false\n          schema:\n            type: boolean\n")
      .replace("                  price:\n                    type: number", "                  price:\n                    type: string")
      .replace("description: One order.", "description: One order, by id.");
    writeFileSync(join(dir, "specs/demo.yaml"), edited);
  });

  it("--json --fail-on breaking: exit 1, the removed operation, the required parameter and the retyped field are breaking", async () => {
    const r = await run(dir, "diff", "--json", "--fail-on", "breaking");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const changes = JSON.parse(r.stdout) as Array<{ api: string; kind: string; operation?: string; message: string }>;
    const breaking = changes.filter((c) => c.kind === "breaking");
    expect(breaking).toEqual(
      expect.arrayContaining([
        { api: "demo", kind: "breaking", operation: "withdraw", message: "operation removed" },
        { api: "demo", kind: "breaking", operation: "getOrder", message: "required parameter market added" },
        { api: "demo", kind: "breaking", operation: "getOrder", message: 'response field price type "number" → "string"' },
      ]),
    );
    expect(breaking).toHaveLength(3);
    expect(changes).toContainEqual({ api: "demo", kind: "non-breaking", operation: "getOrder", message: "optional parameter verbose added" });
    expect(changes).toContainEqual({ api: "demo", kind: "docs", operation: "getOrder", message: "description changed" });
  });

  it("text output groups per API and operation; without --fail-on the exit code is 0", async () => {
    const r = await run(dir, "diff");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^demo: 3 breaking, 1 non-breaking, 1 docs\n {2}getOrder\n {4}breaking/m);
    expect(r.stdout).toMatch(/ {2}withdraw\n {4}breaking {5}operation removed/);
  });

  it("--markdown: a ### section per API", async () => {
    const r = await run(dir, "diff", "demo", "--markdown");
    expect(r.stdout).toMatch(/^### demo\n\n\*\*Breaking\*\*\n\n- `getOrder`: required parameter market added\n/m);
    expect(r.stdout).toMatch(/\n- `withdraw`: operation removed\n\n\*\*Non-breaking\*\*\n\n- `getOrder`: optional parameter verbose added\n\n\*\*Docs\*\*\n\n- `getOrder`: description changed\n/);
  });

  it("bad input → exit 2 with a clear message and no stack trace", async () => {
    const unknown = await run(dir, "diff", "nope");
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/unknown api "nope"; known: demo/)]);
    const ref = await run(dir, "diff", "--base", "no-such-ref");
    expect([ref.code, ref.stderr]).toEqual([2, expect.stringMatching(/git ref "no-such-ref" does not exist/)]);
    const failOn = await run(dir, "diff", "--fail-on", "docs");
    expect(failOn.code).toBe(2);
    // two formats asked for: neither is picked silently
    const both = await run(dir, "diff", "--json", "--markdown");
    expect([both.code, both.stdout, both.stderr]).toEqual([2, "", expect.stringMatching(/--json and --markdown are two formats: give one/)]);
    const two = await run(dir, "diff", "demo", "other");
    expect([two.code, two.stdout, two.stderr]).toEqual([2, "", expect.stringMatching(/diff takes one API or none \(all of them\), got "demo" "other"/)]);
    for (const r of [unknown, ref, failOn, both, two]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a spec whose skeleton is not maps (paths as a list, an operation that is a list, parameters not a list) → exit 2", async () => {
    const d = tempDir("specdiff-shape-");
    git(d, "init", "-q");
    mkdirSync(join(d, "specs"));
    writeFileSync(join(d, "redocly.yaml"), "apis:\n  demo:\n    root: specs/demo.yaml\n");
    writeFileSync(join(d, "specs/demo.yaml"), SPEC);
    git(d, "add", ".");
    git(d, "commit", "-qm", "spec");
    for (const [text, why] of [
      ["openapi: 3.1.0\npaths: [1, 2]\n", "`paths` is not a map"],
      ["openapi: 3.1.0\npaths:\n  /a:\n    get: [x]\n", "GET /a is not a map"],
      ["openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters: 7\n", "the parameters of GET /a are not a list"],
      ["asyncapi: 3.0.0\noperations: 5\n", "`operations` is not a map"],
    ]) {
      writeFileSync(join(d, "specs/demo.yaml"), text!);
      const r = await run(d, "diff");
      expect([r.code, r.stderr]).toEqual([2, `tradeapi spec: specs/demo.yaml is not a usable ${text!.startsWith("openapi") ? "OpenAPI" : "AsyncAPI"} document: ${why}\n`]);
    }
  });

  it("a spec that does not parse at the base ref → exit 2", async () => {
    const d = tempDir("specdiff-bad-");
    git(d, "init", "-q");
    mkdirSync(join(d, "specs"));
    writeFileSync(join(d, "redocly.yaml"), "apis:\n  demo:\n    root: specs/demo.yaml\n");
    writeFileSync(join(d, "specs/demo.yaml"), "openapi: 3.1.0\npaths: [unclosed\n");
    git(d, "add", ".");
    git(d, "commit", "-qm", "broken");
    writeFileSync(join(d, "specs/demo.yaml"), SPEC);
    const r = await run(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/specs\/demo.yaml:\d+:\d+ \(at HEAD\): does not parse as YAML/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
