/**
 * Each ApiError subclass's `kind` is the one its class stands for, in its type (so that
 * `e.kind === "rate-limit"` narrows, and one class is no other's type) and at run time, whatever
 * a caller's init says. Type parts are checked by `npm run typecheck`.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ApiError,
  AuthError,
  InsufficientFundsError,
  InvalidRequestError,
  OrderNotFoundError,
  RateLimitError,
  ServiceUnavailableError,
  TimestampError,
  type ErrorKind,
} from "../../src/handwritten/core/errors.js";

describe("error kinds", () => {
  it("are typed per class, and sibling classes are not each other's type", () => {
    expectTypeOf<RateLimitError["kind"]>().toEqualTypeOf<"rate-limit">();
    expectTypeOf<AuthError["kind"]>().toEqualTypeOf<"auth" | "timestamp">();
    expectTypeOf<TimestampError["kind"]>().toEqualTypeOf<"timestamp">();
    expectTypeOf<ApiError["kind"]>().toEqualTypeOf<ErrorKind>();
    expectTypeOf<OrderNotFoundError>().not.toExtend<RateLimitError>();
    expectTypeOf<InsufficientFundsError>().not.toExtend<RateLimitError>();
    expectTypeOf<InvalidRequestError>().not.toExtend<ServiceUnavailableError>();
    expectTypeOf<TimestampError>().toExtend<AuthError>();
    const e = new ApiError({ code: 1, kind: "rate-limit" }) as ApiError;
    if (e instanceof AuthError && e.kind === "timestamp") expectTypeOf(e.kind).toEqualTypeOf<"timestamp">();
  });

  it("is the class's own at run time, whatever init says; an ApiError takes init's", () => {
    expect(new RateLimitError({ code: 1 }).kind).toBe("rate-limit");
    expect(new RateLimitError({ code: 1, kind: "auth" } as never).kind).toBe("rate-limit");
    expect(new TimestampError({ code: 1, kind: "auth" }).kind).toBe("timestamp");
    expect(new ServiceUnavailableError({ code: 1 }).kind).toBe("unavailable");
    expect(new ApiError({ code: 1, kind: "order-not-found" }).kind).toBe("order-not-found");
    expect(new ApiError({ code: 1 }).kind).toBe("other");
  });
});
