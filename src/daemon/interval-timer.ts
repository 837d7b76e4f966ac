// --interval: every resource again every N seconds, watches or not.

export interface IntervalTimer {
  start(): void;
  stop(): void;
}

export const createIntervalTimer = (seconds: number | undefined, tick: () => void): IntervalTimer => {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (seconds === undefined || stopped) return;
    timer = setTimeout(() => {
      tick();
      schedule();
    }, seconds * 1000);
  };
  return {
    start: schedule,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};
