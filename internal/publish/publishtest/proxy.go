package publishtest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to a request.
type Fault int

// The faults.
const (
	// Pass forwards the request.
	Pass Fault = iota
	// Fail5xx answers 503 without forwarding.
	Fail5xx
	// Drop closes the connection without an answer.
	Drop
	// Slow waits a second, then forwards.
	Slow
)

// Proxy is a reverse proxy in front of a server that fails the requests
// its rule chooses, and counts what it saw.
type Proxy struct {
	// URL is the proxy's base URL.
	URL *url.URL
	// Host is URL's host:port.
	Host string
	mu   sync.Mutex
	rule func(r *http.Request) Fault
	seen []string
}

// NewProxy starts a proxy to target (a URL) and stops it when the test
// ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.URL.Path)
		rule := p.rule
		p.mu.Unlock()
		f := Pass
		if rule != nil {
			f = rule(r)
		}
		switch f {
		case Fail5xx:
			http.Error(w, "injected failure", http.StatusServiceUnavailable)
			return
		case Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case Slow:
			time.Sleep(time.Second)
		}
		// The server sees the proxy's host: keep it, so that the upload
		// locations it returns lead back through the proxy.
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL, _ = url.Parse(srv.URL)
	p.Host = p.URL.Host
	return p
}

// SetRule sets the rule choosing each request's fault; nil passes all.
func (p *Proxy) SetRule(rule func(r *http.Request) Fault) {
	p.mu.Lock()
	p.rule = rule
	p.mu.Unlock()
}

// Seen returns the "METHOD /path" of every request since the last call.
func (p *Proxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.seen
	p.seen = nil
	return s
}

// Times returns a rule that applies f to the first n requests rule
// matches, then passes everything.
func Times(n int, f Fault, match func(r *http.Request) bool) func(r *http.Request) Fault {
	var mu sync.Mutex
	return func(r *http.Request) Fault {
		mu.Lock()
		defer mu.Unlock()
		if n > 0 && match(r) {
			n--
			return f
		}
		return Pass
	}
}
