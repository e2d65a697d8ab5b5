package oci

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeECRToken(t *testing.T) {
	tok := base64.StdEncoding.EncodeToString([]byte("AWS:secret-password:with-colon"))
	user, pass, err := DecodeECRToken(tok)
	if err != nil || user != "AWS" || pass != "secret-password:with-colon" {
		t.Fatalf("DecodeECRToken = %q, %q, %v", user, pass, err)
	}
	for _, bad := range []string{"!!!", base64.StdEncoding.EncodeToString([]byte("nocolon")), base64.StdEncoding.EncodeToString([]byte("AWS:")), ""} {
		_, _, err := DecodeECRToken(bad)
		if err == nil {
			t.Errorf("DecodeECRToken(%q): no error", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error %q holds the token", err)
		}
	}
}

func FuzzDecodeECRToken(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte("AWS:pw")))
	f.Fuzz(func(t *testing.T, tok string) {
		user, pass, err := DecodeECRToken(tok)
		if err == nil && (user == "" || pass == "") {
			t.Fatalf("accepted %q as %q, %q", tok, user, pass)
		}
		if err != nil && len(tok) > 8 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error holds the token: %v", err)
		}
	})
}

func TestIsECR(t *testing.T) {
	for host, region := range map[string]string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com":      "eu-west-1",
		"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com": "us-east-1",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":  "cn-north-1",
		"ghcr.io":              "",
		"dkr.ecr.evil.example": "",
	} {
		if IsECR(host) != (region != "") || ecrRegion(host) != region {
			t.Errorf("%s: IsECR %v, region %q; want %q", host, IsECR(host), ecrRegion(host), region)
		}
	}
}

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost:5000": true, "127.0.0.1:5000": true, "127.8.9.1": true, "[::1]:5000": true,
		"registry.example.com": false, "10.0.0.1:5000": false, "localhost.example.com": false,
	} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
}

func TestOpenRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	_, _, err := Open(context.Background(), "registry.example.com/models/iris:1", Options{PlainHTTP: true})
	if err == nil || !strings.Contains(err.Error(), "plain HTTP is allowed only to a loopback address") {
		t.Fatalf("err = %v", err)
	}
	repo, tag, err := Open(context.Background(), "127.0.0.1:5000/models/iris:1", Options{PlainHTTP: true})
	if err != nil || !repo.PlainHTTP || tag != "1" {
		t.Fatalf("Open = %v, %q, %v", repo, tag, err)
	}
}

func TestOpenInputErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	for name, c := range map[string]struct {
		ref  string
		o    Options
		want string
	}{
		"bad reference":   {"Not A Ref", Options{}, `repository "Not A Ref"`},
		"CA file missing": {"127.0.0.1:1/a", Options{CAFile: filepath.Join(dir, "none.pem")}, "CA file: open"},
		"CA file not PEM": {"127.0.0.1:1/a", Options{CAFile: notPEM}, "no PEM certificate in it"},
		"password only":   {"127.0.0.1:1/a", Options{Password: "pw-secret"}, "need both a user name and a password"},
		"config missing":  {"127.0.0.1:1/a", Options{DockerConfig: filepath.Join(dir, "none.json")}, "Docker config: stat"},
	} {
		_, _, err := Open(context.Background(), c.ref, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%s: error holds the password", name)
		}
	}
}
