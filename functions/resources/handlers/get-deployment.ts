import { getHandler } from '../routes.ts';

export const handler = getHandler('deployment');
