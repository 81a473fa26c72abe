export * from './base-app';
export * from './runtime';
export * from './standalone';
export * from './data-lock';
export * from './periodic-job';
export * from './in-chunks';
export * from './stream-retention';
