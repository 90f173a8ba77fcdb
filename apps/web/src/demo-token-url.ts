/**
 * Where the gateway mints demo tokens (GATEWAY_DEV_AUTH): its HTTP side, same host and port as
 * its WebSocket endpoint, `GET /demo-token?sub=&forum=`.
 */
export function demoTokenUrl(gatewayUrl: string, sub: string, forumId: string): string {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/ws\/?$/, '') + '/demo-token';
  url.search = new URLSearchParams({ sub, forum: forumId }).toString();
  url.hash = '';
  return url.toString();
}
