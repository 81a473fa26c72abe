/**
 * What a bench owes the machine if it is stopped midway (Ctrl-C, SIGTERM, an uncaught error): its
 * child processes stopped, its scratch databases and Redis keys deleted. Each is registered while
 * it exists; a bench that ends normally has already undone them in its own `finally`.
 */
type Cleanup = () => unknown;

const children = new Set<Cleanup>();
const scratches = new Set<Cleanup>();

/** Registers a child process's stop; returns the unregister. Children stop first, so nothing writes to what is dropped next. */
export function onAbortStopChild(stop: Cleanup): () => void {
  children.add(stop);
  return () => children.delete(stop);
}

/** Registers the deletion of a scratch database or Redis prefix; returns the unregister. */
export function onAbortDrop(drop: Cleanup): () => void {
  scratches.add(drop);
  return () => scratches.delete(drop);
}

let aborting = false;

async function abort(code: number): Promise<void> {
  if (aborting) return;
  aborting = true;
  setTimeout(() => process.exit(code), 15_000).unref(); // a clean-up that hangs does not keep the bench alive
  for (const stop of children) stop();
  await Promise.allSettled([...scratches].map(async (drop) => drop()));
  process.exit(code);
}

// A child is also stopped on any other exit (process.exit after a failure): 'exit' handlers cannot wait, so only the kill.
process.on('exit', () => {
  for (const stop of children) stop();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void abort(130));
// Once aborting, the errors of what is being stopped (a reset connection) are expected: only the first is shown.
const fail = (err: unknown) => {
  if (!aborting) process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  void abort(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
