import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

const CODE = /^[A-Za-z0-9 -]{6,32}$/;
const CODE_MESSAGE = 'code must be a 6-digit TOTP code or a recovery code';

export class MfaSetupDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '123456', description: 'A current TOTP code' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code!: string;
}

export class MfaReauthDto extends MfaSetupDto {
  @ApiProperty({ example: '123456', description: 'A current TOTP code or an unused recovery code' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code!: string;
}

export class MfaVerifyDto {
  @ApiProperty({ description: 'From the 401 MFA_REQUIRED answer of the login' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'mfaToken is malformed' })
  mfaToken!: string;

  @ApiProperty({ example: '123456', description: 'A current TOTP code or an unused recovery code' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code!: string;
}

export class MfaSetupView {
  @ApiProperty({ description: 'Base32; SHA-1, 6 digits, 30 s' }) secret!: string;
  @ApiProperty({ example: 'otpauth://totp/nest-auth-backend:alice?secret=...' }) otpauthUrl!: string;
}

export class RecoveryCodesView {
  @ApiProperty({ type: [String], description: 'Shown this once; each works once' }) recoveryCodes!: string[];
}
