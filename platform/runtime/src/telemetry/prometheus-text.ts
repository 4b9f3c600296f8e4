// A strict reader of the Prometheus text exposition format (0.0.4), for tests: what /metrics serves must
// parse line by line (HELP, TYPE, samples with quoted labels), every sample must belong to a declared family,
// and a histogram's series must be whole (buckets by `le` up to +Inf, non-decreasing, `_sum`, `_count`).

export type Sample = { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number };
export type Family = { readonly name: string; readonly type: string; readonly help?: string; readonly samples: Sample[] };

const metricName = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const labelPair = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const sampleLine = new RegExp(`^(${metricName})(?:\\{((?:${labelPair},?)*)\\})? (\\S+)(?: (-?\\d+))?$`);
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const unescape = (value: string) => value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

const valueOf = (text: string, line: string): number => {
  const special: Record<string, number> = { '+Inf': Infinity, '-Inf': -Infinity, NaN: NaN };
  const value = text in special ? special[text]! : Number(text);
  if (Number.isNaN(value) && text !== 'NaN') throw new Error(`not a number in: ${line}`);
  return value;
};

const familyOf = (families: Map<string, Family>, sample: string): Family | undefined =>
  families.get(sample) ?? families.get(sample.replace(/_(bucket|sum|count|total|created)$/, ''));

const checkHistogram = (family: Family) => {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples.filter((s) => s.name.endsWith('_bucket'))) {
    const { le, ...rest } = sample.labels;
    if (le === undefined) throw new Error(`${sample.name} has no le label`);
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of series) {
    if (buckets.at(-1)?.labels['le'] !== '+Inf') throw new Error(`${family.name}${key} does not end with le="+Inf"`);
    buckets.reduce((previous, bucket) => {
      if (bucket.value < previous) throw new Error(`${family.name}${key}: bucket counts decrease`);
      return bucket.value;
    }, 0);
    for (const suffix of ['_sum', '_count'])
      if (!family.samples.some((s) => s.name === `${family.name}${suffix}` && JSON.stringify(s.labels) === key))
        throw new Error(`${family.name}${key} has no ${suffix}`);
  }
};

/** The families of a /metrics answer; throws, naming the line, on anything the format does not allow. */
export const parsePrometheusText = (text: string): Map<string, Family> => {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment !== null) {
      const [, kind, name = '', rest = ''] = comment;
      if (!new RegExp(`^${metricName}$`).test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'HELP') help.set(name, rest);
      else if (!types.has(rest)) throw new Error(`unknown type in: ${line}`);
      else families.set(name, { name, type: rest, ...(help.has(name) && { help: help.get(name) }), samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labelText = ''] = match;
    const labels = Object.fromEntries(
      [...labelText.matchAll(new RegExp(labelPair, 'g'))].map(([, key = '', value = '']) => [key, unescape(value)]),
    );
    const family = familyOf(families, name);
    if (family === undefined) throw new Error(`a sample of no declared family: ${line}`);
    family.samples.push({ name, labels, value: valueOf(match[match.length - 2] ?? '', line) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
};

/** The value of one sample: by name and the labels it must have (others may differ). */
export const sampleValue = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined =>
  [...families.values()]
    .flatMap((family) => family.samples)
    .find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
