// Package modelpack packages a trained model and its evaluation as an OCI
// artifact that follows the CNCF ModelPack model specification
// (github.com/modelpack/model-spec, v0.0.7: docs/spec.md, docs/config.md,
// docs/annotations.md, specs-go/v1), and reads such artifacts back.
//
// # Artifact shape
//
// Pack writes one image manifest (OCI image-spec v1.1, mediaType
// application/vnd.oci.image.manifest.v1+json) whose artifactType is
// application/vnd.cncf.model.manifest.v1+json and whose config blob is the
// ModelPack model config (application/vnd.cncf.model.config.v1+json).
// Every file becomes exactly one uncompressed "raw" layer (no tar), in this
// order: the model files sorted by slash-separated path (byte order), then the
// evaluation files, also sorted, under the path prefix "evaluation/".
//
// Each layer carries these annotations:
//
//   - org.cncf.model.filepath: the file's relative, slash-separated path
//     (model-spec docs/annotations.md, AnnotationFilepath);
//   - org.opencontainers.image.title: the same path, so that `oras pull`
//     restores the tree too;
//   - org.cncf.model.file.metadata+json: the model-spec FileMetadata JSON
//     (name = base name, mode 0644 or 0755, uid/gid 0, mtime the Unix epoch,
//     typeflag '0'), normalised so the digest does not depend on who
//     exported the files or when;
//   - org.cncf.model.file.mediatype.untested: "true", only on files whose
//     kind could not be recognised (they are packed as weights).
//
// Model files get a model-spec media type by name and extension; see
// [Classify]. Evaluation files (metrics.json, examples.jsonl, report.md,
// report.json, …) get [MediaTypeEvaluation], a modelci media type, because
// the model spec has no kind for evaluation results.
//
// # Reading back
//
// [Read] checks an artifact's manifest and config (paths, kinds, diffIds)
// without fetching a layer; [Unpack] then writes the files into a
// directory with oras-go's file store, verifying each layer's digest, and
// refuses any path that would leave the directory.
//
// # Determinism
//
// The same file paths, contents and executable bits, with the same
// [Options], give the same manifest digest: layers are sorted, file
// metadata is normalised, the config's createdAt is omitted and the
// manifest's org.opencontainers.image.created is the Unix epoch unless
// Options.Created is set. The layout on disk is deterministic too (one
// index.json entry, files 0644, directories 0755).
//
// # Streaming
//
// Files are hashed and copied in a streaming fashion (two reads per file:
// one to compute the digest, one to copy); no file is held in memory, so
// multi-gigabyte weights cost a few kilobytes of heap.
package modelpack
