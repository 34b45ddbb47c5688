// What the share modules know about the explorer page: the panel of each
// view, and which model on screen can travel in a link (only a shipped one:
// a file the user opened exists only in their browser).

export const PANELS = { heads: '#heads-panel', matrix: '#matrix-panel', model: '#model-panel', bars: '#bars-panel', hidden: '#hidden-panel' };

/** The shipped file name of the model on screen, or undefined for a user's own file. */
export function linkableModel(app) {
  return app.current?.kind === 'shipped' ? app.current.entry.file : undefined;
}
