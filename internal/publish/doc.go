// Package publish puts an approved model where teams deploy from, with its
// evaluation, report and approval record attached, and moves aliases
// (production, staging, …) between approved digests.
//
// It works on any [Target]: an oras-go target that can also list an
// artifact's referrers. Package publish/oci opens OCI registries (oras-go's
// remote repository, which falls back to the referrers tag schema on
// registries without the referrers API); package publish/s3 keeps the same
// content-addressed graph in an S3 bucket.
//
// # What is pushed
//
// [Publish] reads the ModelPack artifact from an OCI image layout
// (modelpack.Pack), adds a metrics summary and the framework to its config
// (the "modelci" key; ModelPack readers ignore it), and pushes the layers,
// the config and the manifest. Three artifacts then refer to the model
// through their subject:
//
//   - the evaluation (ArtifactTypeEvaluation): the evaluation files
//     (metrics.json, examples.jsonl, …), the same blobs as the model's
//     evaluation/ layers;
//   - the report (ArtifactTypeReport): report.json and report.md;
//   - the approval record (ArtifactTypeApproval): [Record], the gate's
//     verdict, the approvals, the pull request, the commit, the time and the
//     digests of the model, the training data and the source tree.
//
// The version tag is written last, after every blob, manifest and
// referrer has landed, so a push that stops midway leaves no tag on a
// partial model; the next push reuses the blobs that landed. Transient
// failures (5xx, 429, a dropped connection) are retried. Publishing the
// same model with the same evidence again pushes nothing new: the
// attached artifacts are found, the approval record with its first time.
//
// # Refusal
//
// [Decide] refuses to publish unless the report's gate passed and the
// approval evidence meets the policy's approval rules; a forced publish
// records the refusal's reasons and the force in the approval record.
//
// # Aliases
//
// [Promote] moves an alias to a digest that has an approval record;
// [Rollback] moves it back to the digest it pointed to before. The history
// is an artifact tagged "<alias>.history" ([History]); it is written
// before the alias moves, and the alias moves last.
package publish
