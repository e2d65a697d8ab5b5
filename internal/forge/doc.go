// Package forge is what modelci does on a code forge: it posts the report
// as one sticky pull-request comment, and decides from reviews and labels
// whether a change is approved. It knows no forge in particular: the
// Forge interface (Commenter + ReviewSource, seven methods) is the seam,
// implemented for GitHub by package forge/github; GitLab merge-request
// notes and approvals, or Gitea/Forgejo, would be one more implementation.
//
// # The comment
//
// An edge (an action, the CLI) builds a client and posts the rendered
// comment:
//
//	c, err := github.New(github.Config{Token: token, Repository: repo, BaseURL: apiURL, Logf: logf})
//	res, err := forge.Post(ctx, c, number, report.Markdown(r), forge.Options{ID: workflow})
//	switch {
//	case err != nil:            // a failure: report it, exit non-zero
//	case !res.Posted():         // read-only token (a fork): write the job summary, warn with res.Reason
//	default:                    // res.Action: created, updated or unchanged; res.Comment.ID and .URL are outputs
//	}
//
// Post finds the comment by its hidden first line (report.Marker, or
// MarkerFor(Options.ID) so that several workflows keep one comment each),
// among the comments of the token's own author only, across all pages; it
// updates that comment, or creates one. A body already there is not
// written again. Runs that race (two pushes in quick succession) may each
// create a comment; each then lists again and deletes the newer
// duplicates, so exactly one remains: the oldest. A body over
// report.CommentLimit characters is refused (ErrTooLong), never cut:
// report.Markdown fits it.
//
// Errors are *Error values that never hold a credential, a URL or a
// header; errors.Is tells ErrReadOnly, ErrNotFound, ErrUnauthorized,
// ErrRateLimited and ErrTooLong apart. Retries, backoff and rate limits
// are the implementation's (see forge/github).
//
// # Approval
//
// ParseRules reads the `approval:` section of .modelci.yaml (take the base
// branch's file, as for the gate):
//
//	approval:
//	  approvals: 2            # approving reviews required (default 1)
//	  label: model-approved   # a label that must be set as well (optional)
//	  stale_approvals: false  # count approvals given on an older commit than the head (default false)
//
// Approve reads the pull request's head, labels and reviews and returns an
// Approval record (JSON for the publish step): approved or not, the
// approvers that count, who requests changes, whether the label is set,
// the head SHA and the reasons. A reviewer's latest approving, requesting
// or dismissed review counts; a request for changes blocks. Without an
// approval section nothing is required.
package forge
