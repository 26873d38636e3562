import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ACCOUNT_PAGES_SCRIPT, resetPasswordPage, verifyEmailPage } from './account-pages.html';

/**
 * The pages behind the links the service mails, for a deployment without a front end of its own
 * (APP_URL is the service's own base URL). A product with a front end sets APP_URL to it and serves
 * these paths there. No inline script, so helmet's strict CSP holds; the script takes the token from
 * the address and removes it from there at once, and `Referrer-Policy: no-referrer` keeps it out of
 * any Referer.
 */
@ApiExcludeController()
@Controller()
export class AccountPagesController {
  @Get('reset-password')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  resetPassword(): string {
    return resetPasswordPage;
  }

  @Get('verify-email')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  verifyEmail(): string {
    return verifyEmailPage;
  }

  @Get('account-pages/account-pages.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  script(): string {
    return ACCOUNT_PAGES_SCRIPT;
  }
}
