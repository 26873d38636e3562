/**
 * One line about an error, fit for a log or stderr: name, code and message, with any password in
 * a URL masked (a connection string can travel inside a message). No stack, no driver detail.
 */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    text = `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  } else {
    text = String(error);
  }
  return redactUrlPasswords(text)
    .replace(/\s*\n\s*/g, ' | ')
    .trim();
}

export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@/?#\s]*@/gi, '$1:***@');
}
