package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/publish/oci"
)

// WithRegistry sets how publish and with-baseline reach OCI registries:
// the credentials, an extra CA, plain HTTP. Without it they go anonymously
// over HTTPS with the system's CAs.
func (m *Modelci) WithRegistry(
	// The user name; its password is password.
	// +optional
	username string,
	// The password (or a personal access token used as one).
	// +optional
	password *dagger.Secret,
	// A bearer token, instead of a user name and password.
	// +optional
	token *dagger.Secret,
	// PEM CA certificates the registry's TLS certificate may chain to.
	// +optional
	caCert *dagger.File,
	// HTTP instead of HTTPS: only for a registry on the loopback, reached
	// through with-host-service.
	// +optional
	plainHttp bool,
) *Modelci {
	c := *m
	c.RegistryUsername, c.RegistryPassword, c.RegistryToken, c.RegistryCA, c.RegistryPlainHTTP =
		username, password, token, caCert, plainHttp
	return &c
}

// registryOptions are the registry settings of with-registry as oci
// options; the CA file goes under work.
func (m *Modelci) registryOptions(ctx context.Context, work string) (oci.Options, error) {
	o := oci.Options{Username: m.RegistryUsername, PlainHTTP: m.RegistryPlainHTTP}
	var err error
	if o.Password, err = plaintext(ctx, m.RegistryPassword); err != nil {
		return o, err
	}
	if o.Token, err = plaintext(ctx, m.RegistryToken); err != nil {
		return o, err
	}
	if m.RegistryCA != nil {
		o.CAFile = filepath.Join(work, "ca.pem")
		if _, err := m.RegistryCA.Export(ctx, o.CAFile); err != nil {
			return o, fmt.Errorf("exporting the CA certificates: %w", err)
		}
	}
	return o, nil
}
