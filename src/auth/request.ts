/**
 * The request shape the pure signers (`authorizeXt`, `authorizeHubi`, `authorizeBhex`, …)
 * take and give back: ccxt's one-`sign()`-per-exchange idea, request in, signed request out.
 * Values are raw (not URL-encoded); the transport encodes them once, on the wire.
 */
export interface SignableRequest {
  method: string;
  /** Concrete path (path parameters filled in), without the base URL. */
  path: string;
  query: Array<[string, string]>;
  /** Form-urlencoded body fields, in the order sent (null: no form body). */
  form: Array<[string, string]> | null;
  headers: Record<string, string>;
}

/**
 * A signed request: the input with credentials added, plus `secrets`, every secret-derived
 * value the signer put on it (key, signature, nonce, token …), so that errors can remove them.
 */
export type SignedRequest<R extends SignableRequest> = R & { secrets: string[] };
