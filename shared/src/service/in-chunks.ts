/**
 * Runs `step` until it handles fewer than `size` items (the last chunk of a backlog) or `signal`
 * aborts between two steps; returns how many it handled in all. Housekeeping over large tables runs
 * this way, a transaction per step, so that no transaction holds many rows.
 */
export async function inChunks(size: number, step: () => Promise<number>, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < size || signal?.aborted) return total;
  }
}
