import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number from `min` up, with a message that says what came. */
export function integerOption(min = 1): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`expected a whole number from ${min} and up, got "${value}".`);
    return number;
  };
}

/** Commander parser for a number in [min, max]. */
export function numberOption(min: number, max = Number.POSITIVE_INFINITY): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ' up'}, got "${value}".`);
    }
    return number;
  };
}

/** Commander parser that accepts one of `choices`. */
export function choiceOption<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}".`);
    return value as T;
  };
}

/** Commander parser for `--concurrency`: a whole number from 1 up, or `auto`. */
export function concurrencyOption(value: string): number | 'auto' {
  if (value.trim().toLowerCase() === 'auto') return 'auto';
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected auto or a whole number from 1 and up, got "${value}".`);
  return number;
}
