import { ApiProperty } from '@nestjs/swagger';

/** One of the caller's logins, as `GET /auth/sessions` lists them. */
export class DeviceView {
  @ApiProperty({ format: 'uuid', description: 'The session id, or the refresh family (`sid` claim)' }) id!: string;
  @ApiProperty({ enum: ['session', 'jwt'] }) kind!: 'session' | 'jwt';
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) lastUsedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it ends unless used or ended before' }) expiresAt!: string;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ description: 'The login this request was made with' }) current!: boolean;
}
