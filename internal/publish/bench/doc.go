// Package bench holds the publishing benchmark that scripts/bench-publish
// runs against the real servers (bench_test.go, build tag servers): push
// time against the oras CLI, re-push time, S3 multipart against one
// PutObject, and the peak memory of modelci publish for two model sizes.
package bench
