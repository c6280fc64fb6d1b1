/**
 * The multi-metric expression: condition ids joined by && and ||, with parentheses; && binds
 * tighter. Three-valued: a condition without data is `unknown`, and unknown is never a breach
 * (false && unknown is false, true || unknown is true, anything else with unknown is unknown). Pure.
 */

export type Truth = true | false | 'unknown'

export type Expression =
  | { readonly kind: 'condition'; readonly id: string }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }

/** An expression is short; a limit keeps a hostile one from costing anything. */
export const EXPRESSION_LENGTH_MAX = 512

const TOKEN = /\s*(&&|\|\||\(|\)|[A-Za-z][A-Za-z0-9_]*)/y

/** Parses, or returns the reason it cannot. */
export function parseExpression(text: string): Expression | { readonly error: string } {
  if (text.length > EXPRESSION_LENGTH_MAX) return { error: `longer than ${EXPRESSION_LENGTH_MAX} characters` }
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex
    const match = TOKEN.exec(text)
    if (!match) {
      if (text.slice(start).trim() === '') break
      return { error: `unexpected "${text.slice(start).trim().slice(0, 16)}"` }
    }
    tokens.push(match[1] as string)
  }
  let position = 0
  const peek = (): string | undefined => tokens[position]
  const parseOr = (): Expression => {
    let left = parseAnd()
    while (peek() === '||') {
      position += 1
      left = { kind: 'or', left, right: parseAnd() }
    }
    return left
  }
  const parseAnd = (): Expression => {
    let left = parsePrimary()
    while (peek() === '&&') {
      position += 1
      left = { kind: 'and', left, right: parsePrimary() }
    }
    return left
  }
  const parsePrimary = (): Expression => {
    const token = peek()
    position += 1
    if (token === '(') {
      const inner = parseOr()
      if (peek() !== ')') throw new SyntaxError('missing ")"')
      position += 1
      return inner
    }
    if (token === undefined || token === ')' || token === '&&' || token === '||') {
      throw new SyntaxError(token === undefined ? 'ends too early' : `unexpected "${token}"`)
    }
    return { kind: 'condition', id: token }
  }
  try {
    const expression = parseOr()
    if (position < tokens.length) return { error: `unexpected "${tokens[position]}"` }
    return expression
  } catch (error) {
    return { error: (error as Error).message }
  }
}

export function conditionIds(expression: Expression): string[] {
  return expression.kind === 'condition'
    ? [expression.id]
    : [...conditionIds(expression.left), ...conditionIds(expression.right)]
}

export function evaluateExpression(expression: Expression, truths: ReadonlyMap<string, Truth>): Truth {
  switch (expression.kind) {
    case 'condition':
      return truths.get(expression.id) ?? 'unknown'
    case 'and': {
      const left = evaluateExpression(expression.left, truths)
      const right = evaluateExpression(expression.right, truths)
      if (left === false || right === false) return false
      return left === true && right === true ? true : 'unknown'
    }
    case 'or': {
      const left = evaluateExpression(expression.left, truths)
      const right = evaluateExpression(expression.right, truths)
      if (left === true || right === true) return true
      return left === false && right === false ? false : 'unknown'
    }
  }
}
