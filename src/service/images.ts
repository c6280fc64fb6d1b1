import { isAbsolute } from 'node:path'
import { BillowError } from '../core/errors.ts'
import type { ImageId } from '../core/ids.ts'
import type { Image } from '../core/types.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireName } from './validate.ts'

export interface RegisterImageInput {
  readonly name: string
  readonly directory: string
  readonly command: readonly string[]
  readonly healthPath?: string | null
}

/** An argv of at most this many words; a start command is a program and a few arguments. */
const COMMAND_WORDS_MAX = 64

/** Images are registered by an operator; instances run nothing else. */
export function imageService(context: ServiceContext) {
  const { store } = context
  return {
    list: () => store.images.list(),

    async get(id: ImageId): Promise<Image> {
      return (await store.images.get(id)) ?? notFound('ImageNotFound', 'image', id)
    },

    async register(input: RegisterImageInput): Promise<Image> {
      requireName('name', input.name)
      if (!isAbsolute(input.directory)) invalid('directory', 'must be an absolute path')
      if (input.command.length === 0 || input.command.length > COMMAND_WORDS_MAX) {
        invalid('command', `must have 1 to ${COMMAND_WORDS_MAX} words`)
      }
      if (input.command.some((word) => word.length === 0 || word.includes('\0')))
        invalid('command', 'has an empty word')
      const healthPath = input.healthPath ?? null
      if (healthPath !== null && !/^\/[\x21-\x7e]*$/.test(healthPath))
        invalid('healthPath', 'must start with / and have no spaces')
      const image: Image = {
        id: context.ids.next('image') as ImageId,
        name: input.name,
        directory: input.directory,
        command: [...input.command],
        healthPath,
        createdAtMs: context.clock.nowMs(),
      }
      await store.images.insert(image)
      return image
    },

    async remove(id: ImageId): Promise<void> {
      await store.transaction(async (tx) => {
        if (!(await tx.images.get(id))) notFound('ImageNotFound', 'image', id)
        const users = await tx.launchConfigurations.countUsingImage(id)
        if (users > 0) throw new BillowError('ImageInUse', `image ${id} is used by ${users} launch configuration(s)`)
        await tx.images.delete(id)
      })
    },
  }
}
