import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { AuthModule, JwtGuard } from '../src/auth';

/** Two identical routes; only the guard differs, so the difference is the guard's cost. */
@Controller('bench')
export class BenchController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('jwt')
  @UseGuards(JwtGuard)
  guarded(): { ok: true } {
    return { ok: true };
  }
}

@Module({ imports: [AuthModule], controllers: [BenchController] })
export class BenchModule {}
