package ghaction_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/ghaction"
)

func TestPublishCommand(t *testing.T) {
	s := newStep(t, nil, map[string]string{"model": "model", "registry": "ghcr.io/acme/digits:1.2.0", "s3": "s3://models/digits",
		"alias": "production", "approval": "approved.json", "report": "report.json", "registry-username": "bot", "registry-password": "pw-SECRET",
		"aws-access-key-id": "AKIA", "aws-secret-access-key": "aws-SECRET", "aws-region": "eu-west-1"})
	pc, err := ghaction.Publish(s.action())
	if err != nil {
		t.Fatal(err)
	}
	ws := s.workspace
	want := []string{"publish", "--model", filepath.Join(ws, "model"), "--registry", "ghcr.io/acme/digits:1.2.0",
		"--s3", "s3://models/digits", "--alias", "production", "--approval", filepath.Join(ws, "approved.json"),
		"--report", filepath.Join(ws, "report.json")}
	if strings.Join(pc.Args, " ") != strings.Join(want, " ") {
		t.Errorf("args %q\nwant %q", pc.Args, want)
	}
	if got := strings.Join(pc.Env, " "); got != "MODELCI_REGISTRY_USERNAME=bot MODELCI_REGISTRY_PASSWORD=pw-SECRET AWS_ACCESS_KEY_ID=AKIA AWS_SECRET_ACCESS_KEY=aws-SECRET AWS_REGION=eu-west-1" {
		t.Errorf("env %s", got)
	}
	if str := pc.String(); strings.Contains(str, "pw-SECRET") || strings.Contains(str, "aws-SECRET") || !strings.Contains(str, "credentials in MODELCI_REGISTRY_USERNAME, MODELCI_REGISTRY_PASSWORD") {
		t.Errorf("String() = %s", str)
	}
	log := s.out.String()
	if !strings.Contains(log, "::add-mask::pw-SECRET") || !strings.Contains(log, "::add-mask::aws-SECRET") {
		t.Errorf("secrets not masked:\n%s", log)
	}
}

func TestPublishValidation(t *testing.T) {
	base := map[string]string{"model": "model", "registry": "ghcr.io/acme/digits:1", "approval": "approved.json", "report": "report.json"}
	tests := []struct {
		change map[string]string
		want   string
	}{
		{map[string]string{"model": ""}, `input "model" is required`},
		{map[string]string{"model": "head.json"}, `input "model": head.json is not a directory`},
		{map[string]string{"registry": ""}, `give input "registry"`},
		{map[string]string{"registry": "ghcr.io/Acme/x:1"}, `input "registry": "ghcr.io/Acme/x:1" is not an OCI reference`},
		{map[string]string{"registry": "", "s3": "https://x/y"}, `expected s3://BUCKET/PREFIX`},
		{map[string]string{"registry": "", "s3": "s3://A_b/x"}, `bucket "A_b"`},
		{map[string]string{"registry": "", "s3": "s3://models/../x"}, `the prefix has an empty, . or .. segment`},
		{map[string]string{"alias": "-prod"}, `input "alias": "-prod"`},
		{map[string]string{"registry": "", "s3": "s3://models/x"}, `input "version" is required to publish to S3`},
		{map[string]string{"registry": "ghcr.io/acme/digits", "s3": "s3://models/x"}, `input "version" is required to publish to S3`},
		{map[string]string{"version": "-1"}, `input "version": "-1"`},
		{map[string]string{"report": ""}, `input "report" is required`},
		{map[string]string{"approval": ""}, `input "approval" is required`},
		{map[string]string{"approval": "unapproved.json"}, `not approved: 1 approval of 2 required (alice)`},
		{map[string]string{"approval": "head.json"}, `not an approval record`},
		{map[string]string{"report": "head.json"}, `input "report": head.json: not a modelci JSON report`},
		{map[string]string{"force": "maybe"}, `input "force": expected true or false`},
		{map[string]string{"dry-run": "1"}, `input "dry-run": expected true or false`},
		{map[string]string{"registry-username": "bot"}, `inputs "registry-username" and "registry-password" go together`},
		{map[string]string{"aws-access-key-id": "A", "aws-secret-access-key": "B"}, `are for input "s3", which is empty`},
	}
	for _, tt := range tests {
		in := map[string]string{}
		for k, v := range base {
			in[k] = v
		}
		for k, v := range tt.change {
			in[k] = v
		}
		s := newStep(t, nil, in)
		_, err := ghaction.Publish(s.action())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.change, err, tt.want)
		}
	}
}

func TestPublishVersion(t *testing.T) {
	s := newStep(t, nil, map[string]string{"model": "model", "s3": "s3://models/digits", "version": "1.4.0",
		"approval": "approved.json", "report": "report.json"})
	pc, err := ghaction.Publish(s.action())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pc.Args, " "); !strings.Contains(got, "--s3 s3://models/digits --version 1.4.0") {
		t.Errorf("args %s: want the version passed on", got)
	}
}

func TestPublishForceOverridesTheEvidenceAndIsPassedOn(t *testing.T) {
	s := newStep(t, nil, map[string]string{"model": "model", "s3": "s3://models/digits", "version": "2", "approval": "unapproved.json", "force": "true", "dry-run": "true"})
	pc, err := ghaction.Publish(s.action())
	if err != nil {
		t.Fatal(err)
	}
	if !pc.DryRun || pc.Args[len(pc.Args)-1] != "--force" {
		t.Errorf("%+v", pc)
	}
}
