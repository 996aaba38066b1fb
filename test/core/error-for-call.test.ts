/**
 * errorForCall: one call's copy of an error several callers meet (a shared login's failure, a
 * refused token, a session's end). The copy names the call's operation; the facts of the call
 * that met the error (how many attempts it made, its idempotency key, whether its outcome is
 * unknown) are that call's, not the copy's: they stay on the cause.
 */
import { describe, expect, it } from "vitest";
import { AuthError, errorForCall, markAttempts, markIdempotencyKey, markOutcomeUnknown, OUTCOME_UNKNOWN_NOTE } from "../../src/handwritten/core/errors.js";

describe("errorForCall", () => {
  it("the copy names its call and keeps the error's fields, not the attempts, idempotency key or outcome of the call that met it", () => {
    const login = new AuthError({ api: "xele", operation: "login", code: 114, vendorMessage: "wrong user name or password" });
    markIdempotencyKey(login, { param: "client_order_id", value: "k-1" });
    markAttempts(login, 3);
    markOutcomeUnknown(login);
    expect(login).toMatchObject({ attempts: 3, outcomeUnknown: true, idempotencyKey: { value: "k-1" } });
    const copy = errorForCall(login, { api: "xele", operation: "getPositions" }, "the login failed: ");
    expect(copy).toBeInstanceOf(AuthError);
    expect(copy).not.toBe(login);
    expect(copy.cause).toBe(login);
    expect(copy).toMatchObject({ api: "xele", operation: "getPositions", code: 114 });
    expect(copy.attempts).toBeUndefined();
    expect(copy.idempotencyKey).toBeUndefined();
    expect(copy.outcomeUnknown).toBeUndefined();
    expect(copy.message).toMatch(/^xele getPositions: the login failed: after 3 attempts: code 114 wrong user name or password/);
    expect(copy.message).not.toContain(OUTCOME_UNKNOWN_NOTE);
    expect(copy.toJSON()).not.toHaveProperty("attempts");
    // The copy is its own call's: marking it marks neither the error nor another copy.
    markOutcomeUnknown(copy);
    expect(copy.outcomeUnknown).toBe(true);
    expect(errorForCall(login, { api: "xele", operation: "queryOrders" }, "").outcomeUnknown).toBeUndefined();
  });
});
