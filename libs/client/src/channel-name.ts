// Mirrors parseChannel in @threadcast/contracts (channel-name.spec.ts keeps the two in step). It
// is copied rather than imported so that a browser bundle does not pull in the contracts'
// TypeBox schemas.
const CHANNEL = /^(thread|user|mod):[A-Za-z0-9_.-]{1,128}$/;

/** `thread:<id>`, `user:<id>` or `mod:<forumId>`: the channels gateway protocol v1 knows. */
export function isChannelName(name: string): boolean {
  return CHANNEL.test(name);
}
