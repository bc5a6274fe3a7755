import { roleChangeHandler } from '../role-route.ts';

export const handler = roleChangeHandler('remove');
