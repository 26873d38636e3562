import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { MailMessage } from './mail-message';

/**
 * Sends mail through SMTP_URL; without it (development, tests), each message is written as an .eml
 * file to MAIL_OUTBOX_DIR instead, with a plain .txt copy beside it whose links can be copied as they are. Messages carry secrets (reset links), so they never reach the log.
 */
@Injectable()
export class MailerService {
  private readonly logger = new Logger(MailerService.name);
  private readonly transport: Transporter;
  private readonly outboxDir: string | undefined;
  private readonly from: string;

  constructor(config: AppConfig) {
    this.from = config.mailFrom;
    this.outboxDir = config.smtpUrl === undefined ? config.mailOutboxDir : undefined;
    this.transport =
      config.smtpUrl === undefined
        ? createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
        : createTransport(config.smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, ...message });
    if (this.outboxDir === undefined) return;
    await mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
    const name = join(this.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}`);
    await writeFile(`${name}.eml`, (info as { message: Buffer }).message, { mode: 0o600 });
    // The .eml is quoted-printable, which breaks long links; the .txt beside it is the text as sent.
    await writeFile(`${name}.txt`, `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`, { mode: 0o600 });
    this.logger.log(`Mail "${message.subject}" written to the outbox (no SMTP_URL)`);
  }
}
