import type { RegisteredChannel } from '../../src/channels/registry.ts';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { freshDatabase } from './stores.ts';

/**
 * Mamoru on each database backend, for suites that run whole flows: an
 * in-memory PGlite always; PostgreSQL when DATABASE_URL is set, in a fresh
 * database dropped on close (as `storeBackends` does for the store suite).
 *
 * @example
 * for (const backend of mamoruBackends()) {
 *   describe(backend.name, () => {
 *     let opened: OpenedMamoru;
 *     beforeAll(async () => { opened = await backend.open(); });
 *     afterAll(() => opened.close());
 *   });
 * }
 */
export interface MamoruBackend {
  readonly name: 'pglite' | 'postgres';
  /** `plugins`: the channel plug-ins to serve (the registry's when absent). */
  open(options?: { plugins?: readonly RegisteredChannel[] }): Promise<OpenedMamoru>;
}

export interface OpenedMamoru {
  readonly mamoru: Mamoru;
  close(): Promise<void>;
}

export function mamoruBackends(): MamoruBackend[] {
  const pglite: MamoruBackend = {
    name: 'pglite',
    open: async (options = {}) => {
      const mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), options);
      return { mamoru, close: () => mamoru.close() };
    },
  };
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return [pglite];
  const postgres: MamoruBackend = {
    name: 'postgres',
    open: async (options = {}) => {
      const fresh = await freshDatabase(serverUrl);
      const mamoru = await Mamoru.open(
        loadConfig({ dataDir: 'memory://', databaseUrl: fresh.url, demo: 'false' }, {}),
        options,
      ).catch(async (error: unknown) => {
        await fresh.drop();
        throw error;
      });
      return {
        mamoru,
        close: async () => {
          await mamoru.close();
          await fresh.drop();
        },
      };
    },
  };
  return [pglite, postgres];
}
