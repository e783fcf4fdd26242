// Bounding a wait: shutdown steps, the job runner's stop and the health check's ping each wait at most so long.

/** `{value}` when `promise` fulfilled within `ms`, undefined when the time passed first (a rejection is thrown). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
