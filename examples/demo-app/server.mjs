// Billow's demo image: a tiny HTTP application that says which instance answered.
// Billow starts it with HOST (the instance's private loopback IP), PORT, INSTANCE_ID and ZONE set.
import { createServer } from 'node:http'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 8080)
const instanceId = process.env.INSTANCE_ID ?? null
const zone = process.env.ZONE ?? null

const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end('ok')
    return
  }
  // /burn?ms=N: spin the CPU for N milliseconds (at most 5 s) before answering, so a load test
  // raises the instance's CPU utilisation and an alarm on it can fire.
  if (request.url?.startsWith('/burn')) {
    const requested = Number(new URL(request.url, 'http://x').searchParams.get('ms') ?? 100)
    const ms = Math.min(Math.max(Number.isFinite(requested) ? requested : 100, 0), 5_000)
    const until = performance.now() + ms
    let spins = 0
    while (performance.now() < until) spins += 1
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ instanceId, burnedMs: ms, spins }))
    return
  }
  if (request.url === '/') {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ instanceId, zone, host, port, pid: process.pid }))
    return
  }
  response.writeHead(404, { 'content-type': 'text/plain' })
  response.end('not found')
})

server.listen(port, host, () => {
  console.log(`demo-app ${instanceId} listening on http://${host}:${port}`)
})

// Scale-in sends SIGTERM: finish the requests in flight, refuse new ones, then exit cleanly.
function drain(signal) {
  console.log(`demo-app ${instanceId} received ${signal}, draining`)
  server.close(() => process.exit(0))
  server.closeIdleConnections()
}
process.on('SIGTERM', drain)
process.on('SIGINT', drain)
