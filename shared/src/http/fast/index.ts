export * from './route';
export * from './body';
export * from './frame';
