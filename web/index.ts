export * from './bundle.ts';
export * from './pages.ts';
