import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArmingSweep } from './arming-sweep';

/** A watched thing that records when it is armed; `end` settles it as a call's `dispose` does. */
function item(sweep: ArmingSweep, onArm: () => void = () => {}) {
  const armable: { settled: boolean; sweepSlot: number; armed: number; arm(): void; end(): void } = {
    settled: false,
    sweepSlot: -1,
    armed: 0,
    arm() {
      armable.armed++;
      onArm();
    },
    end() {
      armable.settled = true;
      sweep.unwatch(armable);
    },
  };
  return armable;
}

describe('ArmingSweep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('arms exactly the items still running at the sweep, whatever order the others ended in', () => {
    vi.useFakeTimers();
    const sweep = new ArmingSweep(1);
    const items = Array.from({ length: 600 }, () => item(sweep));
    for (const armable of items) sweep.watch(armable);
    // End two thirds of them, out of order (first, last and middle slots all move).
    for (let index = 0; index < items.length; index++)
      if (index % 3 !== 1) (items[index] as (typeof items)[0]).end();
    // Ending twice is harmless.
    (items[0] as (typeof items)[0]).end();
    vi.advanceTimersByTime(1);
    expect(items.map((armable) => armable.armed)).toEqual(items.map((_, index) => (index % 3 === 1 ? 1 : 0)));
    expect(items.every((armable) => armable.sweepSlot === -1)).toBe(true);
  });

  it('an item arming stops another (which unwatches itself) without disturbing the next batch', () => {
    vi.useFakeTimers();
    const sweep = new ArmingSweep(1);
    const later = item(sweep);
    const stopped = item(sweep);
    const first = item(sweep, () => {
      stopped.end();
      sweep.watch(later);
    });
    sweep.watch(first);
    sweep.watch(stopped);
    vi.advanceTimersByTime(1);
    expect([first.armed, stopped.armed, later.armed]).toEqual([1, 0, 0]);
    // `later` joined the next batch during the sweep, and is armed by the next one.
    vi.advanceTimersByTime(1);
    expect(later.armed).toBe(1);
  });
});
