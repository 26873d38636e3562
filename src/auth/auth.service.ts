import { Injectable } from '@nestjs/common';
import { UserView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import { RegisterDto } from './dto/register.dto';

/** Orchestrates the authentication use cases over the users and tokens services. */
@Injectable()
export class AuthService {
  constructor(private readonly users: UsersService) {}

  async register(input: RegisterDto): Promise<UserView> {
    const user = await this.users.create({ username: input.username, email: input.email, password: input.password });
    return UserView.of(user);
  }
}
