import { ApiProperty } from '@nestjs/swagger';

interface UserFields {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly createdAt: Date | string;
  readonly emailVerified: boolean;
  readonly mfaEnabled: boolean;
}

/** The public shape of a user: never a hash, a counter or a flag of the account's internals. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'alice@example.com' }) email!: string;
  @ApiProperty({ type: [String], example: ['user'] }) roles!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'The current email was proven by a link sent to it' }) emailVerified!: boolean;
  @ApiProperty({ description: 'Login asks for a TOTP or recovery code' }) mfaEnabled!: boolean;

  /** Copies only the public fields, whatever else the source (an entity, a snapshot) carries. */
  static of(user: UserFields): UserView {
    return Object.assign(new UserView(), {
      id: user.id,
      username: user.username,
      email: user.email,
      roles: [...user.roles],
      createdAt: typeof user.createdAt === 'string' ? user.createdAt : user.createdAt.toISOString(),
      emailVerified: user.emailVerified,
      mfaEnabled: user.mfaEnabled,
    });
  }
}
