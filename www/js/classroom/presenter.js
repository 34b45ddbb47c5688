// Presenter mode, for a projector: large type and high contrast (CSS under
// body.presenter in css/classroom.css) and views drawn bigger, not just
// magnified: body[data-view-scale] makes the canvases lay out larger cells,
// rows and labels (canvas.js viewScale), and a fresh redraw applies it.

export const PRESENTER_SCALE = 1.5;

/** Follows state.presenter; `refresh` redraws every view from scratch. */
export function initPresenter(store, refresh) {
  const apply = () => {
    const on = Boolean(store.state.presenter);
    document.body.classList.toggle('presenter', on);
    if (on) document.body.dataset.viewScale = String(PRESENTER_SCALE);
    else delete document.body.dataset.viewScale;
    refresh();
  };
  store.subscribe((state, changed) => { if (changed.includes('presenter')) apply(); });
  if (store.state.presenter) apply();
  return { toggle: () => store.set({ presenter: !store.state.presenter }) };
}
