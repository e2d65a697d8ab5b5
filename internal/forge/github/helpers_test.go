package github_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/github"
	"github.com/modelci/modelci/internal/forge/githubfake"
)

// Tokens registered with every fake; none may show in any output.
const (
	userToken     = "ghp_userTOKEN0123456789abcdefSECRET"
	botToken      = "ghs_botTOKEN0123456789abcdefSECRET"
	readOnlyToken = "ghs_forkTOKEN0123456789abcdefSECRET"
	otherToken    = "ghp_otherTOKEN0123456789abcdefSECRET"
	repo          = "octo/models"
	pr            = 7
	head          = "3f2c9a1d0b7e4c5a6f8e9d0c1b2a3f4e5d6c7b8a"
)

var allTokens = []string{userToken, botToken, readOnlyToken, otherToken, "SECRET"}

// env is one test's fake API, with a log of what the clients printed.
type env struct {
	t    *testing.T
	fake *githubfake.Server
	mu   sync.Mutex
	logs []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := githubfake.New(t, nil)
	fake.AddToken(userToken, githubfake.Token{Login: "modelci-bot"})
	fake.AddToken(otherToken, githubfake.Token{Login: "someone"})
	fake.AddToken(botToken, githubfake.Token{Login: github.DefaultAuthor, Installation: true})
	fake.AddToken(readOnlyToken, githubfake.Token{Login: github.DefaultAuthor, Installation: true, ReadOnly: true})
	fake.AddPull(repo, pr, head)
	return &env{t: t, fake: fake}
}

// client returns a client of the fake with token, the fake clock, and
// logging into e.logs; edit adjusts the config.
func (e *env) client(token string, edit ...func(*github.Config)) *github.Client {
	e.t.Helper()
	cfg := github.Config{
		Token: token, Repository: repo, BaseURL: e.fake.URL, Clock: e.fake.Clock,
		Logf: func(format string, args ...any) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.logs = append(e.logs, fmt.Sprintf(format, args...))
		},
	}
	for _, f := range edit {
		f(&cfg)
	}
	c, err := github.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// lines returns what the clients logged.
func (e *env) lines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.logs...)
}

// writes returns the requests that changed something.
func (e *env) writes() []githubfake.Request {
	var out []githubfake.Request
	for _, r := range e.fake.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// comments returns the bodies on the pull request.
func (e *env) comments() []githubfake.Comment { return e.fake.Comments(repo, pr) }

// noSecrets fails when any token shows in texts.
func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, tok := range allTokens {
			if strings.Contains(s, tok) {
				t.Errorf("output holds a token: %q", s)
			}
		}
	}
}

// body is a report-like comment.
func body(text string) string { return "<!-- modelci:report -->\n" + text + "\n" }

// waitsWithin checks each wait lies in [lo, hi].
func waitsWithin(t *testing.T, waits []time.Duration, bounds ...[2]time.Duration) {
	t.Helper()
	if len(waits) != len(bounds) {
		t.Fatalf("waits = %v, want %d", waits, len(bounds))
	}
	for i, w := range waits {
		if w < bounds[i][0] || w > bounds[i][1] {
			t.Errorf("wait %d = %s, want within %s", i, w, bounds[i])
		}
	}
}

var _ forge.Forge = (*github.Client)(nil)
