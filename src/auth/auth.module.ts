import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthService } from './auth.service';
import { JwtAuthController } from './controllers/jwt-auth.controller';
import { RegistrationController } from './controllers/registration.controller';
import { JwtGuard } from './guards/jwt.guard';
import { JwtAuthService } from './jwt-auth.service';
import { JwtAuthenticator } from './jwt-authenticator.service';
import { JwtStrategy } from './strategies/jwt.strategy';

/**
 * Authentication for product controllers. Import it into a product module and guard its controllers.
 *
 * @example
 * @Module({ imports: [AuthModule], controllers: [OrdersController] })
 * export class OrdersModule {}
 * // in OrdersController: @UseGuards(JwtGuard) on the class or a route
 */
@Module({
  imports: [UsersModule, TokensModule],
  controllers: [RegistrationController, JwtAuthController],
  providers: [AuthService, JwtAuthService, JwtStrategy, JwtAuthenticator, JwtGuard],
  exports: [JwtGuard, JwtAuthenticator],
})
export class AuthModule {}
