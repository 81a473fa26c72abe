export * from './env';
export * from './resources';
export * from './service-harness';
