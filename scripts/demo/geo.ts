// Flat-earth-enough geometry for a city: distances, bearings, and points along a straight leg.
export type Point = { readonly lat: number; readonly lng: number };

const earthRadiusKm = 6371;
const radians = (degrees: number) => (degrees * Math.PI) / 180;
const degrees = (radiansValue: number) => (radiansValue * 180) / Math.PI;

export const distanceKm = (a: Point, b: Point): number => {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** The compass bearing from a to b, in [0, 360). */
export const bearing = (a: Point, b: Point): number => {
  const y = Math.sin(radians(b.lng - a.lng)) * Math.cos(radians(b.lat));
  const x =
    Math.cos(radians(a.lat)) * Math.sin(radians(b.lat)) -
    Math.sin(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.cos(radians(b.lng - a.lng));
  const heading = (degrees(Math.atan2(y, x)) + 360) % 360;
  return heading >= 360 ? 0 : heading;
};

/** The point `km` away from `origin` towards `headingDegrees`. */
export const offset = (origin: Point, km: number, headingDegrees: number): Point => ({
  lat: origin.lat + (km * Math.cos(radians(headingDegrees))) / 111.32,
  lng: origin.lng + (km * Math.sin(radians(headingDegrees))) / (111.32 * Math.cos(radians(origin.lat))),
});

/** The point a fraction (0..1) of the way from a to b. */
export const along = (a: Point, b: Point, fraction: number): Point => {
  const f = Math.min(1, Math.max(0, fraction));
  return { lat: a.lat + (b.lat - a.lat) * f, lng: a.lng + (b.lng - a.lng) * f };
};

export const rounded = (point: Point): Point => ({ lat: Math.round(point.lat * 1e6) / 1e6, lng: Math.round(point.lng * 1e6) / 1e6 });

/** Visits every point once, always going to the nearest one not yet visited: a plausible driver's order. */
export const nearestNeighbourOrder = <T extends { readonly location: Point }>(start: Point, items: readonly T[]): T[] => {
  const left = [...items];
  const ordered: T[] = [];
  let here = start;
  while (left.length > 0) {
    let best = 0;
    left.forEach((item, index) => {
      if (distanceKm(here, item.location) < distanceKm(here, left[best]!.location)) best = index;
    });
    const [next] = left.splice(best, 1);
    if (next === undefined) break;
    ordered.push(next);
    here = next.location;
  }
  return ordered;
};
