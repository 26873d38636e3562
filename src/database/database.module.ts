import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { runMigrationsExclusively } from './run-migrations';
import { typeOrmOptions } from './typeorm-options';

/** The TypeORM connection; the schema is brought up to date by the migrations before anything uses it. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (config.databaseUrl === undefined) throw new Error('No database URL: start the embedded PostgreSQL first');
        return typeOrmOptions(config.databaseUrl);
      },
      dataSourceFactory: async (options) => {
        if (options === undefined) throw new Error('TypeORM options missing');
        const dataSource = await new DataSource(options).initialize();
        await runMigrationsExclusively(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
