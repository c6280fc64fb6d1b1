import { randomBytes } from 'node:crypto'
import { DEFAULT_INSTANCE_TYPES } from '../core/cloud-instance-types.ts'
import { accessKeyService } from './access-keys.ts'
import { activityService } from './activities.ts'
import { alarmService } from './alarms.ts'
import { capacityRequestService } from './capacity-requests.ts'
import type { ServiceContext } from './context.ts'
import { databaseService } from './databases.ts'
import { groupService } from './groups.ts'
import { imageService } from './images.ts'
import { instanceService } from './instances.ts'
import { launchConfigurationService } from './launch-configurations.ts'
import { loadBalancerService } from './load-balancers.ts'
import { metricService } from './metrics.ts'
import { ruleService } from './rules.ts'
import { scheduledTaskService } from './scheduled-tasks.ts'
import { createSecretBox, SECRET_BOX_KEY_BYTES } from './secret-box.ts'
import { tokenService } from './tokens.ts'

/** Every service, over one context. All API dialects call these; no dialect owns behaviour. */
export function createServices(
  context: ServiceContext,
  options: {
    adminSecret: string
    /** Seals access key secrets at rest; a fresh random key when absent (tests, the simulator). */
    secretBoxKey?: Buffer
  },
) {
  return {
    /** Billow's own instance types, the operator's, and the clouds' naming rules (not listed). */
    instanceTypes: context.settings.instanceTypes ?? DEFAULT_INSTANCE_TYPES,
    images: imageService(context),
    launchConfigurations: launchConfigurationService(context),
    loadBalancers: loadBalancerService(context),
    databases: databaseService(context),
    groups: groupService(context),
    capacity: capacityRequestService(context),
    rules: ruleService(context),
    scheduledTasks: scheduledTaskService(context),
    alarms: alarmService(context),
    metrics: metricService(context),
    instances: instanceService(context),
    activities: activityService(context),
    tokens: tokenService(context, options.adminSecret),
    accessKeys: accessKeyService(context, createSecretBox(options.secretBoxKey ?? randomBytes(SECRET_BOX_KEY_BYTES))),
  }
}

export type Services = ReturnType<typeof createServices>
