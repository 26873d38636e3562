import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}

export class CloseAccountDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;

  @ApiPropertyOptional({ description: 'A TOTP or recovery code: required when MFA is on' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9 -]{6,32}$/, { message: 'code must be a 6-digit TOTP code or a recovery code' })
  code?: string;
}
