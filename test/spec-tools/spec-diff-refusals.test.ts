/**
 * `tradeapi spec diff` refuses, with exit 2 and one message naming the file, a working tree it
 * cannot compare honestly: a `$ref` pointing at nothing, a spec listed in redocly.yaml but
 * missing, a spec that is not UTF-8, one too big, one that does not parse (file:line:col).
 */
import { rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SPEC_BYTES } from "../../src/spec-tools/spec-file.js";
import { demoSpecRepo, runSpec } from "../helpers/spec-repo.js";

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

  it("a YAML error: file:line:col", async () => {
    const d = repo(SPEC);
    writeFileSync(join(d, "specs/demo.yaml"), SPEC.replace("      operationId: getOrder", "      operationId: [getOrder\n        x: y]"));
    const r = await runSpec(d, "diff");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tradeapi spec: specs\/demo\.yaml:8:\d+: does not parse as YAML: /);
    noStack(r.stderr);
  });
});
