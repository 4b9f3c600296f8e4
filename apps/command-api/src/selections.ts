// Selections: a part of a command's data the body may describe instead of listing, resolved at the edge
// from the read models into the list the command carries. The command (and so the stream) holds what was
// actually chosen; the selection is a way of asking, not a fact. One today: a dispatch window opened for
// "every parcel at the depot within this radius, due by then" rather than a list of parcels.
import { ParcelSelection, selectParcels } from '@meridian/dispatch';
import { problems, HttpProblem } from '@meridian/http';
import { fieldErrors, GeoPoint, type FieldError } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EdgeLists } from './edge-checks.ts';

export type BodySelection = {
  /** The body field that selects. */
  readonly field: string;
  /** The command's field it fills in (optional in the body; the body gives one or the other). */
  readonly fills: string;
  /** The selection's codec, for the API description. */
  readonly codec: t.Any;
  /** What it selects, as the API description says it. */
  readonly description: string;
  /** The data with the selection resolved into the field it fills. Throws an HttpProblem when it cannot be. */
  readonly resolve: (data: Readonly<Record<string, unknown>>, lists: EdgeLists) => Promise<Record<string, unknown>>;
};

const under = (field: string, errors: readonly FieldError[]): FieldError[] =>
  errors.map((error) => ({ ...error, pointer: error.pointer === '#/' ? `#/${field}` : `#/${field}/${error.pointer.slice(2)}` }));

const decoded = <A>(codec: t.Decoder<unknown, A>, field: string, value: unknown): A => {
  const result = codec.decode(value);
  if (E.isLeft(result)) throw new HttpProblem(problems.invalidRequest(under(field, fieldErrors(result.left))));
  return result.right;
};

/** The window's parcels chosen from the parcel read model: at the depot, within the radius, due by then. */
export const windowParcelSelection: BodySelection = {
  field: 'select',
  fills: 'parcels',
  codec: ParcelSelection,
  description:
    'Instead of `parcels`: every parcel at the depot (registered, or returned to it, on no route) within `radiusKm` of `depot`, ' +
    'due by `dueBy` if given, most urgent first, at most 4,000; resolved from the parcel read model when the window is opened.',
  resolve: async ({ select, ...data }, lists) => {
    if (data['parcels'] !== undefined)
      throw new HttpProblem(problems.invalidRequest([{ pointer: '#/select', detail: 'give either parcels or select, not both' }]));
    const selection = decoded(ParcelSelection, 'select', select);
    const depot = decoded(GeoPoint, 'depot', data['depot']);
    const { parcels } = selectParcels(await lists.parcelsAtDepot(), depot, selection);
    if (parcels.length === 0)
      throw new HttpProblem(
        problems.conflict(
          'rule-violated',
          `no parcel at the depot within ${selection.radiusKm} km${selection.dueBy === undefined ? '' : ` is due by ${selection.dueBy}`}: nothing to dispatch`,
          { code: 'NoParcelSelected', context: { select: selection } },
        ),
      );
    return { ...data, parcels };
  },
};
