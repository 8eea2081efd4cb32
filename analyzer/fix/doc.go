// Package fix turns findings into a patch of the Dockerfile that built the
// image: for every finding with a mechanical fix (a flag, a cleanup in the
// same RUN, a merged or moved command, COPY --chown, an exec-form CMD) it
// edits the right command of the right instruction, keeping the author's
// layout, and predicts what each change saves; the findings that need a
// human are listed with their advice and lines.
package fix
