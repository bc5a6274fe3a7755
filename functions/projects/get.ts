import { getHandler } from '../resources/handlers.ts';

export const handler = getHandler('project');
