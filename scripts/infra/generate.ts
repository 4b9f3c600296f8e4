// `npm run infra:generate`: writes infra/generated/ from the code: the topology, the projections' indexes, the
// alerts, the event store's schema and the collector sidecar's config.
// Run it after changing either, and commit the result; a test fails until they agree.
import { commandLineOrExit } from '@meridian/runtime';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedDirectory, generatedFiles } from './platform.ts';

const current = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

commandLineOrExit('infra:generate', {
  command: 'npm run infra:generate',
  synopsis: '',
  summary: `Writes infra/generated/ from the code: the Pub/Sub topology, the Firestore indexes, the alerts and SLOs,
the Spanner schema and the OpenTelemetry Collector sidecar's config. Run it after changing any of them (the
topology, a projection's queries, an instrument, a threshold), and commit the result; a test fails until they agree.`,
  options: {},
});
mkdirSync(generatedDirectory, { recursive: true });
for (const file of generatedFiles()) {
  const path = fileURLToPath(new URL(file.name, generatedDirectory));
  const unchanged = current(path) === file.content;
  if (!unchanged) writeFileSync(path, file.content);
  process.stdout.write(`${unchanged ? 'unchanged' : 'wrote'} ${path} (${file.resources} resources)\n`);
}
