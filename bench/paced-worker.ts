/**
 * Runs one paced load (bench/paced.ts) in a process of its own, so the benchmark's own heap and
 * timers (autocannon's results, the other scenarios' samples) cannot delay when requests are sent
 * or when their answers are timed. Gets a PacedSpec over IPC, answers with the LoadResult.
 */
import { PacedSpec, runPaced } from './paced';

process.once('message', (spec: PacedSpec) => {
  runPaced(spec).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
  );
});
