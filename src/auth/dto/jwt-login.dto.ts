import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export const TOKEN_TRANSPORTS = ['body', 'cookie'] as const;
export type TokenTransport = (typeof TOKEN_TRANSPORTS)[number];

export class JwtLoginDto {
  @ApiProperty({ example: 'alice', description: 'Username or email' })
  @IsString()
  @MaxLength(254)
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ enum: TOKEN_TRANSPORTS, default: 'body', description: '"cookie": tokens as HttpOnly cookies' })
  @IsOptional()
  @IsIn(TOKEN_TRANSPORTS)
  transport?: TokenTransport;
}
