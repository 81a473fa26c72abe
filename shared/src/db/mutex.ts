/** A FIFO lock: `lock()` resolves, in call order, with the function that releases it. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => {
      let released = false;
      return () => {
        if (released) return; // a double release must not free the next holder's turn
        released = true;
        release();
      };
    });
  }
}
