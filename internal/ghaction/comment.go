package ghaction

import (
	"context"
	"fmt"

	"github.com/sethvargo/go-githubactions"
)

// Comment is actions/comment, the second half of the fork-safe pattern:
// in a workflow_run workflow, with a write token, it posts the comment
// that a pull request's run left in its artifact. The artifact is
// untrusted (ReadBundle checks it); the commit comes from the trusted
// event (workflow_run.head_sha, or the head-sha input), and the comment
// goes only to a pull request whose head is that commit: an artifact that
// names another pull request is refused, and a pull request that moved on
// since is skipped with a warning (its newer run comments).
func Comment(ctx context.Context, a *githubactions.Action) error {
	r, err := newRunner(a)
	if err != nil {
		return err
	}
	dir, err := r.required("artifact")
	if err != nil {
		return fmt.Errorf("%w: the directory the artifact of the pull request's run was downloaded to", err)
	}
	post, err := readPostInputs(r, true)
	if err != nil {
		return err
	}
	headSHA, err := trustedHeadSHA(r)
	if err != nil {
		return err
	}
	b, err := ReadBundle(r.workspacePath(dir))
	if err != nil {
		return err
	}
	if b.Pull.HeadSHA != headSHA {
		return fmt.Errorf("the artifact is about commit %s, not the workflow run's %s: refusing it", b.Pull.HeadSHA, headSHA)
	}
	if b.Summary != "" {
		r.summary(b.Summary)
	}
	f, err := post.forge(r)
	if err != nil {
		return err
	}
	ch, err := f.Change(ctx, b.Pull.Number)
	if err != nil {
		return err
	}
	if ch.HeadSHA != headSHA {
		r.a.Warningf("pull request #%d has moved on to %s since the run of %s: no comment (the newer run's comment follows)", b.Pull.Number, ch.HeadSHA, headSHA)
		r.output("comment-action", "skipped")
		return nil
	}
	return postComment(ctx, r, f, b.Pull.Number, b.Comment, post.id)
}

// trustedHeadSHA is the commit the triggering run evaluated: the head-sha
// input, else the workflow_run event's head_sha.
func trustedHeadSHA(r runner) (string, error) {
	sha := r.input("head-sha")
	if sha == "" {
		event, err := r.event()
		if err != nil {
			return "", err
		}
		sha = str(event, "workflow_run", "head_sha")
	}
	if !shaRE.MatchString(sha) {
		return "", fmt.Errorf("the triggering run's commit %q is not a full commit SHA: run this on workflow_run, or give head-sha", sha)
	}
	return sha, nil
}
