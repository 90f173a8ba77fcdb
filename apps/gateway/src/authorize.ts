import type { Channel } from '@threadcast/contracts';

/** What a socket proved at connect time (a verified token's claims); undefined when anonymous. */
export interface Claims {
  sub: string;
  /** Forums the user moderates. */
  mod: readonly string[];
  /** Expiry, epoch seconds. */
  exp: number;
}

/**
 * Protocol v1's rules: `thread:` channels are public; `user:<id>` needs a token whose `sub` is
 * that id; `mod:<forum>` needs the forum among the token's moderated forums.
 */
export function authorize(channel: Channel, claims: Claims | undefined): boolean {
  switch (channel.kind) {
    case 'thread':
      return true;
    case 'user':
      return claims !== undefined && claims.sub === channel.id;
    case 'mod':
      return claims !== undefined && claims.mod.includes(channel.id);
  }
}
