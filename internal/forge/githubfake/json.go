package githubfake

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GitHub's JSON shapes, the fields go-github and GitHub's documentation
// name, trimmed of what modelci never reads.

type userJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

type commentJSON struct {
	URL                   string    `json:"url"`
	HTMLURL               string    `json:"html_url"`
	IssueURL              string    `json:"issue_url"`
	ID                    int64     `json:"id"`
	NodeID                string    `json:"node_id"`
	User                  userJSON  `json:"user"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
	AuthorAssociation     string    `json:"author_association"`
	Body                  string    `json:"body"`
	PerformedViaGitHubApp any       `json:"performed_via_github_app"`
}

type labelJSON struct {
	ID          int64  `json:"id"`
	NodeID      string `json:"node_id"`
	URL         string `json:"url"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Default     bool   `json:"default"`
	Description any    `json:"description"`
}

type reviewJSON struct {
	ID                int64     `json:"id"`
	NodeID            string    `json:"node_id"`
	User              userJSON  `json:"user"`
	Body              string    `json:"body"`
	State             string    `json:"state"`
	HTMLURL           string    `json:"html_url"`
	PullRequestURL    string    `json:"pull_request_url"`
	AuthorAssociation string    `json:"author_association"`
	SubmittedAt       time.Time `json:"submitted_at"`
	CommitID          string    `json:"commit_id"`
}

type branchJSON struct {
	Label string   `json:"label"`
	Ref   string   `json:"ref"`
	SHA   string   `json:"sha"`
	User  userJSON `json:"user"`
}

type pullJSON struct {
	URL     string      `json:"url"`
	ID      int64       `json:"id"`
	NodeID  string      `json:"node_id"`
	HTMLURL string      `json:"html_url"`
	Number  int         `json:"number"`
	State   string      `json:"state"`
	Title   string      `json:"title"`
	User    userJSON    `json:"user"`
	Labels  []labelJSON `json:"labels"`
	Head    branchJSON  `json:"head"`
	Base    branchJSON  `json:"base"`
	Draft   bool        `json:"draft"`
	Merged  bool        `json:"merged"`
}

// web is the root of the web interface the fake's HTML URLs point at.
const web = "https://github.com/"

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// user returns login's user JSON; s.mu is held.
func (s *Server) user(base, login string) userJSON {
	kind := "User"
	if strings.HasSuffix(login, "[bot]") {
		kind = "Bot"
	}
	id := s.userID(login)
	return userJSON{
		Login: login, ID: id, NodeID: fmt.Sprintf("U_%d", id), Type: kind,
		URL: base + "users/" + url.PathEscape(login), HTMLURL: web + url.PathEscape(login),
	}
}

func (s *Server) commentJSON(base string, c *Comment) commentJSON {
	return commentJSON{
		URL:      base + "repos/" + c.repo + "/issues/comments/" + itoa(c.ID),
		HTMLURL:  fmt.Sprintf("%s%s/pull/%d#issuecomment-%d", web, c.repo, c.number, c.ID),
		IssueURL: fmt.Sprintf("%srepos/%s/issues/%d", base, c.repo, c.number),
		ID:       c.ID, NodeID: fmt.Sprintf("IC_%d", c.ID), User: s.user(base, c.Login),
		CreatedAt: c.Created, UpdatedAt: c.Updated, AuthorAssociation: "MEMBER", Body: c.Body,
	}
}

func (s *Server) labelJSON(base, repo, name string) labelJSON {
	id := int64(len(name)) // stable, not unique: nothing reads it
	return labelJSON{
		ID: id, NodeID: "LA_" + url.PathEscape(name), URL: base + "repos/" + repo + "/labels/" + url.PathEscape(name),
		Name: name, Color: "ededed",
	}
}

func (s *Server) reviewJSON(base, repo string, n int, r *Review) reviewJSON {
	return reviewJSON{
		ID: r.id, NodeID: fmt.Sprintf("PRR_%d", r.id), User: s.user(base, r.Login), State: r.State,
		HTMLURL:           fmt.Sprintf("%s%s/pull/%d#pullrequestreview-%d", web, repo, n, r.id),
		PullRequestURL:    fmt.Sprintf("%srepos/%s/pulls/%d", base, repo, n),
		AuthorAssociation: "MEMBER", SubmittedAt: r.at, CommitID: r.CommitID,
	}
}

func (s *Server) pullJSON(base, repo string, n int) pullJSON {
	p := s.pulls[pullKey(repo, n)]
	owner, _, _ := strings.Cut(repo, "/")
	author := s.user(base, "contributor")
	out := pullJSON{
		URL: fmt.Sprintf("%srepos/%s/pulls/%d", base, repo, n), ID: int64(n), NodeID: fmt.Sprintf("PR_%d", n),
		HTMLURL: fmt.Sprintf("%s%s/pull/%d", web, repo, n), Number: n, State: "open",
		Title: fmt.Sprintf("Pull request %d", n), User: author, Labels: []labelJSON{},
		Head: branchJSON{Label: "contributor:change", Ref: "change", SHA: p.head, User: author},
		Base: branchJSON{Label: owner + ":main", Ref: "main", SHA: "0000000000000000000000000000000000000000", User: s.user(base, owner)},
	}
	for _, l := range p.labels {
		out.Labels = append(out.Labels, s.labelJSON(base, repo, l))
	}
	return out
}

// addComment stores a new comment; s.mu is held.
func (s *Server) addComment(repo string, number int, login, body string) *Comment {
	s.nextID++
	now := s.Clock.Now().Truncate(time.Second)
	c := &Comment{ID: s.nextID, Login: login, Body: body, Created: now, Updated: now, repo: repo, number: number}
	s.comments[c.ID] = c
	return c
}

// commentsOf returns a pull request's comments, oldest first; s.mu is
// held.
func (s *Server) commentsOf(repo string, number int) []*Comment {
	var out []*Comment
	for _, c := range s.comments {
		if c.repo == repo && c.number == number {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Comment) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// page is the slice of a list one request gets.
type page struct{ from, to int }

// paginate reads per_page (default 30, at most 100) and page (from 1),
// sets GitHub's Link header for a list of n items and returns the slice
// to answer with.
func paginate(c *call, n int) page {
	q := c.r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	num, err := strconv.Atoi(q.Get("page"))
	if err != nil || num < 1 {
		num = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		q.Set("per_page", strconv.Itoa(per))
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, strings.TrimSuffix(c.base, "/"), "/"+strings.Join(c.seg, "/"), q.Encode(), rel)
	}
	var links []string
	if num > 1 {
		links = append(links, link(min(num-1, last), "prev"))
	}
	if num < last {
		links = append(links, link(num+1, "next"), link(last, "last"))
	}
	if num > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		c.header.Set("Link", strings.Join(links, ", "))
	}
	from := n
	if num <= last {
		from = min((num-1)*per, n)
	}
	return page{from: from, to: min(from+per, n)}
}
