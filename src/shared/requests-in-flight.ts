/**
 * How many HTTP requests this process's API is answering right now: the signal "visitors are waiting" that
 * the relay reads to put capture first (see startRelay's `captureIsBusy`). Kept in shared memory, so the
 * worker thread of ROLE=all reads the count the API thread keeps.
 */
export class RequestsInFlight {
  readonly buffer: SharedArrayBuffer;
  readonly #count: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#count = new Int32Array(buffer);
  }

  enter(): void {
    Atomics.add(this.#count, 0, 1);
  }

  leave(): void {
    Atomics.sub(this.#count, 0, 1);
  }

  count(): number {
    return Atomics.load(this.#count, 0);
  }
}
