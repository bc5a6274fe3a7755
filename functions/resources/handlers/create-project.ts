import { createHandler } from '../routes.ts';

export const handler = createHandler('project');
