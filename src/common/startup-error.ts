/**
 * A start-up failure an operator can fix, worded as the one line main.ts logs before exiting:
 * what is wrong and what to do (e.g. "database \"kaizen\" does not exist ...; create it with ...").
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
