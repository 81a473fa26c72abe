export * from './env';
export * from './resources';
export * from './service-harness';
export * from './redis-child';
