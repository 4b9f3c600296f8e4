// The static world of the demo: Amsterdam depots, streets, people and the shops that send parcels.
import type { Point } from './geo.ts';

export type Depot = { readonly depotId: string; readonly name: string; readonly location: Point };

/** Three depots around Amsterdam (centre 52.37, 4.89); vehicles are spread over them round-robin. */
export const depots: readonly [Depot, ...Depot[]] = [
  { depotId: 'ams-westpoort', name: 'Westpoort', location: { lat: 52.3889, lng: 4.8386 } },
  { depotId: 'ams-zuidoost', name: 'Zuidoost', location: { lat: 52.3121, lng: 4.9468 } },
  { depotId: 'ams-noord', name: 'Noord', location: { lat: 52.4006, lng: 4.9169 } },
];

export const streets: readonly [string, ...string[]] = [
  'Damrak',
  'Rokin',
  'Kalverstraat',
  'Prinsengracht',
  'Keizersgracht',
  'Herengracht',
  'Singel',
  'Overtoom',
  'Ferdinand Bolstraat',
  'Albert Cuypstraat',
  'Van Woustraat',
  'Czaar Peterstraat',
  'Javastraat',
  'Linnaeusstraat',
  'Middenweg',
  'Kinkerstraat',
  'De Clercqstraat',
  'Jan Evertsenstraat',
  'Haarlemmerdijk',
  'Westerstraat',
  'Utrechtsestraat',
  'Vijzelstraat',
  'Beethovenstraat',
  'Van Baerlestraat',
  'Amstelveenseweg',
  'Buikslotermeerplein',
  'Meeuwenlaan',
  'Nieuwendammerdijk',
  'Bijlmerdreef',
  'Ganzenhoef',
  'Osdorpplein',
  'Sloterkade',
  'Wibautstraat',
];

export const firstNames: readonly [string, ...string[]] = [
  'Ada',
  'Bram',
  'Daan',
  'Emma',
  'Fleur',
  'Ilse',
  'Jasper',
  'Julia',
  'Lars',
  'Lieke',
  'Milan',
  'Noor',
  'Sanne',
  'Sem',
  'Tess',
  'Thijs',
  'Yara',
  'Zoë',
  'Mohamed',
  'Fatima',
  'Priya',
  'Chen',
  'Sofia',
  'Luca',
];

export const lastNames: readonly [string, ...string[]] = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'Dekker',
  'El Amrani',
  'Yilmaz',
  'Kaur',
  'Wang',
  'Rossi',
];

/** The shops sending parcels; `demo-client` is the development client key's own, so it sees its parcels. */
export const clients: readonly [string, ...string[]] = ['demo-client', 'acme', 'northwind', 'globex'];

export const failureReasons = ['recipient-absent', 'address-not-found', 'refused', 'access-denied', 'damaged', 'other'] as const;
export type FailureReason = (typeof failureReasons)[number];
