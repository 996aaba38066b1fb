/** `tradeapi/xt`: the XT spot v1 client. */
export * from "./client.js";
export * from "./batch.js";
export {
  authorizeXt,
  signXtParams,
  xtCanonicalString,
  xtNonce,
  XT_SIGNATURE_VARIANTS,
  type XtAuthInput,
  type XtSignatureVariant,
  type XtSignOptions,
} from "../../auth/xt.js";
export { meta as xtMeta } from "../../../generated/xt-spot.meta.js";
export type { paths as XtPathsSpec, components as XtComponents } from "../../../generated/xt-spot.js";
// The spec's generated types and the client's building blocks by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/xt-spot.js";
export type * from "../core/rest-client.js";
