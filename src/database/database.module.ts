import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { PreparedStatements } from './prepared-statements';
import { migrateThrough } from './run-migrations';
import { typeOrmOptions } from './typeorm-options';

/**
 * The TypeORM connection; the schema is brought up to date by the migrations before anything uses it.
 * Global, as TypeORM's own root module is: every module's hot path may run a prepared statement.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      // Migrations first, on DATABASE_MIGRATION_URL (a direct connection), then the app's pool.
      useFactory: async (config: AppConfig) => {
        if (config.databaseUrl === undefined) throw new Error('No database URL: start the embedded PostgreSQL first');
        await migrateThrough(config.databaseMigrationUrl ?? config.databaseUrl);
        return typeOrmOptions(config.databaseUrl);
      },
    }),
  ],
  providers: [PreparedStatements],
  exports: [PreparedStatements],
})
export class DatabaseModule {}
