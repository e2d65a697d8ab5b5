package github_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/github"
	"github.com/modelci/modelci/internal/report"
)

func post(t *testing.T, c forge.Commenter, text string, o forge.Options) forge.Result {
	t.Helper()
	res, err := forge.Post(context.Background(), c, pr, body(text), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPostCreatesThenUpdatesThenLeavesAlone(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken)
	e.fake.AddComment(repo, pr, "reviewer", "Looks good")
	e.fake.AddComment(repo, pr, "someone", body("someone else's report, same marker"))

	res := post(t, c, "first", forge.Options{})
	cs := e.comments()
	if res.Action != forge.Created || !res.Posted() || len(cs) != 3 || cs[2].ID != res.Comment.ID {
		t.Fatalf("first post: %+v, comments %+v", res, cs)
	}
	var seq []string
	for _, r := range e.fake.Requests()[len(e.fake.Requests())-4:] {
		seq = append(seq, r.Method+" "+r.Path)
	}
	if want := "GET /user,GET /repos/octo/models/issues/7/comments,POST /repos/octo/models/issues/7/comments,GET /repos/octo/models/issues/7/comments"; strings.Join(seq, ",") != want {
		t.Errorf("requests %q, want %s", seq, want)
	}
	if cs[2].Body != body("first") || cs[2].Login != "modelci-bot" {
		t.Errorf("created %+v", cs[2])
	}
	if !strings.HasSuffix(res.Comment.URL, fmt.Sprintf("/octo/models/pull/7#issuecomment-%d", res.Comment.ID)) || res.Comment.Author != "modelci-bot" {
		t.Errorf("result comment = %+v", res.Comment)
	}

	e.fake.ClearLog()
	res = post(t, c, "second", forge.Options{})
	cs = e.comments()
	if res.Action != forge.Updated || res.Comment.ID != cs[2].ID || len(cs) != 3 || cs[2].Body != body("second") {
		t.Fatalf("second post: %+v, comments %+v", res, cs)
	}
	if w := e.writes(); len(w) != 1 || w[0].Method != "PATCH" {
		t.Errorf("second post wrote %+v, want one PATCH", w)
	}
	if cs[1].Body != body("someone else's report, same marker") {
		t.Errorf("another author's comment changed: %q", cs[1].Body)
	}

	e.fake.ClearLog()
	res = post(t, c, "second", forge.Options{})
	if res.Action != forge.Unchanged || res.Comment.ID != cs[2].ID {
		t.Fatalf("third post: %+v", res)
	}
	if w := e.writes(); len(w) != 0 {
		t.Errorf("an unchanged body wrote %+v", w)
	}
}

func TestPostRace(t *testing.T) {
	e := newEnv(t)
	const runs = 20
	results := make([]forge.Result, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			results[i], errs[i] = forge.Post(context.Background(), e.client(userToken), pr, body("same report"), forge.Options{})
		})
	}
	wg.Wait()
	cs := e.comments()
	if len(cs) != 1 || cs[0].Body != body("same report") {
		t.Fatalf("after %d racing runs: %d comments %+v", runs, len(cs), cs)
	}
	deleted := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		if !r.Posted() || r.Comment.ID != cs[0].ID {
			t.Errorf("run %d: %+v, want the surviving comment %d", i, r, cs[0].ID)
		}
		deleted += r.Deleted
	}
	created := 0
	for _, r := range e.writes() {
		if r.Method == "POST" {
			created++
		}
	}
	if deleted != created-1 {
		t.Errorf("%d comments created, %d deleted, want all but one deleted", created, deleted)
	}
	t.Logf("%d runs created %d comments; %d duplicates deleted", runs, created, deleted)
}

func TestPostFindsTheCommentOnPage3(t *testing.T) {
	e := newEnv(t)
	for i := range 230 {
		e.fake.AddComment(repo, pr, "reviewer", fmt.Sprintf("comment %d", i))
	}
	id := e.fake.AddComment(repo, pr, "modelci-bot", body("old"))
	for i := range 5 {
		e.fake.AddComment(repo, pr, "reviewer", fmt.Sprintf("later %d", i))
	}
	res := post(t, e.client(userToken), "new", forge.Options{})
	if res.Action != forge.Updated || res.Comment.ID != id {
		t.Fatalf("post = %+v, want comment %d updated", res, id)
	}
	var pages []string
	for _, r := range e.fake.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/comments") {
			pages = append(pages, r.Query)
		}
	}
	want := []string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}
	if strings.Join(pages, " ") != strings.Join(want, " ") {
		t.Errorf("listed %q, want %q", pages, want)
	}
	if n := len(e.comments()); n != 236 {
		t.Errorf("%d comments, want 236", n)
	}
}

func TestPostMarkerPerWorkflow(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken)
	a := post(t, c, "train", forge.Options{ID: "train"})
	b := post(t, c, "default", forge.Options{})
	a2 := post(t, c, "train 2", forge.Options{ID: "train"})
	cs := e.comments()
	if len(cs) != 2 || a.Comment.ID != a2.Comment.ID || a.Comment.ID == b.Comment.ID || a2.Action != forge.Updated {
		t.Fatalf("results %+v %+v %+v; comments %+v", a, b, a2, cs)
	}
	if cs[0].Body != "<!-- modelci:report:train -->\ntrain 2\n" || cs[1].Body != body("default") {
		t.Errorf("bodies %q, %q", cs[0].Body, cs[1].Body)
	}
	if _, err := forge.Post(context.Background(), c, pr, "x", forge.Options{ID: "a b"}); err == nil || !strings.Contains(err.Error(), `comment id "a b"`) {
		t.Errorf("bad id: %v", err)
	}
}

func TestPostInstallationToken(t *testing.T) {
	e := newEnv(t)
	id := e.fake.AddComment(repo, pr, github.DefaultAuthor, body("old"))
	e.fake.AddComment(repo, pr, "modelci-bot", body("a person's token wrote this one"))
	res := post(t, e.client(botToken), "new", forge.Options{})
	if res.Action != forge.Updated || res.Comment.ID != id {
		t.Fatalf("post = %+v, want comment %d (by %s) updated", res, id, github.DefaultAuthor)
	}
	e.fake.AddComment(repo, pr, "my-app[bot]", body("the app's"))
	res = post(t, e.client(botToken, func(c *github.Config) { c.Author = "my-app[bot]" }), "app", forge.Options{})
	if res.Action != forge.Updated || e.comments()[2].Body != body("app") {
		t.Errorf("post with Author my-app[bot] = %+v", res)
	}
}

func TestPostBodyBudget(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken)
	fits := strings.Repeat("é", report.CommentLimit-len(report.Marker)-1)
	if res := post(t, c, "", forge.Options{}); res.Action != forge.Created {
		t.Fatal(res)
	}
	res, err := forge.Post(context.Background(), c, pr, report.Marker+"\n"+fits, forge.Options{})
	if err != nil || res.Action != forge.Updated {
		t.Fatalf("a body of exactly %d characters: %+v, %v", report.CommentLimit, res, err)
	}

	e.fake.ClearLog()
	_, err = forge.Post(context.Background(), c, pr, report.Marker+"\n"+fits+"x", forge.Options{})
	if !errors.Is(err, forge.ErrTooLong) || !strings.Contains(err.Error(), "65537 characters, over the limit of 65536") {
		t.Errorf("one character over: %v", err)
	}
	if r := e.fake.Requests(); len(r) != 0 {
		t.Errorf("a body over the limit was sent: %+v", r)
	}

	_, err = c.CreateComment(context.Background(), pr, strings.Repeat("x", report.CommentLimit+1))
	if !errors.Is(err, forge.ErrTooLong) || !strings.Contains(err.Error(), "HTTP 422 (Validation Failed: body is too long (maximum is 65536 characters))") {
		t.Errorf("GitHub's 422: %v", err)
	}
}

func TestPostReadOnlyToken(t *testing.T) {
	e := newEnv(t)
	res, err := forge.Post(context.Background(), e.client(readOnlyToken), pr, body("report"), forge.Options{})
	if err != nil {
		t.Fatalf("a read-only token is not a failure: %v", err)
	}
	if res.Posted() || res.Action != forge.Skipped || !strings.Contains(res.Reason, "Resource not accessible by integration") ||
		!strings.Contains(res.Reason, forge.ErrReadOnly.Error()) {
		t.Errorf("result = %+v", res)
	}
	if len(e.comments()) != 0 {
		t.Error("a comment was written")
	}
	e.fake.AddComment(repo, pr, github.DefaultAuthor, body("old"))
	if res, err := forge.Post(context.Background(), e.client(readOnlyToken), pr, body("new"), forge.Options{}); err != nil || res.Action != forge.Skipped {
		t.Errorf("update with a read-only token: %+v, %v", res, err)
	}
}

func TestUnknownToken(t *testing.T) {
	e := newEnv(t)
	_, err := forge.Post(context.Background(), e.client("ghp_unknownSECRET"), pr, body("x"), forge.Options{})
	if !errors.Is(err, forge.ErrUnauthorized) || !strings.Contains(err.Error(), "HTTP 401 (Bad credentials)") {
		t.Errorf("unknown token: %v", err)
	}
	noSecrets(t, err.Error())
}

func TestEnterpriseURL(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken, func(cfg *github.Config) { cfg.BaseURL = strings.TrimSuffix(e.fake.EnterpriseURL, "/") })
	res := post(t, c, "ghes", forge.Options{})
	if res.Action != forge.Created {
		t.Fatal(res)
	}
	for _, r := range e.fake.Requests() {
		if !r.Enterprise {
			t.Errorf("%s %s did not go under /api/v3/", r.Method, r.Path)
		}
	}
}
