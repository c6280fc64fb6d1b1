/**
 * Synthetic traces for the seeds' cases. Each is a pure function of its options (noise draws from
 * a seeded PRNG), so a scenario replays exactly.
 */
import { Prng } from '../prng.ts'
import type { Trace } from './trace.ts'

const HOUR_SECONDS = 3600

interface Common {
  readonly durationSeconds: number
  readonly stepSeconds: number
}

const sample = (name: string, common: Common, at: (offsetSeconds: number) => number): Trace => {
  const count = Math.max(1, Math.ceil(common.durationSeconds / common.stepSeconds))
  const values = Array.from({ length: count }, (_, index) => Math.max(0, at(index * common.stepSeconds)))
  return { name, stepSeconds: common.stepSeconds, values }
}

/**
 * A daily curve with a lunch peak: `baseRps` at night, rising to `peakRps` around `peakHour`
 * (a Gaussian bump `widthHours` wide, plus a smaller evening bump). `startHour` is the time of day
 * of the trace's first second.
 */
export function lunchPeak(
  options: Common & { baseRps: number; peakRps: number; peakHour?: number; widthHours?: number; startHour?: number },
): Trace {
  const peakHour = options.peakHour ?? 12
  const width = options.widthHours ?? 1.2
  const bump = (hour: number, center: number, sigma: number) => Math.exp(-((hour - center) ** 2) / (2 * sigma ** 2))
  return sample('lunch-peak', options, (offset) => {
    const hour = ((options.startHour ?? 0) + offset / HOUR_SECONDS) % 24
    const day = 0.35 * bump(hour, 15, 4)
    const lunch = bump(hour, peakHour, width)
    const evening = 0.45 * bump(hour, 19, 1.5)
    return options.baseRps + (options.peakRps - options.baseRps) * Math.min(1, day + lunch + evening)
  })
}

/** A flash crowd or an attack: steady load, a near-vertical rise at `atSeconds` to `peakRps`, exponential decay. */
export function flashCrowd(
  options: Common & {
    baseRps: number
    peakRps: number
    atSeconds: number
    riseSeconds?: number
    decaySeconds?: number
  },
): Trace {
  const rise = options.riseSeconds ?? 30
  const decay = options.decaySeconds ?? 900
  return sample('flash-crowd', options, (offset) => {
    const since = offset - options.atSeconds
    if (since < 0) return options.baseRps
    const extra = options.peakRps - options.baseRps
    if (since < rise) return options.baseRps + (extra * since) / rise
    return options.baseRps + extra * Math.exp(-(since - rise) / decay)
  })
}

/** A step: `fromRps` until `atSeconds`, then `toRps`. */
export const step = (options: Common & { fromRps: number; toRps: number; atSeconds: number }): Trace =>
  sample('step', options, (offset) => (offset < options.atSeconds ? options.fromRps : options.toRps))

/** A slow ramp from `fromRps` to `toRps` over the whole trace. */
export const slowRamp = (options: Common & { fromRps: number; toRps: number }): Trace =>
  sample(
    'slow-ramp',
    options,
    (offset) => options.fromRps + ((options.toRps - options.fromRps) * offset) / options.durationSeconds,
  )

/** Noise: a mean with uniform jitter of ±`amplitudeRps`, redrawn every step, from a seed. */
export function noise(options: Common & { meanRps: number; amplitudeRps: number; seed: number }): Trace {
  const prng = new Prng(options.seed)
  return sample('noise', options, () => options.meanRps + (prng.next() * 2 - 1) * options.amplitudeRps)
}
