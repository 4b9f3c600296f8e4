import type { ParcelEvent } from '@meridian/parcel';
import type { RouteEvent } from '@meridian/route';

/**
 * The facts the platform's reactors follow, as one type: each reactor is typed by all of them (it is handed
 * only those it follows), so that they make one list (a reactor's `react` takes its facts contravariantly:
 * one of route facts only would not go in a list of reactors of any fact).
 */
export type PlatformEvent = RouteEvent | ParcelEvent;
