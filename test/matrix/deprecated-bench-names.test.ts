import { describe, expect, expectTypeOf, it } from 'vitest';
import * as emolabel from '../../src/public-exports/matrix.js';

describe('the matrix names before src/matrix/', () => {
  it('are still exported, from emolabel/matrix, as the same functions and types', () => {
    expect(emolabel.runBench).toBe(emolabel.runMatrix);
    expect(emolabel.benchCellName).toBe(emolabel.matrixCellName);
    expect(emolabel.planBenchCells).toBe(emolabel.planMatrixCells);
    expect(emolabel.selectBenchItems).toBe(emolabel.selectMatrixItems);
    expectTypeOf<emolabel.BenchOptions>().toEqualTypeOf<emolabel.MatrixOptions>();
    expectTypeOf<emolabel.BenchCellEvent>().toEqualTypeOf<emolabel.MatrixCellEvent>();
    expectTypeOf<emolabel.BenchCellPlan>().toEqualTypeOf<emolabel.MatrixCellPlan>();
    expectTypeOf<emolabel.BenchMatrix>().toEqualTypeOf<emolabel.MatrixSpec>();
  });
});
