// `npm run schemas:release`: records the topics' schemas as released (infra/schemas/*.avsc). From then on the
// compatibility test holds every change of the code's schemas to additive ones against these files.
import { commandLineOrExit } from '@meridian/runtime';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { breakages, describeBreakage, readReleasedSchema, releasedSchemasDirectory, schemaFiles } from './schemas.ts';
import { platformTopology } from '@meridian/wiring';

const options = commandLineOrExit('schemas:release', {
  command: 'npm run schemas:release',
  synopsis: '[--force]',
  summary: `Writes the topics' Avro schemas, as the code makes them, to infra/schemas/<topic>.avsc: the released
schemas that npm test holds later changes to (additive only). Refuses a breaking change unless --force (then
every consumer named must be deployed first, or a new topic made).`,
  options: { force: { type: 'boolean', description: 'release even a breaking change' } },
});
mkdirSync(fileURLToPath(releasedSchemasDirectory), { recursive: true });
const broken = platformTopology.topics.flatMap((topic) => {
  const released = topic.schema === undefined ? undefined : readReleasedSchema(topic.name);
  return released === undefined || topic.schema === undefined ? [] : breakages(topic.name, released, topic.schema.definition);
});
for (const breakage of broken) process.stderr.write(`breaking: ${describeBreakage(breakage)}\n`);
if (broken.length > 0 && options.values.force !== true) {
  process.stderr.write('not released: these changes are not additive (see above); --force releases them anyway\n');
  process.exit(1);
}
for (const file of schemaFiles()) {
  writeFileSync(file.path, file.content);
  process.stdout.write(`released ${file.path}\n`);
}
