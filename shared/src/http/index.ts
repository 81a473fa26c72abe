export * from './health.routes';
export * from './json-body';
export * from './metrics.middleware';
export * from './problem.middleware';
export * from './request-id.middleware';
export * from './server';
export * from './validate';
export * from './openapi.routes';
