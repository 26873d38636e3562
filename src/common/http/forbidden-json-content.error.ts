/** Raised while parsing a JSON body that is well-formed but carries content the service never accepts. */
export class ForbiddenJsonContentError extends Error {
  override readonly name = 'ForbiddenJsonContentError';
}
