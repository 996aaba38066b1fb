/**
 * The docs metadata `npm run generate` writes for a spec (the same extractor, the same bigint
 * handling), from its parsed YAML: for tests that serve or call a fixture spec.
 */
import { extractMeta, normalizeBigints } from "../../scripts/openapi-meta.js";
import { parseJson, stringifyJson } from "../../src/handwritten/core/json.js";
import type { ApiDocMeta } from "../../src/handwritten/core/meta.js";

export function docMetaOf(api: string, file: string, doc: unknown): ApiDocMeta {
  return parseJson(stringifyJson(normalizeBigints(extractMeta(api, file, doc as never)))) as ApiDocMeta;
}
