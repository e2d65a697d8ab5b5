// Package ghaction is modelci's edge in GitHub Actions: the Go side of
// the composite actions under actions/, run as `modelci action compare`,
// `modelci action comment` and `modelci action publish`.
//
// Like the CLI it only translates: inputs (INPUT_* variables, read
// through github.com/sethvargo/go-githubactions) into an
// evaluation.Request, the report into the job summary, annotations,
// outputs and files, and the comment through internal/forge. The
// environment comes in a *githubactions.Action, so tests inject theirs
// (githubactions.WithGetenv, WithWriter) and need no runner.
//
// Every failure is an error naming the input, file or key at fault; a
// failed gate is ErrGateFailed. The token is masked (::add-mask::) before
// anything is printed, and no error holds it.
package ghaction
