import { createHandler } from '../resources/handlers.ts';

export const handler = createHandler('deployment');
