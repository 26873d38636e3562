const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<script src="/account-pages/account-pages.js" defer></script>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
<p id="status" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;

export const resetPasswordPage = page(
  'Choose a new password',
  `<form id="reset-password" data-endpoint="/auth/password/reset" novalidate>
<label for="new-password">New password (at least 8 characters)</label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="256" required>
<button type="submit">Set the new password</button>
</form>`,
);

export const verifyEmailPage = page(
  'Confirm your email address',
  `<form id="verify-email" data-endpoint="/auth/email/verify">
<p>Confirm that this address is yours.</p>
<button type="submit">Confirm my email address</button>
</form>`,
);

/**
 * Takes the token from `?token=` and drops it from the address bar and history before anything
 * else, then posts it as JSON when the form is submitted (a click: link scanners that fetch the page
 * spend nothing).
 */
export const ACCOUNT_PAGES_SCRIPT = `'use strict';
(function () {
  var token = new URLSearchParams(window.location.search).get('token');
  window.history.replaceState(null, '', window.location.pathname);
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-endpoint]');
    var status = document.getElementById('status');
    if (!form || !status) return;
    if (!token) {
      status.textContent = 'This link is incomplete: open the link from the mail again.';
      form.hidden = true;
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var body = { token: token };
      var password = form.querySelector('input[name="newPassword"]');
      if (password) body.newPassword = password.value;
      var button = form.querySelector('button');
      button.disabled = true;
      status.textContent = 'Sending…';
      fetch(form.getAttribute('data-endpoint'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      }).then(function (response) {
        if (response.ok) {
          form.hidden = true;
          status.textContent = form.id === 'reset-password' ? 'Your password is changed. You can log in with it now.' : 'Your email address is confirmed.';
          return;
        }
        return response.json().then(function (error) {
          button.disabled = false;
          status.textContent = (error && error.message) || 'That did not work. Try again.';
        });
      }, function () {
        button.disabled = false;
        status.textContent = 'The service could not be reached. Try again.';
      });
    });
  });
})();
`;
