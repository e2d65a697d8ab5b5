// modelci's own pipeline, as a Dagger module.
//
// Runs the repository's checks in a Go container: the gofmt check, go vet
// and the unit tests, with the Go module and build caches in cache volumes.
//
//	dagger call -m ci test
//	dagger call -m ci test --image 127.0.0.1:5055/modelci/golang:bookworm
package main

import (
	"context"

	"github.com/modelci/modelci/ci/internal/dagger"
)

// Ci checks the modelci repository.
type Ci struct{}

// The Go packages checked: the core and the Dagger modules.
var packages = []string{"./...", "./dagger/...", "./modules/pyml/...", "./modules/modelpack/..."}

// Test checks formatting, vets every Go module and runs the unit tests;
// it fails when any of them fails, and returns their output.
func (m *Ci) Test(
	ctx context.Context,
	// The repository.
	// +defaultPath="/"
	// +ignore=[".git", "out", "**/testdata/fuzz/**/cache"]
	source *dagger.Directory,
	// A Go image (Debian based; gcc is needed for -race).
	// +optional
	// +default="golang:1.26-bookworm"
	image string,
	// A Go container to use instead of image.
	// +optional
	base *dagger.Container,
	// Run the tests with the race detector.
	// +optional
	race bool,
) (string, error) {
	if base == nil {
		base = dag.Container().From(image)
	}
	test := []string{"go", "test", "-count=1"}
	if race {
		test = append(test, "-race")
	}
	test = append(test, "./...")
	vet := append([]string{"go", "vet"}, packages...)
	return base.
		WithMountedCache("/go/pkg/mod", dag.CacheVolume("modelci-ci-gomod")).
		WithMountedCache("/root/.cache/go-build", dag.CacheVolume("modelci-ci-gobuild")).
		WithEnvVariable("GOMODCACHE", "/go/pkg/mod").
		WithEnvVariable("GOCACHE", "/root/.cache/go-build").
		WithEnvVariable("GOFLAGS", "-buildvcs=false").
		WithEnvVariable("GOTOOLCHAIN", "local").
		WithEnvVariable("CGO_ENABLED", cgo(race)).
		WithMountedDirectory("/src", source).
		WithWorkdir("/src").
		WithExec([]string{"sh", "-c", `out=$(gofmt -l $(find . -name '*.go' -not -path './.git/*')); if [ -n "$out" ]; then echo "gofmt would change:"; echo "$out"; exit 1; fi; echo "gofmt: all files formatted"`}).
		WithExec(vet).
		WithExec(test).
		Stdout(ctx)
}

func cgo(race bool) string {
	if race {
		return "1"
	}
	return "0"
}
