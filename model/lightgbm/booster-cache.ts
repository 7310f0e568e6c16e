/**
 * Loaded LightGBM boosters by model version, so a worker parses a model text once and not at every bar.
 * Bounded: the oldest booster is disposed (its native memory freed) when the cache is full.
 */
import { Booster } from 'lightgbm-node-binding';

export class BoosterCache {
  readonly #entries = new Map<string, Booster>();

  constructor(private readonly capacity = 8) {}

  async get(version: string, loadText: (version: string) => Promise<string>): Promise<Booster> {
    const hit = this.#entries.get(version);
    if (hit) {
      // Refresh recency.
      this.#entries.delete(version);
      this.#entries.set(version, hit);
      return hit;
    }
    const booster = Booster.fromString(await loadText(version));
    const raced = this.#entries.get(version);
    if (raced) {
      booster.dispose();
      return raced;
    }
    this.#entries.set(version, booster);
    while (this.#entries.size > this.capacity) {
      const [oldest, evicted] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      evicted.dispose();
    }
    return booster;
  }

  clear(): void {
    for (const booster of this.#entries.values()) booster.dispose();
    this.#entries.clear();
  }
}
