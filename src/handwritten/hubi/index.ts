/** `tradeapi/hubi`: the Hubi futures REST client. */
export * from "./client.js";
export { checkHubiBody, checkHubiErrorBody, hubiErrorCode, hubiErrorFromBody } from "./errors.js";
export {
  HUBI_API_VERSION,
  authorizeHubi,
  type HubiAuthInput,
  hubiNonce,
  hubiSignedText,
  hubiTimestamp,
  signHubiRequest,
  type HubiAuthHeaders,
  type HubiSignInput,
  type HubiSignedParams,
  type HubiValueEncoding,
} from "../../auth/hubi.js";
export { meta as hubiMeta } from "../../../generated/hubi-futures.meta.js";
export type { paths as HubiPathsSpec, components as HubiComponents } from "../../../generated/hubi-futures.js";
