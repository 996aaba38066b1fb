/**
 * YAML merge keys (`<<: *anchor`) in a spec are read as YAML 1.1 tools read them (openapi-typescript
 * and Redocly merge them): the metadata, the docs and `spec diff` see the merged mapping. They
 * read `<<` as a property named "<<" before, so the metadata of a schema lost its `type` while the
 * generated types kept it, and `spec diff` reported an "annotation" added.
 */
import { describe, expect, it } from "vitest";
import { diffSpec } from "../../src/spec-tools/spec-diff.js";
import { parseSpecYaml } from "../../src/spec-tools/spec-file.js";

const spec = (payOut: string) => `openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /pay:
    get:
      operationId: pay
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  in: { $ref: "#/components/schemas/PayIn" }
                  out: { $ref: "#/components/schemas/PayOut" }
components:
  schemas:
    PayIn: &payin
      type: object
      properties:
        address: { type: string }
    PayOut:
${payOut}
`;

describe("YAML merge keys in a spec", () => {
  it("are merged when the spec is read", () => {
    const doc = parseSpecYaml(spec("      <<: *payin\n      description: where it goes"), "t.yaml") as { components: { schemas: Record<string, Record<string, unknown>> } };
    expect(doc.components.schemas.PayOut).toEqual({ type: "object", properties: { address: { type: "string" } }, description: "where it goes" });
    expect(doc.components.schemas.PayOut).not.toHaveProperty("<<");
  });

  it("a mapping written out and the same mapping merged from an anchor are no change to spec diff", async () => {
    const before = parseSpecYaml(spec("      type: object\n      properties:\n        address: { type: string }"), "before.yaml");
    const after = parseSpecYaml(spec("      <<: *payin"), "after.yaml");
    expect(await diffSpec("t", before as never, after as never)).toEqual([]);
  });
});
