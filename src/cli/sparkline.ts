/** A terminal sparkline: one block character per value, scaled between the smallest and largest; a gap for no data. */
const BLOCKS = '▁▂▃▄▅▆▇█'

export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((value): value is number => value !== null)
  if (present.length === 0) return ' '.repeat(values.length)
  const low = Math.min(...present)
  const high = Math.max(...present)
  return values
    .map((value) => {
      if (value === null) return ' '
      const index = high === low ? 0 : Math.round(((value - low) / (high - low)) * (BLOCKS.length - 1))
      return BLOCKS[index]
    })
    .join('')
}
