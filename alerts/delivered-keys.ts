/**
 * The notifier's memory of (target, idempotency key) pairs already delivered, so a retried sendAlert attempt in
 * the same process sends only to the targets that failed before. Bounded: the oldest entries are forgotten first
 * (a retry comes within minutes; thousands of alerts later it no longer matters).
 */
export class DeliveredKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  private static id(target: string, key: string): string {
    return `${target}\u0000${key}`;
  }

  has(target: string, key: string): boolean {
    return this.keys.has(DeliveredKeys.id(target, key));
  }

  add(target: string, key: string): void {
    const id = DeliveredKeys.id(target, key);
    this.keys.delete(id); // re-inserted as the newest
    this.keys.add(id);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
  }

  get size(): number {
    return this.keys.size;
  }
}
