import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JwtKeyRing, PublicJwk } from '../../tokens/access/jwt-key-ring';

/** How long verifiers may cache the key set: key rotation waits this long (plus JWT_ACCESS_TTL) before removing a key. */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * The public keys that verify access tokens (RFC 7517), for services that hold no secret: every
 * configured key under ES256 or EdDSA, none under HS256 (a secret is never published).
 */
@ApiTags('keys')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: JwtKeyRing) {}

  @Get('jwks.json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @ApiOkResponse({
    description: 'The JSON Web Key Set of the access-token signing keys; empty under HS256',
    schema: {
      example: {
        keys: [
          {
            kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
            kty: 'OKP',
            alg: 'EdDSA',
            use: 'sig',
            crv: 'Ed25519',
            x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
          },
        ],
      },
    },
  })
  jwks(): { keys: readonly PublicJwk[] } {
    return { keys: this.keys.jwks };
  }
}
