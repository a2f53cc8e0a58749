import { parseRetrySchedule, retryDelayMs } from './retry-schedule';

describe('retry schedule', () => {
  it('parses s, m, h and bare seconds', () => {
    expect(parseRetrySchedule('5s,5m,30m,2h,5h,10h,10h')).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    expect(parseRetrySchedule(' 0.5s , 2 ')).toEqual([500, 2000]);
  });

  it('jitters each wait by at most 20 % and ends after the last', () => {
    const schedule = [1000, 60_000];
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(800);
    expect(retryDelayMs(schedule, 1, () => 1)).toBe(1200);
    expect(retryDelayMs(schedule, 2, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(schedule, 3)).toBeNull();
  });
});
