import { deleteHandler } from '../resources/handlers.ts';

export const handler = deleteHandler('deployment');
