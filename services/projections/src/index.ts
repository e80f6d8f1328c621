export { startProjectionsService, type ProjectionsService, type ProjectionsServiceConfig } from './service.js';
