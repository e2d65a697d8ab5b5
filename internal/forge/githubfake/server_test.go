package githubfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// do sends a request with token and returns the status, headers and body.
func do(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(data))
}

func newServer(t *testing.T) *Server {
	s := New(t, nil)
	s.AddToken("w", Token{Login: "octocat"})
	s.AddToken("ro", Token{Login: "github-actions[bot]", Installation: true, ReadOnly: true})
	s.AddPull("o/r", 1, "abc")
	return s
}

func TestAuthentication(t *testing.T) {
	s := newServer(t)
	for _, tt := range []struct {
		method, path, token string
		status              int
		body                string
	}{
		{"GET", "user", "", 401, `{"message":"Requires authentication","documentation_url":"https://docs.github.com/rest","status":"401"}`},
		{"GET", "user", "nope", 401, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`},
		{"GET", "user", "ro", 403, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/users/users#get-the-authenticated-user","status":"403"}`},
		{"POST", "repos/o/r/issues/1/comments", "ro", 403, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment","status":"403"}`},
		{"GET", "repos/o/r/issues/1/comments", "ro", 200, `[]`},
		{"GET", "repos/o/r/issues/2/comments", "w", 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`},
		{"GET", "nowhere", "w", 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`},
	} {
		status, _, body := do(t, tt.method, s.URL+tt.path, tt.token, `{"body":"x"}`)
		if status != tt.status || body != tt.body {
			t.Errorf("%s %s with %q = %d %s, want %d %s", tt.method, tt.path, tt.token, status, body, tt.status, tt.body)
		}
	}
	status, _, body := do(t, "GET", s.EnterpriseURL+"user", "w", "")
	var u userJSON
	if err := json.Unmarshal([]byte(body), &u); status != 200 || err != nil || u.Login != "octocat" || u.Type != "User" {
		t.Errorf("GET /api/v3/user = %d %s", status, body)
	}
}

func TestCommentsLifecycleAndPagination(t *testing.T) {
	s := newServer(t)
	for _, b := range []string{"a", "b", "c", "d", "e"} {
		if status, h, _ := do(t, "POST", s.EnterpriseURL+"repos/o/r/issues/1/comments", "w", `{"body":"`+b+`"}`); status != 201 || h.Get("Location") == "" {
			t.Fatalf("create %s: %d", b, status)
		}
	}
	status, h, body := do(t, "GET", s.EnterpriseURL+"repos/o/r/issues/1/comments?per_page=2&page=2", "w", "")
	base := s.EnterpriseURL + "repos/o/r/issues/1/comments"
	wantLink := `<` + base + `?page=1&per_page=2>; rel="prev", <` + base + `?page=3&per_page=2>; rel="next", <` +
		base + `?page=3&per_page=2>; rel="last", <` + base + `?page=1&per_page=2>; rel="first"`
	if status != 200 || h.Get("Link") != wantLink {
		t.Errorf("page 2: %d, Link %s\nwant %s", status, h.Get("Link"), wantLink)
	}
	var page []commentJSON
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page) != 2 || page[0].Body != "c" || page[1].Body != "d" {
		t.Fatalf("page 2 = %s", body)
	}
	c := page[0]
	if c.User.Login != "octocat" || !strings.HasSuffix(c.HTMLURL, "/o/r/pull/1#issuecomment-1003") || c.URL != s.EnterpriseURL+"repos/o/r/issues/comments/1003" {
		t.Errorf("comment JSON %+v", c)
	}
	if _, h, _ := do(t, "GET", s.URL+"repos/o/r/issues/1/comments?per_page=2&page=3", "w", ""); strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Errorf("last page has a next link: %s", h.Get("Link"))
	}

	long := strings.Repeat("é", CommentLimit+1)
	status, _, body = do(t, "PATCH", s.URL+"repos/o/r/issues/comments/1003", "w", `{"body":"`+long+`"}`)
	if status != 422 || body != `{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}],"documentation_url":"https://docs.github.com/rest/issues/comments#update-an-issue-comment","status":"422"}` {
		t.Errorf("too long: %d %s", status, body)
	}
	if status, _, _ := do(t, "PATCH", s.URL+"repos/o/r/issues/comments/1003", "w", `{"body":"C"}`); status != 200 || s.Comments("o/r", 1)[2].Body != "C" {
		t.Errorf("edit: %d", status)
	}
	for _, want := range []int{204, 404} {
		if status, _, _ := do(t, "DELETE", s.URL+"repos/o/r/issues/comments/1003", "w", ""); status != want {
			t.Errorf("delete: %d, want %d", status, want)
		}
	}
	if n := len(s.Comments("o/r", 1)); n != 4 {
		t.Errorf("%d comments left, want 4", n)
	}
	log := s.Requests()
	if len(log) != 11 || log[0] != (Request{Method: "POST", Path: "/repos/o/r/issues/1/comments", Enterprise: true, Status: 201}) {
		t.Errorf("log = %+v", log)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	reset := s.Clock.Now().Add(time.Minute)
	s.FailNext(2, 502)
	s.PrimaryRateLimitNext(403, reset)
	s.SecondaryRateLimitNext(429, 30*time.Second)
	do(t, "GET", s.URL+"user", "nope", "") // 401 comes before faults
	for i, want := range []int{502, 502, 403, 429, 200} {
		status, h, body := do(t, "GET", s.URL+"user", "w", "")
		if status != want {
			t.Errorf("request %d: %d, want %d", i, status, want)
		}
		switch i {
		case 2:
			if h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset") != "1748779260" || !strings.Contains(body, "API rate limit exceeded") {
				t.Errorf("primary: %v %s", h, body)
			}
		case 3:
			if h.Get("Retry-After") != "30" || !strings.Contains(body, "secondary rate limit") {
				t.Errorf("secondary: %v %s", h, body)
			}
		case 4:
			if h.Get("X-RateLimit-Remaining") == "0" || h.Get("X-RateLimit-Limit") != "5000" {
				t.Errorf("rate headers: %v", h)
			}
		}
	}
}

func TestReviewsAndPull(t *testing.T) {
	s := newServer(t)
	s.AddReview("o/r", 1, Review{Login: "alice", State: "APPROVED", CommitID: "abc"})
	s.SetLabels("o/r", 1, "ok")
	s.SetHead("o/r", 1, "def")
	_, _, body := do(t, "GET", s.URL+"repos/o/r/pulls/1/reviews", "w", "")
	var reviews []reviewJSON
	if err := json.Unmarshal([]byte(body), &reviews); err != nil || len(reviews) != 1 || reviews[0].State != "APPROVED" || reviews[0].CommitID != "abc" || reviews[0].User.Login != "alice" {
		t.Errorf("reviews = %s", body)
	}
	_, _, body = do(t, "GET", s.URL+"repos/o/r/pulls/1", "w", "")
	var p pullJSON
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Head.SHA != "def" || len(p.Labels) != 1 || p.Labels[0].Name != "ok" {
		t.Errorf("pull = %s", body)
	}
}
