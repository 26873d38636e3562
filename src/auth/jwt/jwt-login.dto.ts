import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LoginDto } from '../credentials/login.dto';

export const TOKEN_TRANSPORTS = ['body', 'cookie'] as const;
export type TokenTransport = (typeof TOKEN_TRANSPORTS)[number];

export class JwtLoginDto extends LoginDto {
  @ApiPropertyOptional({ enum: TOKEN_TRANSPORTS, default: 'body', description: '"cookie": tokens as HttpOnly cookies' })
  @IsOptional()
  @IsIn(TOKEN_TRANSPORTS)
  transport?: TokenTransport;
}
