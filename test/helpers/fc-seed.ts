/**
 * The seed of a property test: the one it is written with, so `npm test` runs the same cases
 * every time (a run that fails does not land, and one that found a new case by chance would
 * fail at random). `npm run fuzz` sets FC_SEED=random to explore new cases (fast-check prints
 * the seed and the case of a failure); FC_SEED=<number> runs every property on that seed.
 */
export function fcSeed(fixed: number): number | undefined {
  const env = process.env.FC_SEED;
  if (env === undefined || env === "") return fixed;
  if (env === "random") return undefined;
  const n = Number(env);
  if (!Number.isSafeInteger(n)) throw new Error(`FC_SEED must be "random" or a whole number, got ${JSON.stringify(env)}`);
  return n;
}
