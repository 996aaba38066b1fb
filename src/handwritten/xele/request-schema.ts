/**
 * Checking a Xele request against its closed schema from the spec. The counter rejects a
 * request with a missing field, an extra field or a wrong type (注意事项 A/B), so the client
 * checks before sending (a UsageError naming every problem) and the emulator checks what it
 * receives (answering 103 / 115 / 116 as the vendor doc's error table describes).
 *
 * The checker is the library's one request validator (core/validate.ts), reading values as JSON.
 */
export { checkSchema, type SchemaProblem, type SchemaProblemKind } from "../core/validate.js";
