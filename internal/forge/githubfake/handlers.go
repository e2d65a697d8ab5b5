package githubfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// reply is an answer before it is written.
type reply struct {
	status int
	body   any // marshalled as JSON; nil for none
}

// errorBody is GitHub's error JSON.
type errorBody struct {
	Message          string        `json:"message"`
	Errors           []errorDetail `json:"errors,omitempty"`
	DocumentationURL string        `json:"documentation_url,omitempty"`
	Status           string        `json:"status,omitempty"`
}

// errorDetail is one entry of a 422's errors.
type errorDetail struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

// call is one request being served.
type call struct {
	r      *http.Request
	seg    []string // path segments, prefix removed
	token  Token
	base   string // the API root the request came under, for URLs
	header http.Header
}

// serveHTTP logs, authenticates, applies faults and routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path, enterprise := r.URL.Path, false
	if p, ok := strings.CutPrefix(path, "/api/v3/"); ok {
		path, enterprise = "/"+p, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{r: r, seg: strings.Split(strings.Trim(path, "/"), "/"), header: w.Header(), base: s.URL}
	if enterprise {
		c.base = s.EnterpriseURL
	}
	s.rateHeaders(w.Header())
	rep := s.authenticate(c)
	if rep.status == 0 {
		if f, ok := s.popFault(); ok {
			rep = f.answer(w.Header())
		} else {
			rep = s.route(c)
		}
	}
	s.log = append(s.log, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Enterprise: enterprise, Status: rep.status})
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body)
}

// rateHeaders sets the rate-limit headers GitHub sends with every answer.
func (s *Server) rateHeaders(h http.Header) {
	used := len(s.log) + 1
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(5000-used, 1)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.Clock.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// authenticate checks the token; a zero reply lets the request through.
func (s *Server) authenticate(c *call) reply {
	auth := c.r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(auth, "token ")
	}
	if !ok || token == "" {
		return reply{http.StatusUnauthorized, errorBody{Message: "Requires authentication", DocumentationURL: "https://docs.github.com/rest", Status: "401"}}
	}
	t, known := s.tokens[token]
	if !known {
		return reply{http.StatusUnauthorized, errorBody{Message: "Bad credentials", DocumentationURL: "https://docs.github.com/rest", Status: "401"}}
	}
	c.token = t
	return reply{}
}

// route dispatches by method and path.
func (s *Server) route(c *call) reply {
	seg, m := c.seg, c.r.Method
	switch {
	case len(seg) == 1 && seg[0] == "user" && m == http.MethodGet:
		return s.getUser(c)
	case len(seg) < 5 || seg[0] != "repos":
	case len(seg) == 6 && seg[3] == "issues" && seg[4] == "comments":
		return s.comment(c, seg[1]+"/"+seg[2], seg[5])
	case len(seg) == 6 && seg[3] == "issues" && seg[5] == "comments" && m == http.MethodGet:
		return s.withPull(c, func(repo string, n int) reply { return s.listComments(c, repo, n) })
	case len(seg) == 6 && seg[3] == "issues" && seg[5] == "comments" && m == http.MethodPost:
		return s.withPull(c, func(repo string, n int) reply { return s.createComment(c, repo, n) })
	case len(seg) == 6 && seg[3] == "issues" && seg[5] == "labels" && m == http.MethodGet:
		return s.withPull(c, func(repo string, n int) reply { return s.listLabels(c, repo, n) })
	case len(seg) == 5 && seg[3] == "pulls" && m == http.MethodGet:
		return s.withPull(c, func(repo string, n int) reply { return s.getPull(c, repo, n) })
	case len(seg) == 6 && seg[3] == "pulls" && seg[5] == "reviews" && m == http.MethodGet:
		return s.withPull(c, func(repo string, n int) reply { return s.listReviews(c, repo, n) })
	}
	return notFound()
}

// withPull calls f with the pull request the path names, or answers 404.
func (s *Server) withPull(c *call, f func(repo string, number int) reply) reply {
	repo := c.seg[1] + "/" + c.seg[2]
	n, err := strconv.Atoi(c.seg[4])
	if err != nil || s.pulls[pullKey(repo, n)] == nil {
		return notFound()
	}
	return f(repo, n)
}

func notFound() reply {
	return reply{http.StatusNotFound, errorBody{Message: "Not Found", DocumentationURL: "https://docs.github.com/rest", Status: "404"}}
}

// readOnly is GitHub's answer to a write with a token that may not write.
func readOnly(docs string) reply {
	return reply{http.StatusForbidden, errorBody{Message: "Resource not accessible by integration", DocumentationURL: docs, Status: "403"}}
}

// getUser answers GET /user.
func (s *Server) getUser(c *call) reply {
	if c.token.Installation {
		return readOnly("https://docs.github.com/rest/users/users#get-the-authenticated-user")
	}
	return reply{http.StatusOK, s.user(c.base, c.token.Login)}
}

// comment answers GET, PATCH and DELETE of one comment.
func (s *Server) comment(c *call, repo, idText string) reply {
	id, err := strconv.ParseInt(idText, 10, 64)
	cm := s.comments[id]
	if err != nil || cm == nil || cm.repo != repo {
		return notFound()
	}
	switch c.r.Method {
	case http.MethodGet:
		return reply{http.StatusOK, s.commentJSON(c.base, cm)}
	case http.MethodPatch:
		if c.token.ReadOnly {
			return readOnly("https://docs.github.com/rest/issues/comments#update-an-issue-comment")
		}
		body, bad := readBody(c.r, "https://docs.github.com/rest/issues/comments#update-an-issue-comment")
		if bad.status != 0 {
			return bad
		}
		cm.Body, cm.Updated = body, s.Clock.Now().Truncate(time.Second)
		return reply{http.StatusOK, s.commentJSON(c.base, cm)}
	case http.MethodDelete:
		if c.token.ReadOnly {
			return readOnly("https://docs.github.com/rest/issues/comments#delete-an-issue-comment")
		}
		delete(s.comments, id)
		return reply{status: http.StatusNoContent}
	}
	return notFound()
}

// listComments answers GET …/issues/{n}/comments.
func (s *Server) listComments(c *call, repo string, n int) reply {
	all := s.commentsOf(repo, n)
	page := paginate(c, len(all))
	out := []commentJSON{}
	for _, cm := range all[page.from:page.to] {
		out = append(out, s.commentJSON(c.base, cm))
	}
	return reply{http.StatusOK, out}
}

// createComment answers POST …/issues/{n}/comments.
func (s *Server) createComment(c *call, repo string, n int) reply {
	const docs = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
	if c.token.ReadOnly {
		return readOnly(docs)
	}
	body, bad := readBody(c.r, docs)
	if bad.status != 0 {
		return bad
	}
	cm := s.addComment(repo, n, c.token.Login, body)
	c.header.Set("Location", c.base+"repos/"+repo+"/issues/comments/"+itoa(cm.ID))
	return reply{http.StatusCreated, s.commentJSON(c.base, cm)}
}

// readBody reads a comment's body from the request's JSON and checks it
// as GitHub does; a non-zero reply is the refusal.
func readBody(r *http.Request, docs string) (string, reply) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return "", reply{http.StatusBadRequest, errorBody{Message: "Problems parsing JSON", DocumentationURL: docs, Status: "400"}}
	}
	invalid := func(d errorDetail) reply {
		d.Resource, d.Field = "IssueComment", "body"
		return reply{http.StatusUnprocessableEntity, errorBody{Message: "Validation Failed", Errors: []errorDetail{d}, DocumentationURL: docs, Status: "422"}}
	}
	switch {
	case in.Body == nil || *in.Body == "":
		return "", invalid(errorDetail{Code: "missing_field"})
	case utf8.RuneCountInString(*in.Body) > CommentLimit:
		return "", invalid(errorDetail{Code: "custom", Message: "body is too long (maximum is 65536 characters)"})
	}
	return *in.Body, reply{}
}

// listLabels answers GET …/issues/{n}/labels.
func (s *Server) listLabels(c *call, repo string, n int) reply {
	labels := s.pulls[pullKey(repo, n)].labels
	page := paginate(c, len(labels))
	out := []labelJSON{}
	for _, l := range labels[page.from:page.to] {
		out = append(out, s.labelJSON(c.base, repo, l))
	}
	return reply{http.StatusOK, out}
}

// getPull answers GET …/pulls/{n}.
func (s *Server) getPull(c *call, repo string, n int) reply {
	return reply{http.StatusOK, s.pullJSON(c.base, repo, n)}
}

// listReviews answers GET …/pulls/{n}/reviews.
func (s *Server) listReviews(c *call, repo string, n int) reply {
	reviews := s.pulls[pullKey(repo, n)].reviews
	page := paginate(c, len(reviews))
	out := []reviewJSON{}
	for _, r := range reviews[page.from:page.to] {
		out = append(out, s.reviewJSON(c.base, repo, n, r))
	}
	return reply{http.StatusOK, out}
}
