export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  /** The plain-text part: every link on a line of its own. */
  readonly text: string;
  /** An HTML alternative, when the message has links worth a button. */
  readonly html?: string;
}
