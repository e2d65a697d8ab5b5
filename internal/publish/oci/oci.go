// Package oci opens an OCI registry repository as a publish.Target, with
// oras-go's remote repository: credentials from Docker config files, a
// user name and password, a bearer token, or Amazon ECR; TLS with an
// extra CA; plain HTTP only when asked, and only to a loopback address.
//
// Registries without the referrers API (the Debian docker-registry,
// distribution 2.8) get the referrers tag schema (sha256-<digest> tags),
// which oras-go falls back to on its own.
package oci

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// Options say how to reach and authenticate to the registry.
type Options struct {
	// PlainHTTP uses HTTP instead of HTTPS; only for a loopback registry
	// (localhost, 127.0.0.0/8, ::1).
	PlainHTTP bool
	// CAFile is a PEM file of CA certificates trusted besides the
	// system's.
	CAFile string
	// DockerConfig is a Docker config.json to read credentials from;
	// when "", the default one ($DOCKER_CONFIG/config.json or
	// ~/.docker/config.json) if it exists.
	DockerConfig string
	// Username and Password are basic credentials; they take precedence
	// over the config file.
	Username, Password string
	// Token is a bearer token (a registry access token); it takes
	// precedence over everything else.
	Token string
	// ECR gets a token from Amazon ECR (GetAuthorizationToken) with the
	// default AWS credentials; automatic for *.dkr.ecr.*.amazonaws.com.
	ECR bool
	// UserAgent is sent with every request.
	UserAgent string
}

// Open returns the repository of ref ("host[:port]/name[:tag|@digest]")
// and the tag or digest ref names ("" without one).
func Open(ctx context.Context, ref string, o Options) (*remote.Repository, string, error) {
	parsed, err := registry.ParseReference(ref)
	if err != nil {
		return nil, "", fmt.Errorf("repository %q: %w", ref, err)
	}
	repo, err := remote.NewRepository(parsed.Registry + "/" + parsed.Repository)
	if err != nil {
		return nil, "", fmt.Errorf("repository %q: %w", ref, err)
	}
	if o.PlainHTTP {
		if !Loopback(parsed.Registry) {
			return nil, "", fmt.Errorf("repository %q: plain HTTP is allowed only to a loopback address (localhost, 127.0.0.1, ::1), not %q", ref, parsed.Host())
		}
		repo.PlainHTTP = true
	}
	transport, err := newTransport(o.CAFile)
	if err != nil {
		return nil, "", err
	}
	cred, err := credentialFunc(ctx, parsed.Registry, o)
	if err != nil {
		return nil, "", err
	}
	client := &auth.Client{
		Client:     &http.Client{Transport: retry.NewTransport(transport)},
		Cache:      auth.NewCache(),
		Credential: cred,
	}
	if o.UserAgent != "" {
		client.SetUserAgent(o.UserAgent)
	}
	repo.Client = client
	// Registries that refuse deletes would fail a referrer push when
	// oras-go removes the replaced referrers index; leave it.
	repo.SkipReferrersGC = true
	return repo, parsed.Reference, nil
}

// Loopback reports whether host[:port] names a loopback address.
func Loopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newTransport is http.DefaultTransport's clone trusting caFile's CAs too.
func newTransport(caFile string) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if caFile == "" {
		return t, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %q: no PEM certificate in it", caFile)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// credentialFunc chooses where credentials come from: a token, a user
// name and password, ECR, or a Docker config file.
func credentialFunc(ctx context.Context, host string, o Options) (auth.CredentialFunc, error) {
	switch {
	case o.Token != "":
		return auth.StaticCredential(host, auth.Credential{AccessToken: o.Token}), nil
	case o.Username != "" || o.Password != "":
		if o.Username == "" || o.Password == "" {
			return nil, errors.New("basic credentials need both a user name and a password")
		}
		return auth.StaticCredential(host, auth.Credential{Username: o.Username, Password: o.Password}), nil
	case o.ECR || IsECR(host):
		return ecrCredential(ctx, host)
	}
	store, err := dockerStore(o.DockerConfig)
	if err != nil {
		return nil, err
	}
	if store == nil {
		return auth.StaticCredential(host, auth.EmptyCredential), nil
	}
	return credentials.Credential(store), nil
}

// dockerStore opens the Docker config file; nil when none is given and
// the default one does not exist.
func dockerStore(path string) (credentials.Store, error) {
	opts := credentials.StoreOptions{DetectDefaultNativeStore: true}
	if path == "" {
		s, err := credentials.NewStoreFromDocker(opts)
		if err != nil {
			return nil, nil //nolint:nilerr // no usable default config: anonymous access
		}
		return s, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("Docker config: %w", err)
	}
	s, err := credentials.NewStore(path, opts)
	if err != nil {
		return nil, fmt.Errorf("Docker config %q: %w", path, err)
	}
	return s, nil
}

// IsNotFound reports whether err says a repository, tag or manifest does
// not exist.
func IsNotFound(err error) bool { return errors.Is(err, errdef.ErrNotFound) }
