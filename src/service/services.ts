import { activityService } from './activities.ts'
import { capacityRequestService } from './capacity-requests.ts'
import type { ServiceContext } from './context.ts'
import { groupService } from './groups.ts'
import { imageService } from './images.ts'
import { instanceService } from './instances.ts'
import { launchConfigurationService } from './launch-configurations.ts'
import { ruleService } from './rules.ts'
import { tokenService } from './tokens.ts'

/** Every service, over one context. All API dialects call these; no dialect owns behaviour. */
export function createServices(context: ServiceContext, options: { adminSecret: string }) {
  return {
    images: imageService(context),
    launchConfigurations: launchConfigurationService(context),
    groups: groupService(context),
    capacity: capacityRequestService(context),
    rules: ruleService(context),
    instances: instanceService(context),
    activities: activityService(context),
    tokens: tokenService(context, options.adminSecret),
  }
}

export type Services = ReturnType<typeof createServices>
