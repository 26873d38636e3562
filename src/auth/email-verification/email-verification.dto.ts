import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the link' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'token is malformed' })
  token!: string;
}

export class ChangeEmailDto {
  @ApiProperty({ example: 'alice@example.org' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'newEmail must be a valid email address' })
  newEmail!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;
}
