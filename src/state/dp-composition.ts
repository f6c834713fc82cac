// What the releases of one budget group have spent in a window. Laplace releases compose by adding their epsilons
// (and the deltas of their partition selections); Gaussian releases compose in zCDP (their rhos add) and are turned
// into (epsilon, delta) once, at the sum of the deltas they were converted at; the two parts then add.

/** The (epsilon, delta) a rho-zCDP mechanism gives at `delta` (Bun and Steinke 2016, Prop. 1.3). */
export function epsilonOfRho(rho: number, delta: number): number {
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

export interface Charge {
  epsilon: number;
  delta: number;
  /** Gaussian releases: rho, and the part of `delta` that converts it. */
  rho?: number;
  deltaConversion?: number;
}

export interface Spent {
  epsilon: number;
  delta: number;
}

export function spent(charges: readonly Charge[]): Spent {
  let epsilon = 0;
  let delta = 0;
  let rho = 0;
  let conversion = 0;
  for (const c of charges) {
    if (c.rho === undefined) {
      epsilon += c.epsilon;
      delta += c.delta;
    } else {
      rho += c.rho;
      conversion += c.deltaConversion ?? 0;
      delta += c.delta; // the conversion's delta and a selection's
    }
  }
  if (rho > 0) epsilon += conversion > 0 ? epsilonOfRho(rho, conversion) : Infinity;
  return { epsilon, delta };
}

/** Float sums of decimal epsilons (0.1 ten times) land a hair off: within this relative slack a budget is met. */
const SLACK = 1e-9;

export function withinBudget(total: Spent, budget: Spent): boolean {
  return total.epsilon <= budget.epsilon * (1 + SLACK) && total.delta <= budget.delta * (1 + SLACK) + Number.EPSILON;
}
