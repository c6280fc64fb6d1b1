/**
 * `npm start` seeds a demo once per data directory: the demo image (examples/demo-app), a launch
 * configuration, and a group of 2 running instances over two zones.
 */
import type { ImageId, LaunchConfigurationId } from './core/ids.ts'
import type { Store } from './ports/store.ts'
import type { Services } from './service/services.ts'

const DEMO_SEEDED_KEY = 'demo-seeded'

export async function seedDemo(services: Services, options: { store: Store; demoDirectory: string }): Promise<void> {
  if (await options.store.meta.get(DEMO_SEEDED_KEY)) return
  const image = await services.images.register({
    name: 'demo-app',
    directory: options.demoDirectory,
    // The running node binary, by absolute path: the demo must not depend on PATH.
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
  })
  const launchConfiguration = await services.launchConfigurations.create({
    name: 'demo-app',
    imageId: image.id as ImageId,
    instanceType: 'bl.micro',
    appPort: 8080,
    env: { GREETING: 'hello from billow' },
    tags: { app: 'demo' },
  })
  await services.groups.create({
    name: 'demo',
    minSize: 1,
    maxSize: 6,
    desiredCapacity: 2,
    defaultCooldownSeconds: 60,
    zones: [
      { zoneId: 'zone-a', subnet: '127.20.1.0/24' },
      { zoneId: 'zone-b', subnet: '127.20.2.0/24' },
    ],
    launchConfigurationId: launchConfiguration.id as LaunchConfigurationId,
  })
  await options.store.meta.set(DEMO_SEEDED_KEY, new Date().toISOString())
}
