import type { Channel } from '@threadcast/contracts';

/** What a socket proved at connect time (a verified token's claims); undefined when anonymous. */
export interface Claims {
  sub: string;
  /** Forums the user moderates. */
  mod?: string[];
}

/** Decides whether a socket may subscribe to a channel; false answers `forbidden`. */
export type Authorize = (channel: Channel, claims: Claims | undefined) => boolean;

/**
 * Protocol v1 before auth: every channel is open to everyone. Token checks (`user:<id>` needs
 * sub == id, `mod:<forum>` needs the forum in `mod`) replace this without touching the server.
 */
export const allowAll: Authorize = () => true;
