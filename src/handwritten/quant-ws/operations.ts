/**
 * The quant-ws spec's operations by wire op (`login`, `place_order`, …), as the metadata's
 * type: the one view of them for every module that looks an operation up by its name.
 */
import { quantWsMeta } from "../../../generated/quant-ws.js";
import type { AsyncOperationMeta } from "../core/meta.js";

export const OPERATIONS: Readonly<Record<string, AsyncOperationMeta>> = quantWsMeta.operations;
