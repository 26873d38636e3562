import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ example: 'alice', description: '3–32 of [a-z0-9._-] after lower-casing' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,32}$/, { message: 'username must be 3–32 characters of letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiProperty({ example: 'alice@example.com' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 256, description: 'Not a common password, not the username or email' })
  @IsString()
  @MaxLength(1024)
  password!: string;
}
