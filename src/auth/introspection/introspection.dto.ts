import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class IntrospectDto {
  @ApiProperty({ description: 'An access token or an API key' })
  @IsString()
  @MaxLength(4096)
  token!: string;
}

/** RFC 7662 §2.2. An inactive answer is `{active: false}` alone: no reason, whatever made it inactive. */
export class IntrospectionView {
  @ApiProperty() active!: boolean;
  @ApiPropertyOptional({ format: 'uuid', description: 'The user' }) sub?: string;
  @ApiPropertyOptional({ description: 'Seconds since the epoch; absent for an API key that does not expire' }) exp?: number;
  @ApiPropertyOptional({ description: 'Seconds since the epoch' }) iat?: number;
  @ApiPropertyOptional({ description: "The access token's jti, or the API key's id" }) jti?: string;
  @ApiPropertyOptional({ description: "An API key's scopes, space-separated" }) scope?: string;
  @ApiPropertyOptional({
    enum: ['Bearer', 'api_key'],
    description: '"Bearer" for an access token (RFC 6749 §7.1), "api_key" for an API key',
  })
  token_type?: 'Bearer' | 'api_key';
}
