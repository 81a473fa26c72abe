export * from './envelope';
export * from './events';
export * from './fixtures';
export * from './site.schema';
export * from './streams';
export * from './http';
