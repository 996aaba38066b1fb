/** What the REST APIs share in the CLI: operations and parameters read from the generated metadata. */
import type { ApiMeta } from "../../handwritten/core/meta.js";
import type { CliOperation, CliParam } from "../coerce.js";

/** Every operation of a REST spec, with its parameters (query/path/header, then body fields). */
export function restOperations(meta: ApiMeta): CliOperation[] {
  return meta.operations.map((o) => {
    const form = o.body !== null && /x-www-form-urlencoded/i.test(o.body.contentType);
    const params: CliParam[] = o.params.map((p) => ({
      name: p.name,
      in: p.in,
      required: p.required,
      schema: p.schema,
      ...(p.description ?? p.schema.description ? { description: p.description ?? p.schema.description } : {}),
    }));
    for (const [name, schema] of Object.entries(o.body?.properties ?? {})) {
      params.push({
        name,
        in: form ? "form" : "body",
        required: o.body!.required.includes(name),
        schema,
        ...(schema.description ? { description: schema.description } : {}),
      });
    }
    return { operationId: o.operationId, method: o.method, path: o.path, summary: o.summary, deprecated: o.deprecated, params };
  });
}
