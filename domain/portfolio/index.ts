export * from './rules';
export * from './allocation';
export * from './risk';
export * from './simulate';
export * from './bot-side';
