import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';

export class ForgotPasswordDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset link' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'token is malformed' })
  token!: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}
