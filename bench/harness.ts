/** Tiny helpers shared by the benchmarks: interleaved rounds, medians, ratio lines. */
export interface Sample {
  name: string;
  /** ms per round */
  rounds: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run `a` and `b` alternately for `rounds` rounds (after `warmup` rounds of each, not counted). */
export async function interleave(
  a: { name: string; run: () => Promise<void> | void },
  b: { name: string; run: () => Promise<void> | void },
  rounds: number,
  warmup = 2,
): Promise<[Sample, Sample]> {
  const sa: Sample = { name: a.name, rounds: [] };
  const sb: Sample = { name: b.name, rounds: [] };
  for (let i = 0; i < warmup; i++) {
    await a.run();
    await b.run();
  }
  for (let i = 0; i < rounds; i++) {
    const [first, second, s1, s2] = i % 2 ? [b, a, sb, sa] : [a, b, sa, sb];
    let t = performance.now();
    await first.run();
    s1.rounds.push(performance.now() - t);
    t = performance.now();
    await second.run();
    s2.rounds.push(performance.now() - t);
  }
  return [sa, sb];
}

export function report(title: string, subject: Sample, baseline: Sample, unit: { per: number; label: string }, target: string): void {
  const ms = median(subject.rounds);
  const base = median(baseline.rounds);
  const ratio = ms / base;
  console.log(`\n${title}`);
  console.log(`  ${baseline.name.padEnd(44)} ${(base / unit.per).toFixed(4)} ms/${unit.label} (median of ${baseline.rounds.length} rounds)`);
  console.log(`  ${subject.name.padEnd(44)} ${(ms / unit.per).toFixed(4)} ms/${unit.label}`);
  console.log(`  ratio ${ratio.toFixed(3)}× the baseline (target ${target})`);
}
