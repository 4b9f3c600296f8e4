// Is a topic's new schema an additive change of the released one? Consumers still running the released
// code must read what the new code publishes, and the new code must read what the log and the topic still
// hold. Additive, and allowed: a new optional field (nullable, default null), a new branch of a union (a
// new event type or version). Anything else breaks someone: a field removed, renamed or retyped, an
// optional field made required or a required one optional, a branch removed.
import type { AvroRecord, AvroType, AvroUnion, NamedTypes } from './avro.ts';
import { isJsonText, namedTypesOf } from './avro.ts';

export type SchemaChange = {
  /** Where, from the record down: `data/meridian.events.parcel_delivered_v1/proof/kind`. */
  readonly path: readonly string[];
  readonly kind: 'additive' | 'breaking';
  readonly detail: string;
};

const isUnion = (type: AvroType): type is AvroUnion => Array.isArray(type);
const isRecord = (type: AvroType): type is AvroRecord => typeof type === 'object' && !isUnion(type) && type.type === 'record';

const resolve = (type: AvroType, named: NamedTypes): AvroType => (typeof type === 'string' ? (named.get(type) ?? type) : type);

/** A short name of a type, for messages: a primitive, a record's name, array<…>, a union's branches. */
const describe = (type: AvroType): string => {
  if (isUnion(type)) return type.map(describe).join(' | ');
  if (isRecord(type)) return type.name;
  if (typeof type === 'string') return type;
  if (isJsonText(type)) return 'json';
  return `array<${describe(type.items)}>`;
};

const branchName = (type: AvroType): string => (isRecord(type) ? type.name : describe(type));

type Sides = { readonly before: NamedTypes; readonly after: NamedTypes };

const compare = (before: AvroType, after: AvroType, path: readonly string[], sides: Sides): SchemaChange[] => {
  const old = resolve(before, sides.before);
  const now = resolve(after, sides.after);
  const breaking = (detail: string): SchemaChange[] => [{ path, kind: 'breaking', detail }];
  if (isUnion(old) || isUnion(now)) {
    if (!isUnion(old) || !isUnion(now)) return breaking(`${describe(old)} became ${describe(now)}`);
    const nowByName = new Map(now.map((branch) => [branchName(resolve(branch, sides.after)), branch]));
    const oldNames = new Set(old.map((branch) => branchName(resolve(branch, sides.before))));
    return [
      ...old.flatMap((branch) => {
        const name = branchName(resolve(branch, sides.before));
        const match = nowByName.get(name);
        return match === undefined
          ? [{ path: [...path, name], kind: 'breaking' as const, detail: `${name} was removed from the union` }]
          : compare(branch, match, name === 'null' || !isRecord(resolve(branch, sides.before)) ? path : [...path, name], sides);
      }),
      ...[...nowByName.keys()]
        .filter((name) => !oldNames.has(name))
        .map((name): SchemaChange => ({ path: [...path, name], kind: 'additive', detail: `${name} was added to the union` })),
    ];
  }
  if (isRecord(old) || isRecord(now)) {
    if (!isRecord(old) || !isRecord(now)) return breaking(`${describe(old)} became ${describe(now)}`);
    const nowFields = new Map(now.fields.map((field) => [field.name, field]));
    const oldFields = new Set(old.fields.map((field) => field.name));
    return [
      ...old.fields.flatMap((field) => {
        const match = nowFields.get(field.name);
        return match === undefined
          ? [{ path: [...path, field.name], kind: 'breaking' as const, detail: `field ${field.name} was removed` }]
          : compare(field.type, match.type, [...path, field.name], sides);
      }),
      ...now.fields
        .filter((field) => !oldFields.has(field.name))
        .map((field): SchemaChange =>
          field.default === null && isUnion(field.type) && field.type.includes('null')
            ? { path: [...path, field.name], kind: 'additive', detail: `optional field ${field.name} was added` }
            : { path: [...path, field.name], kind: 'breaking', detail: `required field ${field.name} was added (old messages lack it)` },
        ),
    ];
  }
  if (isJsonText(old) || isJsonText(now))
    return isJsonText(old) && isJsonText(now) ? [] : breaking(`${describe(old)} became ${describe(now)}`);
  if (typeof old === 'object' && typeof now === 'object') return compare(old.items, now.items, [...path, '[]'], sides);
  return old === now ? [] : breaking(`${describe(old)} became ${describe(now)}`);
};

/** Every difference between the released schema and the new one, each additive or breaking. */
export const schemaChanges = (released: AvroType, current: AvroType): SchemaChange[] =>
  compare(released, current, [], { before: namedTypesOf(released), after: namedTypesOf(current) });
