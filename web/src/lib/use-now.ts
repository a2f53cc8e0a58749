import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs` (for countdowns and "x minutes ago"). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
