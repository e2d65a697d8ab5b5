// Package githubfake is test support: a stateful fake of the part of the
// GitHub REST API that modelci uses, served by httptest, answering as
// GitHub does (its JSON shapes, status codes, messages and headers). Only
// tests import it.
//
// It serves, at the root (Server.URL) and under /api/v3/ as GitHub
// Enterprise Server does (Server.EnterpriseURL):
//
//	GET    /user                                     the token's user (403 to an installation token)
//	GET    /repos/{o}/{r}/issues/{n}/comments        paginated: per_page, page, Link rel="next" … "last"
//	POST   /repos/{o}/{r}/issues/{n}/comments        422 over 65,536 characters
//	GET    /repos/{o}/{r}/issues/comments/{id}
//	PATCH  /repos/{o}/{r}/issues/comments/{id}       422 over 65,536 characters
//	DELETE /repos/{o}/{r}/issues/comments/{id}       204
//	GET    /repos/{o}/{r}/pulls/{n}                  head SHA, labels
//	GET    /repos/{o}/{r}/pulls/{n}/reviews          paginated
//	GET    /repos/{o}/{r}/issues/{n}/labels          paginated
//
// Tokens are registered with AddToken: a request without one gets 401
// "Requires authentication", an unknown one 401 "Bad credentials", a write
// with a read-only one 403 "Resource not accessible by integration".
// Faults are queued for the next requests: server errors (FailNext),
// primary rate limits (PrimaryRateLimitNext) and secondary ones
// (SecondaryRateLimitNext). Every request is logged (Requests).
package githubfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// CommentLimit is GitHub's limit on a comment's body, in characters.
const CommentLimit = 65536

// Token is what a registered token may do.
type Token struct {
	// Login is the user the token acts as; an installation token's is
	// "github-actions[bot]" (or "APP[bot]").
	Login string
	// Installation marks an installation token (the GITHUB_TOKEN of a
	// workflow): GET /user answers it 403, and its user is a Bot.
	Installation bool
	// ReadOnly refuses writes: 403 "Resource not accessible by
	// integration", as for a workflow run of a pull request from a fork.
	ReadOnly bool
}

// Comment is an issue comment held by the server.
type Comment struct {
	ID      int64
	Login   string
	Body    string
	Created time.Time
	Updated time.Time
	repo    string
	number  int
}

// Review is a pull-request review held by the server.
type Review struct {
	// Login is the reviewer.
	Login string
	// State is APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED.
	State string
	// CommitID is the commit reviewed.
	CommitID string
	id       int64
	at       time.Time
}

// Request is one logged request.
type Request struct {
	// Method and Path (without the /api/v3 prefix) of the request.
	Method, Path string
	// Query is the raw query.
	Query string
	// Enterprise says the request came under /api/v3/.
	Enterprise bool
	// Status is the answer's status.
	Status int
}

// pull is a pull request.
type pull struct {
	head    string
	labels  []string
	reviews []*Review
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root, ending in "/".
	URL string
	// EnterpriseURL is URL + "api/v3/".
	EnterpriseURL string
	// Clock gives the times of comments, reviews and rate-limit headers.
	Clock *Clock

	srv      *httptest.Server
	mu       sync.Mutex
	tokens   map[string]Token
	users    map[string]int64
	pulls    map[string]*pull // by "owner/repo#n"
	comments map[int64]*Comment
	nextID   int64
	faults   []fault
	log      []Request
}

// New starts a Server whose clock reads clock (or a fixed time when nil);
// it is closed when the test ends.
func New(t testing.TB, clock *Clock) *Server {
	if clock == nil {
		clock = NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	}
	s := &Server{
		Clock: clock, tokens: map[string]Token{}, users: map[string]int64{},
		pulls: map[string]*pull{}, comments: map[int64]*Comment{}, nextID: 1000,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/"
	s.EnterpriseURL = s.URL + "api/v3/"
	return s
}

// AddToken registers a token.
func (s *Server) AddToken(token string, t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = t
	s.userID(t.Login)
}

// AddPull creates pull request number of repo ("owner/name") with its
// head commit.
func (s *Server) AddPull(repo string, number int, headSHA string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls[pullKey(repo, number)] = &pull{head: headSHA}
}

// SetHead moves the pull request's head to a new commit.
func (s *Server) SetHead(repo string, number int, headSHA string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pull(repo, number).head = headSHA
}

// SetLabels sets the pull request's labels.
func (s *Server) SetLabels(repo string, number int, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pull(repo, number).labels = labels
}

// AddReview submits a review of the pull request, a second after the
// previous one.
func (s *Server) AddReview(repo string, number int, r Review) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userID(r.Login)
	s.nextID++
	r.id, r.at = s.nextID, s.Clock.Now().Truncate(time.Second)
	s.Clock.Advance(time.Second)
	p := s.pull(repo, number)
	p.reviews = append(p.reviews, &r)
}

// AddComment writes a comment on the pull request as login, as if through
// the web interface, and returns its ID.
func (s *Server) AddComment(repo string, number int, login, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pull(repo, number)
	s.userID(login)
	return s.addComment(repo, number, login, body).ID
}

// Comments returns the comments on the pull request, oldest first.
func (s *Server) Comments(repo string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.commentsOf(repo, number) {
		out = append(out, *c)
	}
	return out
}

// Requests returns the requests served so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ClearLog forgets the requests served so far.
func (s *Server) ClearLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// pull returns a pull request that must exist; s.mu is held.
func (s *Server) pull(repo string, number int) *pull {
	p := s.pulls[pullKey(repo, number)]
	if p == nil {
		panic("githubfake: no pull request " + pullKey(repo, number) + "; call AddPull first")
	}
	return p
}

// userID returns login's user ID, assigning one; s.mu is held.
func (s *Server) userID(login string) int64 {
	id, ok := s.users[strings.ToLower(login)]
	if !ok {
		id = int64(len(s.users) + 1)
		s.users[strings.ToLower(login)] = id
	}
	return id
}

func pullKey(repo string, number int) string {
	return repo + "#" + itoa(int64(number))
}
