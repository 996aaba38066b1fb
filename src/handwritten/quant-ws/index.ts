/** `tradeapi/quant-ws`: the Quant trading gateway WebSocket client. */
export * from "./client.js";
export * from "./errors.js";
export {
  QuantWsSession,
  type CancelAllOutcome,
  type CancelOrderOutcome,
  type Platform,
  type NotReadyPolicy,
  type QuantWsLogin,
  type QuantWsSessionEvents,
  type RequestFields,
  type RequestOptions,
  type SessionOp,
  type SessionStateEvent,
} from "./session.js";
export type { StreamOptions } from "./events.js";
export { decodeFrame, type IncomingFrame, type RequestOp, type Topic } from "./frames.js";
export { quantWsMeta, StateCode } from "../../../generated/quant-ws.js";
export type * from "../../../generated/quant-ws.js";
