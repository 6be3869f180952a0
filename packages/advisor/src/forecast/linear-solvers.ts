/** Gaussian elimination with partial pivoting on an `n × (n+1)` augmented matrix; `undefined` if singular. */
export function solveLinearSystem(system: Float64Array, n: number): Float64Array | undefined {
  const width = n + 1;
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++)
      if (Math.abs(system[row * width + column]!) > Math.abs(system[pivot * width + column]!)) pivot = row;
    if (Math.abs(system[pivot * width + column]!) < 1e-300) return undefined;
    if (pivot !== column) {
      for (let k = 0; k < width; k++) {
        const swap = system[column * width + k]!;
        system[column * width + k] = system[pivot * width + k]!;
        system[pivot * width + k] = swap;
      }
    }
    for (let row = column + 1; row < n; row++) {
      const factor = system[row * width + column]! / system[column * width + column]!;
      for (let k = column; k < width; k++)
        system[row * width + k] = system[row * width + k]! - factor * system[column * width + k]!;
    }
  }
  const solution = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = system[row * width + n]!;
    for (let k = row + 1; k < n; k++) sum -= system[row * width + k]! * solution[k]!;
    solution[row] = sum / system[row * width + row]!;
  }
  return solution;
}

/**
 * `argmin wᵀ M w` over the probability simplex (M symmetric positive definite, `size × size`) by
 * an active-set method: on the support S, `w_S ∝ M_S⁻¹ 1`; the most negative weight leaves S
 * until none is negative (at most `size` rounds).
 */
export function simplexLeastSquares(moments: Float64Array, size: number): Float64Array {
  const weights = new Float64Array(size);
  if (size === 0) return weights;
  const support = Array.from({ length: size }, () => true);
  for (let iteration = 0; iteration < size; iteration++) {
    const members = support.flatMap((inside, index) => (inside ? [index] : []));
    const count = members.length;
    const system = new Float64Array(count * (count + 1));
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++)
        system[a * (count + 1) + b] = moments[members[a]! * size + members[b]!]!;
      system[a * (count + 1) + count] = 1;
    }
    const solved = solveLinearSystem(system, count);
    weights.fill(0);
    if (solved === undefined) {
      for (const member of members) weights[member] = 1 / count;
      return weights;
    }
    let total = 0;
    for (let a = 0; a < count; a++) total += solved[a]!;
    let mostNegative = -1;
    for (let a = 0; a < count; a++) {
      weights[members[a]!] = solved[a]! / total;
      if (weights[members[a]!]! < 0 && (mostNegative < 0 || weights[members[a]!]! < weights[mostNegative]!))
        mostNegative = members[a]!;
    }
    if (mostNegative >= 0 && count > 1) {
      support[mostNegative] = false;
      continue;
    }
    return weights;
  }
  // Not reached (each round removes a member), kept as a safe, convex answer.
  weights.fill(1 / size);
  return weights;
}
