/**
 * A deployment's or project's configuration is the caller's document, kept as JSON text in DynamoDB. As a DynamoDB
 * map it would refuse empty keys, nesting past 32 levels and numbers under 1e-130, turn integers past 2^53 into
 * BigInt on the way back, and the marshaller takes an own `constructor` key for a class instance. As text, what the
 * caller sent is what reads back.
 */
type WithConfiguration = { configuration: Record<string, unknown> };

export const encodeConfiguration = <T extends WithConfiguration>(item: T) => ({
  ...item,
  configuration: JSON.stringify(item.configuration),
});

/** Accepts both forms, so items written as maps before this change still read. */
export const decodeConfiguration = <T extends WithConfiguration | undefined>(item: T): T => {
  const stored: unknown = item?.configuration;
  return typeof stored === 'string' ? { ...item, configuration: JSON.parse(stored) } : item;
};
