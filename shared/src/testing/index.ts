export * from './env';
export * from './resources';
