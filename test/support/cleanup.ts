/** Loaded before every test file (vitest setupFiles): removes the file's tempDir() folders when it ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp';

// Registered first, so with vitest's stacked hooks it runs after the file's own afterAll (which
// closes the registries that live in these folders).
afterAll(removeTempDirs);
