import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class JwtLogoutDto {
  @ApiPropertyOptional({ description: "A refresh token of the caller's to revoke as well" })
  @IsOptional()
  @IsString()
  refreshToken?: string;
}
