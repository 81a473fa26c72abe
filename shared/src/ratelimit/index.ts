export * from './rate-limiter';
export * from './counter-store';
