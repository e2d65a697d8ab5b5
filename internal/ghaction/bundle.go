package ghaction

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/modelci/modelci/internal/report"
)

// Bundle is what the comment workflow reads from the artifact of a pull
// request's run: files a pull request's code wrote, so untrusted.
type Bundle struct {
	// Pull is the pull request and commit the artifact claims.
	Pull pullRequest
	// Comment is the comment's body (report.md).
	Comment string
	// Summary is the job summary (summary.md), or "".
	Summary string
	// Gate is what report.json says of the gate.
	Gate report.JSONGate
}

// maxPullFile bounds pull-request.json.
const maxPullFile = 4 << 10

// bundleFiles are the files an artifact may hold, with their size
// limits; approval.json is the run's and not read here.
var bundleFiles = map[string]int64{
	ReportJSON:   report.MaxJSONBytes,
	CommentFile:  report.CommentLimit,
	SummaryFile:  report.SummaryLimit,
	PullFile:     maxPullFile,
	ApprovalFile: 1 << 20,
}

// ReadBundle reads and checks the artifact in dir, trusting nothing in
// it: only the files compare writes, each a regular file (no link, no
// directory) within its size limit; report.json strictly (CheckJSON);
// pull-request.json strictly (a positive number and a full commit SHA);
// report.md valid UTF-8 that starts with the comment marker and whose
// verdict line agrees with report.json's gate.
func ReadBundle(dir string) (Bundle, error) {
	var b Bundle
	data, err := readBundleFiles(dir)
	if err != nil {
		return b, err
	}
	for _, need := range []string{ReportJSON, CommentFile, PullFile} {
		if _, ok := data[need]; !ok {
			return b, fmt.Errorf("artifact %s: no %s", dir, need)
		}
	}
	if b.Gate, err = report.CheckJSON(ReportJSON, data[ReportJSON]); err != nil {
		return b, err
	}
	if b.Pull, err = parsePullFile(data[PullFile]); err != nil {
		return b, err
	}
	if b.Comment, err = checkComment(data[CommentFile], b.Gate); err != nil {
		return b, err
	}
	if s, ok := data[SummaryFile]; ok {
		if !utf8.Valid(s) {
			return b, fmt.Errorf("%s: not valid UTF-8", SummaryFile)
		}
		b.Summary = string(s)
	}
	return b, nil
}

// readBundleFiles reads every file of dir, refusing what compare does not
// write and anything over its limit.
func readBundleFiles(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("artifact: %w", err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		limit, ok := bundleFiles[e.Name()]
		if !ok {
			return nil, fmt.Errorf("artifact %s: unexpected entry %q (expected only %s)", dir, e.Name(), strings.Join(bundleNames(), ", "))
		}
		if !e.Type().IsRegular() {
			return nil, fmt.Errorf("artifact %s: %s is not a regular file", dir, e.Name())
		}
		data, err := readLimited(filepath.Join(dir, e.Name()), limit)
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}

// readLimited reads the file at p, failing past limit bytes without
// reading more than one byte beyond it.
func readLimited(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("artifact: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("artifact: reading %s: %w", filepath.Base(p), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("artifact: %s is over its limit of %d bytes", filepath.Base(p), limit)
	}
	return data, nil
}

func bundleNames() []string {
	return []string{ReportJSON, CommentFile, SummaryFile, PullFile, ApprovalFile}
}

// parsePullFile reads pull-request.json strictly.
func parsePullFile(data []byte) (pullRequest, error) {
	var pr pullRequest
	if err := jsonv2.Unmarshal(data, &pr, jsonv2.RejectUnknownMembers(true)); err != nil {
		return pr, fmt.Errorf("%s: %w", PullFile, err)
	}
	if pr.Number <= 0 {
		return pr, fmt.Errorf("%s: \"number\": expected a positive pull-request number, found %d", PullFile, pr.Number)
	}
	if !shaRE.MatchString(pr.HeadSHA) {
		return pr, fmt.Errorf("%s: \"head_sha\": expected a full commit SHA (40 or 64 lowercase hex digits), found %q", PullFile, pr.HeadSHA)
	}
	return pr, nil
}

// checkComment checks report.md: valid UTF-8 starting with the marker,
// its verdict line agreeing with the gate.
func checkComment(data []byte, g report.JSONGate) (string, error) {
	if !utf8.Valid(data) {
		return "", fmt.Errorf("%s: not valid UTF-8", CommentFile)
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(first) != report.Marker {
		return "", fmt.Errorf("%s: the first line is not %s", CommentFile, report.Marker)
	}
	want := "**⚪ "
	if g.Policy {
		want = map[bool]string{true: "**✅ ", false: "**❌ "}[g.Passed]
	}
	if !bytes.HasPrefix(rest, []byte(want)) {
		return "", errors.New(CommentFile + ": the verdict line does not agree with report.json's gate (expected it to start with " + want + ")")
	}
	return string(data), nil
}
