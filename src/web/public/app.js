// Rollcall's little JavaScript: pages work without it; it adds live progress and confirmations.
'use strict';

/** The CSRF token of the page, for fetch() calls that change state. */
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

// <form data-confirm="Are you sure…?">: ask before submitting.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});

// <section data-poll="/api/v1/operations/12" data-poll-until="running,queued">: reload the
// page's live parts while the operation runs. Elements with data-field="counts.created" get
// the value at that path; <progress data-progress> gets done/total; when the state leaves the
// listed ones the page reloads once, so the log and plan appear.
function startPolling(section) {
  const url = section.dataset.poll;
  const until = (section.dataset.pollUntil || 'queued,running').split(',');
  const tick = async () => {
    let data;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) return setTimeout(tick, 3000);
      data = await response.json();
    } catch {
      return setTimeout(tick, 3000);
    }
    for (const el of section.querySelectorAll('[data-field]')) {
      const value = el.dataset.field.split('.').reduce((o, k) => (o == null ? o : o[k]), data);
      if (value !== undefined && value !== null) el.textContent = String(value);
    }
    const bar = section.querySelector('progress[data-progress]');
    if (bar && data.progress) {
      if (data.progress.total > 0) { bar.max = data.progress.total; bar.value = data.progress.done; }
      else bar.removeAttribute('value');
    }
    if (until.includes(data.state)) setTimeout(tick, 1000);
    else window.location.reload();
  };
  setTimeout(tick, 500);
}
document.querySelectorAll('[data-poll]').forEach(startPolling);

// <p data-shown-by="role-admin">: shown while the checkbox with that id is ticked (the Syncing
// step's "Unenrolled Users" note). Without JavaScript the server shows it for the saved choice.
document.querySelectorAll('[data-shown-by]').forEach((el) => {
  const box = document.getElementById(el.dataset.shownBy);
  if (!(box instanceof HTMLInputElement)) return;
  const sync = () => { el.hidden = !box.checked; };
  box.addEventListener('change', sync);
  sync();
});

// Site Mapping: choosing a site with a suggested school (data-suggest) selects that school.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== 'site' || !input.dataset.suggest || !input.form) return;
  for (const school of input.form.querySelectorAll('input[name="school"]')) {
    if (school.value === input.dataset.suggest && !school.disabled) school.checked = true;
  }
});

window.rollcall = { csrfToken };
