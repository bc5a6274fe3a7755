import { deleteHandler } from '../routes.ts';

export const handler = deleteHandler('deployment');
