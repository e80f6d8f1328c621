export { createProjectionsService, type ProjectionsService, type ProjectionsServiceConfig } from './service.js';
