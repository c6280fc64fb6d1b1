/** REST paths, with ids always URL-encoded (a rule may be addressed by its ARI, which has colons). */
export const API_PATHS = {
  images: '/v1/images',
  instanceTypes: '/v1/instance-types',
  launchConfigurations: '/v1/launch-configurations',
  groups: '/v1/groups',
  rules: '/v1/rules',
  instances: '/v1/instances',
  activities: '/v1/activities',
  tokens: '/v1/tokens',
  loadBalancers: '/v1/load-balancers',
  databases: '/v1/databases',
} as const

export const itemPath = (collection: string, id: string): string => `${collection}/${encodeURIComponent(id)}`

export const groupPath = (id: string): string => itemPath(API_PATHS.groups, id)
