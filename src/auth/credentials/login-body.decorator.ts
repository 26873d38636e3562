import { SetMetadata, Type } from '@nestjs/common';

export const LOGIN_BODY_KEY = 'auth:login-body';

/** The DTO `LocalAuthGuard` validates the whole body against before any password is checked. */
export const LoginBody = (dto: Type) => SetMetadata(LOGIN_BODY_KEY, dto);
