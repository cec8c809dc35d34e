/**
 * Settles as `promise` does, or rejects with `timeoutError()` after `ms` whatever `promise` does later: a
 * library's own timeouts can be lost (BACnet, MQTT and Modbus requests all go through here). One promise
 * around it rather than a race and a `finally`, since every request of every scan pays for it; the error
 * is made only on a timeout, so a request that answers in time builds no message text.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
