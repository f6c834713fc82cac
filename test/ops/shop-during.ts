// The erase shop of test/fixtures/erase for one test file: made before its tests and removed after them, with the
// rows as they stood before any test ran, for the tests that check what an operation left untouched.
import { createShop, type Shop, type Snapshot } from '../fixtures/erase/shop.ts';
import { madeDuring } from '../helpers/per-file.ts';

export type ShopDuring = Shop & { atStart: Snapshot };

export function shopDuring(prefix: string): ShopDuring {
  return madeDuring('the shop', async () => {
    const shop = await createShop(prefix);
    return Object.assign(shop, { atStart: await shop.snapshot() });
  }, (shop) => shop.dispose());
}
