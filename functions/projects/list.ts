import { listHandler } from '../resources/handlers.ts';

export const handler = listHandler('project');
