import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** A scope names what a key may do: `reports:read`, `introspect`. Lower case, no spaces (RFC 6749 §3.3 scope-tokens). */
export const SCOPE_FORMAT = /^[a-z][a-z0-9_.:-]{0,63}$/;
export const MAX_SCOPES = 20;
export const MAX_EXPIRES_IN_DAYS = 3650;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'nightly export', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  // Printable: no control characters (and no NUL, which PostgreSQL refuses in text).
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({ type: [String], example: ['reports:read'], maxItems: MAX_SCOPES, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_FORMAT, { each: true, message: 'each scope must match [a-z][a-z0-9_.:-]{0,63}' })
  scopes?: string[];

  @ApiPropertyOptional({ example: 90, minimum: 1, maximum: MAX_EXPIRES_IN_DAYS, description: 'Without it, the key does not expire' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_EXPIRES_IN_DAYS)
  expiresInDays?: number;
}
