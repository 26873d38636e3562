import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { AuthModule, JwtGuard, Roles, RolesGuard, SessionGuard, SessionOrJwtGuard } from '../../src/auth/index';

/**
 * The bench's product module, written the way a product team mounts the guards (compare
 * test/fixtures/*.module.ts): it imports AuthModule from the public entry src/auth/index.ts.
 * Every handler does the same trivial work, so the difference between two routes is the guard.
 */
@Controller('bench')
export class BenchController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('jwt')
  @UseGuards(JwtGuard)
  jwt(): { ok: true } {
    return { ok: true };
  }

  @Get('session')
  @UseGuards(SessionGuard)
  session(): { ok: true } {
    return { ok: true };
  }

  @Get('either')
  @UseGuards(SessionOrJwtGuard)
  either(): { ok: true } {
    return { ok: true };
  }

  @Get('role')
  @UseGuards(JwtGuard, RolesGuard)
  @Roles('user')
  role(): { ok: true } {
    return { ok: true };
  }
}

@Module({ imports: [AuthModule], controllers: [BenchController] })
export class BenchModule {}
