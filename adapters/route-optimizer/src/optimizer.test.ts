// The embedded optimizer passes the port's contract, on its thread per call.
import { routeOptimizerContract } from '@meridian/kernel/testing';
import test from 'ava';
import { createEmbeddedRouteOptimizer } from './optimizer.ts';

routeOptimizerContract(test, { name: 'Embedded', optimizer: () => createEmbeddedRouteOptimizer() });
