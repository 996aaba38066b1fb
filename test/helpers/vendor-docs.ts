/**
 * The five vendor docs the specs were written from. They live next to the project checkout
 * (../shared/seeds), not in the repository: a checkout without them skips the tests that read
 * them, and says so once; with them, those tests run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const VENDOR_DOCS = join(process.cwd(), "../shared/seeds");
export const hasVendorDocs = existsSync(VENDOR_DOCS);
if (!hasVendorDocs) console.warn(`vendor docs not found at ${VENDOR_DOCS}: the tests that read them are skipped`);
