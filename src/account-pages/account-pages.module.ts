import { Module } from '@nestjs/common';
import { AccountPagesController } from './account-pages.controller';

/** Minimal pages for the reset and verification links the service mails (no front end needed). */
@Module({ controllers: [AccountPagesController] })
export class AccountPagesModule {}
