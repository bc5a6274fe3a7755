import { listHandler } from '../routes.ts';

export const handler = listHandler('project');
