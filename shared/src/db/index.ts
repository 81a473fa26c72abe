export * from './database';
export * from './database-unavailable';
export * from './migrate';
export { assertSchemaName } from './schema-name';
export { SerialPgliteDialect } from './pglite-dialect';
export * from './live-channel';
export * from './live-notices';
