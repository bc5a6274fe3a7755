/** Only a path on this origin: never a way to send someone elsewhere after signing in. (No DOM: unit-tested in Node.) */
export const safeReturnTo = (value: unknown): string =>
  typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')
    ? value
    : '/';
