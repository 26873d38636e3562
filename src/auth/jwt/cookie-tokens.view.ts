import { ApiProperty } from '@nestjs/swagger';

/** Login and refresh answer, cookie transport: the tokens are in HttpOnly cookies. */
export class CookieTokensView {
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expiresIn!: number;
  @ApiProperty({ description: 'Send it as X-CSRF-Token on unsafe requests (also in the csrf_token cookie)' }) csrfToken!: string;
}
