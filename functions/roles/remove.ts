import { roleChangeHandler } from './handler.ts';

export const handler = roleChangeHandler('remove');
