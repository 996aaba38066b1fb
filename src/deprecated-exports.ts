/**
 * Helpers of the error module that the root `tradeapi` export published through an
 * `export *` until 0.32.0. They are the library's own plumbing (message wording, marks a
 * client puts on one call's error), no document names them, and they leave the root export
 * in 1.0. Until then they stay, each marked `@deprecated` so that an editor shows it; the
 * errors themselves, their fields and the documented helpers are exported by name from
 * src/index.ts.
 */
import * as errors from "./handwritten/core/errors.js";

/** @deprecated Internal (names error classes after minification); leaves the root export in 1.0. */
export const nameErrors = errors.nameErrors;
/** @deprecated Internal (reads an error constructor's context); leaves the root export in 1.0. */
export const contextOf = errors.contextOf;
/** @deprecated Internal (the wording of an `outcomeUnknown` message; branch on `e.outcomeUnknown`); leaves the root export in 1.0. */
export const OUTCOME_UNKNOWN_NOTE = errors.OUTCOME_UNKNOWN_NOTE;
/** @deprecated Internal (a client's mark on an error shared by calls); leaves the root export in 1.0. */
export const markShared = errors.markShared;
/** @deprecated Internal (a client's copy of an error for one call); leaves the root export in 1.0. */
export const errorForCall = errors.errorForCall;
/** @deprecated Internal (a client's mark on one call's error; read `e.idempotencyKey`); leaves the root export in 1.0. */
export const markIdempotencyKey = errors.markIdempotencyKey;
/** @deprecated Internal (a client's mark on one call's error; read `e.outcomeUnknown`); leaves the root export in 1.0. */
export const markOutcomeUnknown = errors.markOutcomeUnknown;
/** @deprecated Internal (a client's mark on one call's error; read `e.attempts`); leaves the root export in 1.0. */
export const markAttempts = errors.markAttempts;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const UNPRINTABLE = errors.UNPRINTABLE;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const unicodeEscape = errors.unicodeEscape;
/** @deprecated Internal (message wording: every message is already printable); leaves the root export in 1.0. */
export const printable = errors.printable;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const typeName = errors.typeName;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const quoted = errors.quoted;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const shownValue = errors.shownValue;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const aTypeName = errors.aTypeName;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const prefix = errors.prefix;
/** @deprecated Internal (makes the `AbortedError` of a caller's abort); leaves the root export in 1.0. */
export const callerAborted = errors.callerAborted;
/** @deprecated Internal (where a message cuts a server's text); leaves the root export in 1.0. */
export const MAX_SHOWN_TEXT = errors.MAX_SHOWN_TEXT;
/** @deprecated Internal (message wording); leaves the root export in 1.0. */
export const textOf = errors.textOf;
/** @deprecated Internal (the credentials written in a URL); leaves the root export in 1.0. */
export const urlCredentials = errors.urlCredentials;
/** @deprecated Internal (what `util.inspect` shows of an object holding secrets); leaves the root export in 1.0. */
export const describeAs = errors.describeAs;
