/**
 * Opens after `failuresToOpen` commands in a row have timed out, so the callers that follow get a
 * fallback at once instead of each waiting out its own timeout; closes when a probe succeeds.
 */
export class CircuitBreaker {
  private failures = 0;
  private opened = false;

  constructor(
    private readonly failuresToOpen: number,
    private readonly onChange: (open: boolean) => void,
  ) {}

  get open(): boolean {
    return this.opened;
  }

  succeeded(): void {
    this.failures = 0;
  }

  timedOut(): void {
    this.failures += 1;
    if (!this.opened && this.failures >= this.failuresToOpen) {
      this.opened = true;
      this.onChange(true);
    }
  }

  /** A probe got an answer. */
  close(): void {
    this.failures = 0;
    if (!this.opened) return;
    this.opened = false;
    this.onChange(false);
  }
}
