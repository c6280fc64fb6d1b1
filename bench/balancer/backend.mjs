// A bench backend: the smallest useful HTTP answer, so the figures measure the proxies, not the
// application. Started by run.ts with HOST and PORT; stopped by PID.
import { createServer } from 'node:http'

const body = Buffer.from('{"ok":true}\n')
const server = createServer((request, response) => {
  request.resume()
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  response.end(body)
})
// Longer than the proxies' own idle pool timeouts, so idle pooled connections are closed by the proxies.
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('ready'))
