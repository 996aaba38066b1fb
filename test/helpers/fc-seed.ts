/**
 * The seed of a property test: the one it is written with, so `npm test` runs the same cases
 * every time (a run that fails does not land, and one that found a new case by chance would
 * fail at random). `npm run fuzz` sets FC_SEED=random: one new seed per test file, printed
 * (`fc.sample` prints none of its own), and FC_SEED=<that number> runs the file's properties
 * and samples on it again.
 */
let random: number | undefined;

export function fcSeed(fixed: number): number {
  const env = process.env.FC_SEED;
  if (env === undefined || env === "") return fixed;
  if (env === "random") {
    if (random === undefined) {
      random = (Math.random() * 2 ** 31) | 0;
      console.log(`fast-check: FC_SEED=${random} (this file's properties again: FC_SEED=${random} npm run fuzz -- <file>)`);
    }
    return random;
  }
  const n = Number(env);
  if (!Number.isSafeInteger(n)) throw new Error(`FC_SEED must be "random" or a whole number, got ${JSON.stringify(env)}`);
  return n;
}
