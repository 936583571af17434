/** The Jupyter messaging wire format (protocol 5.3): framing, HMAC-SHA256 signing and verifying. */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = Buffer.from('<IDS|MSG>');

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type Content = { [key: string]: unknown };

export interface Message {
  header: Header;
  /** The header of the request this message answers; `{}` for a request. */
  parent_header: Partial<Header>;
  metadata: Content;
  content: Content;
}

/** A message that did not verify: the kernel and runner disagree on the key, or bytes were changed. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function newMessage(session: string, msgType: string, content: Content): Message {
  return {
    header: { msg_id: randomUUID(), session, username: 'labbook-nbtest', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION },
    parent_header: {},
    metadata: {},
    content,
  };
}

function sign(key: string, parts: readonly (string | Buffer)[]): string {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Frames for one message: [identities..., <IDS|MSG>, signature, header, parent, metadata, content]. */
export function encode(key: string, message: Message, identities: readonly Buffer[] = []): (string | Buffer)[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((p) => JSON.stringify(p));
  return [...identities, DELIMITER, sign(key, parts), ...parts];
}

/**
 * Parses and verifies one received message. The signature covers the four JSON frames exactly as
 * they arrived (re-serialising them would not reproduce the kernel's bytes).
 */
export function decode(key: string, frames: readonly Buffer[]): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) throw new ProtocolError(`malformed message (expected <IDS|MSG> and 5 frames after it, received ${frames.length} frames)`);
  const signature = frames[at + 1].toString('ascii');
  const parts = frames.slice(at + 2, at + 6);
  const expected = Buffer.from(sign(key, parts), 'ascii');
  const received = Buffer.from(signature, 'ascii');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new ProtocolError('message with an invalid HMAC-SHA256 signature');
  }
  const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')) as unknown);
  return { header: header as Header, parent_header: (parent ?? {}) as Partial<Header>, metadata: (metadata ?? {}) as Content, content: (content ?? {}) as Content };
}
