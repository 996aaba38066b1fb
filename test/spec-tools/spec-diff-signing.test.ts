/**
 * A signing change (a security scheme's `x-signature`, the headers its signer adds) is written
 * into code by hand: the signer (src/auth/<api>.ts) and the emulator's check
 * (src/mock/<api>/auth.ts), whose known-answer tests pin the old signing, so nothing else fails.
 * `spec diff` and generate's summary name those files on the change's line.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readApis, ROOT } from "../../scripts/api-registry.js";
import { handWrittenSigning } from "../../src/spec-tools/project.js";
import { formatSummary } from "../../src/spec-tools/spec-diff.js";
import { specChanges } from "../../src/spec-tools/git-changes.js";
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
      responses:
        "200":
          description: ok
components:
  securitySchemes:
    demoKey:
      type: apiKey
      in: query
      name: accesskey
      x-headers:
        - { name: X-Version, value: "1.0.0", description: the version }
      x-signature:
        algorithm: HMAC-SHA256 keyed with the secret key
        encoding: lowercase hex
        keyHeader: X-ACCESS-KEY
        notes: the vendor's SDK agrees
security:
  - demoKey: []
`;

const NOTE = "implemented by hand in src/auth/demo.ts and the emulator's signature check (src/mock/demo/auth.ts): update them and their known-answer tests";

describe("a signing change names the code that implements it by hand", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    dir = demoSpecRepo("specdiff-signing-", SPEC);
    mkdirSync(join(dir, "src/auth"), { recursive: true });
    mkdirSync(join(dir, "src/mock/demo"), { recursive: true });
    writeFileSync(join(dir, "src/auth/demo.ts"), "// the signer\n");
    writeFileSync(join(dir, "src/mock/demo/auth.ts"), "// the emulator's check\n");
    writeFileSync(
      join(dir, "specs/demo.yaml"),
      SPEC.replace("algorithm: HMAC-SHA256", "algorithm: HMAC-SHA512").replace('value: "1.0.0"', 'value: "2.0.0"').replace("the vendor's SDK agrees", "the vendor's SDKs agree").replace("keyHeader: X-ACCESS-KEY", "keyHeader: X-BH-APIKEY"),
    );
  });

  it("spec diff: the algorithm, a signed header's value and any other key of x-signature but its prose (keyHeader) are breaking, each naming the signer and the emulator's check; the prose is docs, without", async () => {
    const r = await runSpec(dir, "diff");
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`breaking     security scheme demoKey: x-signature.algorithm: "HMAC-SHA256 keyed with the secret key" → "HMAC-SHA512 keyed with the secret key" (${NOTE})`);
    expect(r.stdout).toContain(`breaking     security scheme demoKey: signed headers x-headers.0.value: "1.0.0" → "2.0.0" (${NOTE})`);
    expect(r.stdout).toContain(`breaking     security scheme demoKey: x-signature.keyHeader: "X-ACCESS-KEY" → "X-BH-APIKEY" (${NOTE})`);
    expect(r.stdout).toMatch(/docs {9}security scheme demoKey: x-signature\.notes: .*"the vendor's SDKs agree"\n/);
    const changes = await specChanges(dir);
    expect(changes.filter((c) => c.handWritten).map((c) => c.handWritten)).toEqual([NOTE, NOTE, NOTE]);
    expect(formatSummary(changes, "HEAD")).toContain(`BREAKING demo: security scheme demoKey: x-signature.algorithm: "HMAC-SHA256 keyed with the secret key" → "HMAC-SHA512 keyed with the secret key" (${NOTE})`);
  });

  it("--json carries it as handWritten; the markdown for CHANGELOG.md (what changed for consumers) does not", async () => {
    const json = JSON.parse((await runSpec(dir, "diff", "--json")).stdout) as Array<{ message: string; handWritten?: string }>;
    expect(json.find((c) => c.message.includes("x-signature.algorithm"))?.handWritten).toBe(NOTE);
    expect((await runSpec(dir, "diff", "--markdown")).stdout).not.toContain("implemented by hand");
  });

  it("only the files there are: without an emulator check, the signer alone", async () => {
    rmSync(join(dir, "src/mock"), { recursive: true });
    const changes = await specChanges(dir);
    expect(changes.find((c) => c.message.includes("x-signature.algorithm"))?.handWritten).toBe("implemented by hand in src/auth/demo.ts: update it and its known-answer tests");
  });
});

describe("the project's signers, by its layout", () => {
  it("every API's signing files exist; XT, Hubi and BHEX have a signer and an emulator check", () => {
    for (const api of readApis()) for (const f of handWrittenSigning(ROOT, api.name)) expect(existsSync(join(ROOT, f)), f).toBe(true);
    for (const api of ["xt", "hubi", "bhex"]) expect(handWrittenSigning(ROOT, api)).toEqual([`src/auth/${api}.ts`, `src/mock/${api}/auth.ts`]);
  });
});
