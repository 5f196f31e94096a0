() => {
  // A citation [n] opens passage n in the sources panel beside the draft.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    const source = document.getElementById(link.dataset.target);
    if (!source) return;
    document.querySelectorAll('.source.active').forEach((s) => s.classList.remove('active'));
    source.open = true;
    source.classList.add('active');
    source.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  });
}
