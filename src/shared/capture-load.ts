/** Slots of the shared buffer. */
const IN_FLIGHT = 0;
const OVERLOADED = 1;

/**
 * How hard this process's API is working right now, the signal the relay reads to put capture first (see
 * startRelay's `captureIsBusy` and `captureIsOverloaded`): how many HTTP requests are being answered, and
 * whether the API has been overloaded for a while (watchCaptureOverload decides). Kept in shared memory, so
 * the worker thread of ROLE=all reads what the API thread keeps.
 */
export class CaptureLoad {
  readonly buffer: SharedArrayBuffer;
  readonly #slots: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#slots = new Int32Array(buffer);
  }

  enter(): void {
    Atomics.add(this.#slots, IN_FLIGHT, 1);
  }

  leave(): void {
    Atomics.sub(this.#slots, IN_FLIGHT, 1);
  }

  /** Requests being answered now. */
  inFlight(): number {
    return Atomics.load(this.#slots, IN_FLIGHT);
  }

  setOverloaded(overloaded: boolean): void {
    Atomics.store(this.#slots, OVERLOADED, overloaded ? 1 : 0);
  }

  /** True while the API has been out of CPU with visitors waiting (watchCaptureOverload). */
  isOverloaded(): boolean {
    return Atomics.load(this.#slots, OVERLOADED) === 1;
  }
}
