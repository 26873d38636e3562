import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AuthService } from './auth.service';
import { RegistrationController } from './controllers/registration.controller';

/**
 * Authentication for product controllers. Import it into a product module and guard its controllers.
 */
@Module({
  imports: [UsersModule],
  controllers: [RegistrationController],
  providers: [AuthService],
})
export class AuthModule {}
