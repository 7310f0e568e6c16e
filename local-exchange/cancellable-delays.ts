/** Delays (REST latency faults) that the server's stop() cuts short, so no timer outlives the server. */
export class CancellableDelays {
  private readonly pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.pending.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.pending.add(release);
    });
  }

  /** Resolves every pending delay now. */
  releaseAll(): void {
    for (const release of [...this.pending]) release();
  }
}
