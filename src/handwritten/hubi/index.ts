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
// The spec's generated types and the client's building blocks by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/hubi-futures.js";
export type * from "../core/rest-client.js";
