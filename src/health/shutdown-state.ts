import { Injectable } from '@nestjs/common';

/**
 * Whether the process has begun to shut down. From the first SIGTERM or SIGINT on, `/health`
 * answers 503, so that load balancers stop sending while the last requests finish.
 */
@Injectable()
export class ShutdownState {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  begin(): void {
    this.shuttingDown = true;
  }
}
