import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after the given number of timeouts in a row, once, and closes once on a probe answer', () => {
    const changes: boolean[] = [];
    const circuit = new CircuitBreaker(2, (open) => changes.push(open));
    circuit.timedOut();
    circuit.succeeded(); // an answer in between: not "in a row"
    circuit.timedOut();
    expect(circuit.open).toBe(false);
    circuit.timedOut();
    circuit.timedOut();
    expect(circuit.open).toBe(true);
    circuit.close();
    circuit.close();
    expect(circuit.open).toBe(false);
    expect(changes).toEqual([true, false]);
  });
});
