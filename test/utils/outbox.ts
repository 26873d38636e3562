import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './http';

/** The text of a message in the outbox, with quoted-printable soft breaks and escapes undone. */
function decode(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function outboxMessagesTo(outboxDir: string, email: string): string[] {
  if (!existsSync(outboxDir)) return [];
  return readdirSync(outboxDir)
    .filter((file) => file.endsWith('.eml'))
    .sort()
    .map((file) => decode(readFileSync(join(outboxDir, file), 'utf8')))
    .filter((message) => new RegExp(`^To: ${email}$`, 'mi').test(message));
}

/** Waits (up to 5 s) for the n-th message to `email` and returns its text. */
export async function waitForMessage(outboxDir: string, email: string, count = 1): Promise<string> {
  for (let waited = 0; waited < 5000; waited += 50) {
    const messages = outboxMessagesTo(outboxDir, email);
    if (messages.length >= count) return messages[count - 1];
    await sleep(50);
  }
  throw new Error(`no message ${count} to ${email} in ${outboxDir}`);
}

export function resetLink(message: string): URL {
  const match = /(https?:\/\/\S+\?token=[A-Za-z0-9_-]+)/.exec(message);
  if (match === null) throw new Error('no reset link in the message');
  return new URL(match[1]);
}
