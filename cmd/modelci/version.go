package main

import (
	"runtime/debug"
	"strings"
)

// version is the version the build stamped with
// -ldflags "-X main.version=…"; when empty, buildVersion tells it from the
// build info.
var version = ""

// cliVersion is the version modelci reports.
func cliVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return buildVersion(info)
}

// buildVersion tells the version from the build info: the module's
// version (v1.2.0 when installed with go install …@v1.2.0, a
// pseudo-version when built from a checkout that Go stamps), else
// "devel"; then the commit and whether the checkout was modified when
// the build recorded them and the version does not already say so; then
// the Go release.
func buildVersion(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	var extra []string
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		extra = append(extra, "commit "+rev[:min(12, len(rev))])
		if modified == "true" {
			extra = append(extra, "modified")
		}
	}
	if info.GoVersion != "" {
		extra = append(extra, info.GoVersion)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v
}
