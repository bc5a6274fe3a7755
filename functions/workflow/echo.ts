/** Proves the workflow path end to end (local endpoint -> definition -> Lambda task); replaced by the migration tasks. */
export const handler = async (input: { message?: unknown }) => ({
  echoed: typeof input?.message === 'string' ? input.message.slice(0, 200) : null,
  at: new Date().toISOString(),
});
