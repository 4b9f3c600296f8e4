// The benchmark harness. A benchmark measures one or more figures per run; the harness runs it once to warm
// up and then `runs` times, each run in a fresh child process (so one run's heap, caches and peak RSS do
// not leak into the next), and reports the median, min and max of every figure, with the ratio to the
// figure it is compared with. Speed is reported, never asserted.

export type Measurement = {
  /** Unique across the suite: `append.handler.single`. */
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** Whether a bigger value is better (events/s) or worse (latency, bytes). */
  readonly better: 'higher' | 'lower';
  /** The figure this one is compared with, by name (a peer, or the machine's limit). */
  readonly comparedTo?: string;
  /** What the figure is, and any setting that matters to read it right. */
  readonly description: string;
  /** A target from issue 4, when one applies: the harness says whether the median meets it. */
  readonly target?: { readonly value: number; readonly of?: 'absolute' | 'ratio' };
};

export type BenchContext = {
  readonly quick: boolean;
  /** Whether to run the peers it compares with (Emmett); `--no-peers` skips them (they build a native module on first use). */
  readonly peers: boolean;
  /** A directory for fixtures that survive between runs (a 1,000,000-event log is built once). */
  readonly workDir: string;
  readonly log: (line: string) => void;
};

export type Benchmark = {
  /** Unique: `append`, `replay`, `api-latency`, ... */
  readonly name: string;
  readonly run: (context: BenchContext) => Promise<readonly Measurement[]>;
};

export type Figure = {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly better: 'higher' | 'lower';
  readonly description: string;
  readonly comparedTo?: string;
  /** median / comparison's median, when compared. */
  readonly ratio?: number;
  readonly target?: Measurement['target'];
  readonly meetsTarget?: boolean;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Folds the measurements of every run into figures, and relates each to its comparison and target. */
export const summarise = (runs: readonly (readonly Measurement[])[]): Figure[] => {
  const byName = new Map<string, Measurement[]>();
  for (const run of runs) for (const m of run) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
  const figures = [...byName.values()].map((measurements): Figure => {
    const first = measurements[0]!;
    const values = measurements.map((m) => m.value);
    return {
      name: first.name,
      unit: first.unit,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      better: first.better,
      description: first.description,
      ...(first.comparedTo !== undefined && { comparedTo: first.comparedTo }),
      ...(first.target !== undefined && { target: first.target }),
    };
  });
  const medians = new Map(figures.map((f) => [f.name, f.median]));
  return figures.map((figure) => {
    const base = figure.comparedTo === undefined ? undefined : medians.get(figure.comparedTo);
    const ratio = base === undefined || base === 0 ? undefined : figure.median / base;
    const measured = figure.target?.of === 'ratio' ? ratio : figure.median;
    const meetsTarget =
      figure.target === undefined || measured === undefined
        ? undefined
        : figure.better === 'higher'
          ? measured >= figure.target.value
          : measured <= figure.target.value;
    return { ...figure, ...(ratio !== undefined && { ratio }), ...(meetsTarget !== undefined && { meetsTarget }) };
  });
};

const formatNumber = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(Math.abs(n) >= 10 ? 1 : 2));

/** The table printed at the end of a run. */
export const table = (figures: readonly Figure[]): string => {
  const rows = figures.map((f) => [
    f.name,
    `${formatNumber(f.median)} ${f.unit}`,
    `${formatNumber(f.min)}–${formatNumber(f.max)}`,
    String(f.runs),
    f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}× ${f.comparedTo}`,
    f.target === undefined
      ? ''
      : `${f.meetsTarget ? 'met' : 'MISSED'} (${f.target.of === 'ratio' ? `${f.target.value}×` : `${formatNumber(f.target.value)} ${f.unit}`})`,
  ]);
  const header = ['figure', 'median', 'min–max', 'runs', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};
