import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './http';

/** The text of a message in the outbox, with quoted-printable soft breaks and escapes undone. */
function decode(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The subject of the password-reset mail, to tell it from the other mail a user gets (verification, notices). */
export const RESET_SUBJECT = 'Reset your password';

/** Messages to `email`, oldest first; only those with this exact subject when `subject` is given. */
export function outboxMessagesTo(outboxDir: string, email: string, subject?: string): string[] {
  if (!existsSync(outboxDir)) return [];
  return readdirSync(outboxDir)
    .filter((file) => file.endsWith('.eml'))
    .sort()
    .map((file) => decode(readFileSync(join(outboxDir, file), 'utf8')))
    .filter((message) => new RegExp(`^To: ${email}$`, 'mi').test(message))
    .filter((message) => subject === undefined || message.split(/\r?\n/).includes(`Subject: ${subject}`));
}

/** Waits (up to 5 s) for the n-th message to `email` (with that subject, if given) and returns its text. */
export async function waitForMessage(outboxDir: string, email: string, count = 1, subject?: string): Promise<string> {
  for (let waited = 0; waited < 5000; waited += 50) {
    const messages = outboxMessagesTo(outboxDir, email, subject);
    if (messages.length >= count) return messages[count - 1];
    await sleep(50);
  }
  throw new Error(`no message ${count} to ${email} in ${outboxDir}`);
}

export function resetLink(message: string): URL {
  const match = /(https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(message);
  if (match === null) throw new Error('no reset link in the message');
  return new URL(match[1]);
}
