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
