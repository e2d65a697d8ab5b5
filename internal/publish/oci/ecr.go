package oci

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// ecrHost matches an Amazon ECR registry host and captures its region.
var ecrHost = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::[0-9]+)?$`)

// IsECR reports whether host is an Amazon ECR registry.
func IsECR(host string) bool { return ecrHost.MatchString(host) }

// ecrRegion is the region in host, or "" (the AWS config's).
func ecrRegion(host string) string {
	if m := ecrHost.FindStringSubmatch(host); m != nil {
		return m[1]
	}
	return ""
}

// ecrCredential fetches a registry password from ECR's
// GetAuthorizationToken on first use, and again when it expires.
func ecrCredential(ctx context.Context, host string) (auth.CredentialFunc, error) {
	var opts []func(*config.LoadOptions) error
	if r := ecrRegion(host); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ECR: loading the AWS configuration: %w", err)
	}
	client := ecr.NewFromConfig(cfg)
	var (
		mu      sync.Mutex
		cached  auth.Credential
		expires time.Time
	)
	return func(ctx context.Context, hostport string) (auth.Credential, error) {
		if hostport != host {
			return auth.EmptyCredential, nil
		}
		mu.Lock()
		defer mu.Unlock()
		if cached != auth.EmptyCredential && time.Now().Before(expires.Add(-5*time.Minute)) {
			return cached, nil
		}
		out, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
		if err != nil {
			return auth.EmptyCredential, fmt.Errorf("ECR GetAuthorizationToken: %w", err)
		}
		if len(out.AuthorizationData) == 0 {
			return auth.EmptyCredential, errors.New("ECR GetAuthorizationToken: no authorization data")
		}
		d := out.AuthorizationData[0]
		user, pass, err := DecodeECRToken(aws.ToString(d.AuthorizationToken))
		if err != nil {
			return auth.EmptyCredential, err
		}
		cached, expires = auth.Credential{Username: user, Password: pass}, aws.ToTime(d.ExpiresAt)
		return cached, nil
	}, nil
}

// DecodeECRToken decodes an ECR authorization token, base64 of
// "user:password" (the user is AWS), without putting the token in its
// errors.
func DecodeECRToken(token string) (user, password string, err error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", "", errors.New("ECR authorization token: not base64")
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || password == "" {
		return "", "", errors.New("ECR authorization token: expected base64 of user:password")
	}
	return user, password, nil
}
