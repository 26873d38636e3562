import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from './entities/user.entity';

/** The public shape of a user: never a hash, a counter or a flag of the account's internals. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'alice@example.com' }) email!: string;
  @ApiProperty({ type: [String], example: ['user'] }) roles!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;

  static of(user: UserEntity): UserView {
    return Object.assign(new UserView(), {
      id: user.id,
      username: user.username,
      email: user.email,
      roles: [...user.roles],
      createdAt: user.createdAt.toISOString(),
    });
  }
}
