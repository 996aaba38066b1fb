/** Emulator handler tables: per-operation functions of (state, request), bound to one state. */
import { UndeclaredRead, type MockReply, type MockRequest } from "./http-mock.js";

export type StateHandler<S> = (state: S, req: MockRequest) => MockReply;

/**
 * Bind every handler of `table` to `state`. `onError` (optional) answers what a handler
 * throws (by operationId); without it, or when it rethrows, the error reaches the HTTP core
 * (a 500). A read of a name the spec does not declare always reaches it (a 500 naming it, not
 * the vendor's internal error, which a client takes for the server's).
 */
export function bindHandlers<S>(
  table: Readonly<Partial<Record<string, StateHandler<S>>>>,
  state: S,
  onError?: (operationId: string, error: unknown) => MockReply,
): Record<string, (req: MockRequest) => MockReply> {
  const bound: Record<string, (req: MockRequest) => MockReply> = {};
  for (const [id, handler] of Object.entries(table)) {
    if (!handler) continue;
    bound[id] = !onError
      ? (req) => handler(state, req)
      : (req) => {
          try {
            return handler(state, req);
          } catch (e) {
            if (e instanceof UndeclaredRead) throw e;
            return onError(id, e);
          }
        };
  }
  return bound;
}
