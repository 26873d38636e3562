import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { SessionCache } from './session-cache';
import { SessionEntity } from './session.entity';

/** Cookie sessions seen from the user's side: list them, end one, end all. This instance's memory of them follows at once. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly cache: SessionCache,
  ) {}

  listLive(userId: string): Promise<SessionEntity[]> {
    return this.liveQuery().andWhere('s.user_id = :userId', { userId }).orderBy('s.created_at', 'DESC').getMany();
  }

  /** Ends one session of this user; false when no such session of theirs exists. */
  async endOne(userId: string, sessionId: string): Promise<boolean> {
    const result = await this.sessions.delete({ id: sessionId, userId });
    this.cache.forgetSession(sessionId);
    return (result.affected ?? 0) > 0;
  }

  /** Ends every session of the user except `keepSessionId`, if given. */
  async endAll(userId: string, keepSessionId?: string): Promise<number> {
    const query = this.sessions.createQueryBuilder().delete().where('user_id = :userId', { userId });
    if (keepSessionId !== undefined) query.andWhere('id <> :keepSessionId', { keepSessionId });
    const ended = (await query.execute()).affected ?? 0;
    this.cache.forgetUser(userId);
    return ended;
  }

  private liveQuery() {
    return this.sessions
      .createQueryBuilder('s')
      .where(new Brackets((where) => where.where('s.idle_expires_at > now()').andWhere('s.absolute_expires_at > now()')));
  }

  /** Lowers both expiries of a session row to at most `seconds` from now (CookieSessionService.setExpiry). */
  async shortenLifetime(sessionId: string, seconds: number): Promise<void> {
    await this.sessions.query(
      `UPDATE sessions
          SET idle_expires_at = LEAST(idle_expires_at, now() + make_interval(secs => $2)),
              absolute_expires_at = LEAST(absolute_expires_at, now() + make_interval(secs => $2))
        WHERE id = $1`,
      [sessionId, seconds],
    );
    this.cache.forgetSession(sessionId);
  }
}
