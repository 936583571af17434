export * from './dist/vitest';
