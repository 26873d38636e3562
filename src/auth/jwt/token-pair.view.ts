import { ApiProperty } from '@nestjs/swagger';

/** Login and refresh answer, body transport. */
export class TokenPairView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ description: 'Opaque; spend it once at POST /auth/jwt/refresh' }) refreshToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expiresIn!: number;
  @ApiProperty({ description: "Seconds until the login's absolute expiry", example: 2592000 }) refreshExpiresIn!: number;
}
