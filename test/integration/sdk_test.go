//go:build integration

package integration

import (
	"encoding/json"
	"io"
	"os"
	"testing"

	"dagger.io/dagger"
)

// TestPipelineWithGoSDK calls the modelci module's pipeline from Go, with
// the Dagger Go SDK: the module is loaded from the repository and served to
// the session, then queried.
func TestPipelineWithGoSDK(t *testing.T) {
	ctx := t.Context()
	// MODELCI_TEST_ENGINE_LOGS=1 shows the engine's progress.
	var logs io.Writer = io.Discard
	if os.Getenv("MODELCI_TEST_ENGINE_LOGS") != "" {
		logs = os.Stderr
	}
	client, err := dagger.Connect(ctx, dagger.WithLogOutput(logs))
	if err != nil {
		t.Fatalf("connecting to the engine: %v", err)
	}
	defer client.Close()

	if err := client.ModuleSource(repoRoot).AsModule().Serve(ctx); err != nil {
		t.Fatalf("serving the modelci module: %v", err)
	}
	n := nonce(t)
	head, err := client.Host().Directory(digitsSource(t, true, n)).ID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base, err := client.Host().Directory(digitsSource(t, false, n)).ID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Modelci struct {
			Pipeline struct {
				File struct {
					Contents string `json:"contents"`
				} `json:"file"`
			} `json:"pipeline"`
		} `json:"modelci"`
	}
	err = client.Do(ctx, &dagger.Request{
		Query: `query($head: DirectoryID!, $base: DirectoryID!, $image: String!) {
			modelci(image: $image) {
				pipeline(source: $head, baseSource: $base, name: "digits") {
					file(path: "report.json") { contents }
				}
			}
		}`,
		Variables: map[string]any{"head": head, "base": base, "image": pythonImage(t)},
	}, &dagger.Response{Data: &resp})
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	rep := parseReport(t, []byte(resp.Modelci.Pipeline.File.Contents))
	checkDigitsReport(t, rep)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(resp.Modelci.Pipeline.File.Contents), &raw); err != nil || raw["gate"] == nil {
		t.Errorf("report.json lacks the gate: %v", err)
	}
}
