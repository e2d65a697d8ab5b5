// Command imagetool turns local root filesystems into OCI images through the
// Dagger engine, and smoke-tests the engine. It is built by
// scripts/engine/engine against dagger.io/dagger at the pinned version (the
// folder name starts with "_" so that the repository's `go ./...` skips it).
//
//	imagetool export  -rootfs DIR -out FILE.tar [-env K=V]... [-args a,b]  prints the manifest digest
//	imagetool publish -rootfs DIR -ref REF      [-env K=V]... [-args a,b]  prints the pushed reference
//	imagetool smoke   -image REF
//
// It needs a session: _EXPERIMENTAL_DAGGER_RUNNER_HOST and
// _EXPERIMENTAL_DAGGER_CLI_BIN (see `scripts/engine/engine env`).
package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"dagger.io/dagger"
)

type envList []string

func (e *envList) String() string     { return strings.Join(*e, ",") }
func (e *envList) Set(v string) error { *e = append(*e, v); return nil }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: imagetool export|publish|smoke [flags]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	rootfs := fs.String("rootfs", "", "root filesystem folder")
	out := fs.String("out", "", "export: OCI tarball to write")
	ref := fs.String("ref", "", "publish: image reference to push")
	image := fs.String("image", "", "smoke: image reference to run")
	args := fs.String("args", "", "default args, comma-separated")
	var env envList
	fs.Var(&env, "env", "K=V environment variable for the image (repeatable)")
	_ = fs.Parse(os.Args[2:])

	ctx := context.Background()
	if err := run(ctx, cmd, *rootfs, *out, *ref, *image, *args, env); err != nil {
		fmt.Fprintf(os.Stderr, "imagetool %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd, rootfs, out, ref, image, args string, env envList) error {
	client, err := dagger.Connect(ctx, dagger.WithLogOutput(os.Stderr))
	if err != nil {
		return fmt.Errorf("connecting to the engine: %w", err)
	}
	defer client.Close()

	build := func() (*dagger.Container, error) {
		if rootfs == "" {
			return nil, errors.New("-rootfs is required")
		}
		ctr := client.Container().WithRootfs(client.Host().Directory(rootfs))
		for _, kv := range env {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("-env %q: want K=V", kv)
			}
			ctr = ctr.WithEnvVariable(k, v)
		}
		if args != "" {
			ctr = ctr.WithDefaultArgs(strings.Split(args, ","))
		}
		return ctr, nil
	}

	switch cmd {
	case "export":
		if out == "" {
			return errors.New("-out is required")
		}
		ctr, err := build()
		if err != nil {
			return err
		}
		if _, err := ctr.Export(ctx, out); err != nil {
			return fmt.Errorf("exporting %s: %w", rootfs, err)
		}
		dgst, err := manifestDigest(out)
		if err != nil {
			return err
		}
		fmt.Println(dgst)
	case "publish":
		if ref == "" {
			return errors.New("-ref is required")
		}
		ctr, err := build()
		if err != nil {
			return err
		}
		pushed, err := ctr.Publish(ctx, ref)
		if err != nil {
			return fmt.Errorf("publishing %s to %s: %w", rootfs, ref, err)
		}
		fmt.Println(pushed)
	case "smoke":
		if image == "" {
			return errors.New("-image is required")
		}
		stdout, err := client.Container().From(image).
			WithExec([]string{"python3", "-c", "import sklearn, numpy; print('sklearn', sklearn.__version__, 'numpy', numpy.__version__)"}).
			Stdout(ctx)
		if err != nil {
			return fmt.Errorf("running python3 in %s: %w", image, err)
		}
		fmt.Print(stdout)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

// manifestDigest reads index.json from an OCI tarball and returns the digest
// of its single image manifest.
func manifestDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return "", fmt.Errorf("%s: no index.json", path)
		}
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
		if strings.TrimPrefix(h.Name, "./") != "index.json" {
			continue
		}
		var idx struct {
			Manifests []struct {
				MediaType string `json:"mediaType"`
				Digest    string `json:"digest"`
			} `json:"manifests"`
		}
		if err := json.NewDecoder(tr).Decode(&idx); err != nil {
			return "", fmt.Errorf("%s: index.json: %w", path, err)
		}
		if len(idx.Manifests) != 1 {
			return "", fmt.Errorf("%s: index.json lists %d manifests, want 1", path, len(idx.Manifests))
		}
		return idx.Manifests[0].Digest, nil
	}
}
