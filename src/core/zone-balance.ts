/**
 * Where new instances go: each to the zone that has the fewest live instances at that moment,
 * ties to the zone listed first, so a group spreads evenly over its zones.
 */
export function chooseLaunchZones(options: {
  readonly zoneIds: readonly string[]
  readonly liveZoneIds: readonly string[]
  readonly count: number
}): string[] {
  const sizes = new Map<string, number>(options.zoneIds.map((zoneId) => [zoneId, 0]))
  for (const zoneId of options.liveZoneIds) {
    if (sizes.has(zoneId)) sizes.set(zoneId, (sizes.get(zoneId) ?? 0) + 1)
  }
  const chosen: string[] = []
  for (let index = 0; index < options.count; index += 1) {
    let best: string | undefined
    for (const zoneId of options.zoneIds) {
      if (best === undefined || (sizes.get(zoneId) ?? 0) < (sizes.get(best) ?? 0)) best = zoneId
    }
    if (best === undefined) break
    chosen.push(best)
    sizes.set(best, (sizes.get(best) ?? 0) + 1)
  }
  return chosen
}
