import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'alice', description: 'The username or the email' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    default: true,
    description: 'false: a browser-session cookie (no Expires/Max-Age), or a refresh family capped at SESSION_ABSOLUTE_TIMEOUT',
  })
  @IsOptional()
  @IsBoolean()
  remember?: boolean;
}
