export * from './columns.js';
export * from './merchants.js';
export * from './api-keys.js';
export * from './core.js';
export * from './customers.js';
export * from './documents.js';
export * from './ledger.js';
export * from './fx.js';
