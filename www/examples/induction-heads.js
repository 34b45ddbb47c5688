// The example post's one interactive bit: the sequence box sets the last
// figure's `text` attribute, and <glasswing-view> retraces on its own.
// (A separate file because the post's CSP allows no inline script.)

const input = document.querySelector('#try-text');
const view = document.querySelector('#try-view');
document.querySelector('#try-form').addEventListener('submit', (e) => e.preventDefault());
let timer = 0;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => view.setAttribute('text', input.value), 150);
});
