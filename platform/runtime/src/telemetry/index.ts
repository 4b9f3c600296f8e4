export * from './install.ts';
export * from './instruments.ts';
export * from './otlp.ts';
export * from './traced-store.ts';
export * from './prometheus-text.ts';
