import { randomBytes } from 'node:crypto';

/**
 * A consumer group only this process joins (table readers, gateway readers): `<prefix>-<instance>-
 * <8 hex>`. The random part keeps it unique when a restarted pod keeps its name, so a new process
 * never inherits a dead one's group membership.
 */
export function uniqueGroupId(
  prefix: string,
  instanceId: string,
  random: string = randomBytes(4).toString('hex'),
): string {
  return `${prefix}-${instanceId}-${random}`;
}
