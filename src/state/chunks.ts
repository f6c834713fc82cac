// Set-based lookups: IN lists of bounded size, so a query never exceeds a driver's parameter limit.
export const IN_CHUNK = 500;

export function* chunks<T>(items: readonly T[], size = IN_CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
