import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class RefreshTokenDto {
  // No length rule: any string that is not a live token is a 401, whatever its size (BODY_LIMIT caps it).
  @ApiPropertyOptional({ description: 'Required unless the refresh_token cookie (cookie transport) is sent' })
  @IsOptional()
  @IsString()
  refreshToken?: string;
}
