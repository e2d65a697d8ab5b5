package evaluation

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/report"
)

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Markdown, "markdown": Markdown, "MD": Markdown, "Summary": Summary, "JSON": JSON, " json ": JSON} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), `format "html": expected markdown, summary, json`) {
		t.Errorf("ParseFormat(html) error %v", err)
	}
}

func TestRenderGivesTheRenderersOutput(t *testing.T) {
	r, err := Run(context.Background(), Request{Base: digitsSide("baseline"), Head: digitsSide("candidate"),
		Policy: File("../../examples/digits/.modelci.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := Render(r, Markdown)
	if string(md) != report.Markdown(r) || !strings.HasPrefix(string(md), report.Marker) {
		t.Error("markdown is not the comment")
	}
	sum, _ := Render(r, Summary)
	if string(sum) != report.Summary(r) {
		t.Error("summary is not the job summary")
	}
	js, err := Render(r, JSON)
	if err != nil || !json.Valid(js) {
		t.Errorf("json: %v", err)
	}
	for f, name := range map[Format]string{Markdown: "report.md", Summary: "summary.md", JSON: "report.json"} {
		if f.FileName() != name {
			t.Errorf("%s file name %q, want %q", f, f.FileName(), name)
		}
	}
}

func TestGateMessageListsTheBrokenRules(t *testing.T) {
	r, err := Run(context.Background(), Request{Base: digitsSide("baseline"), Head: digitsSide("candidate"),
		Policy: Bytes("strict.yaml", []byte("metrics:\n  accuracy: {min: 0.999}\n  nonexistent:\n"))})
	if err != nil {
		t.Fatal(err)
	}
	if Passed(r) {
		t.Fatal("gate passed")
	}
	msg := GateMessage(r)
	if !strings.HasPrefix(msg, "gate failed: 2 rule(s) broken:\n  - ") || !strings.Contains(msg, "accuracy") || !strings.Contains(msg, "nonexistent") {
		t.Errorf("message:\n%s", msg)
	}
}
