package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
)

// Environment variables holding registry secrets: secrets are never
// flags, so that they stay out of process lists and shell history.
const (
	envRegistryUsername = "MODELCI_REGISTRY_USERNAME"
	envRegistryPassword = "MODELCI_REGISTRY_PASSWORD"
	envRegistryToken    = "MODELCI_REGISTRY_TOKEN"
)

// registryFlags are the flags of every command that reaches a registry.
type registryFlags struct {
	plainHTTP     bool
	caFile        string
	config        string
	username      string
	passwordStdin bool
	ecr           bool
	s3Endpoint    string
	s3Region      string
	s3PathStyle   bool
	// s3PathStyleSet says --s3-path-style was given.
	s3PathStyleSet bool
	verbose        bool
}

// add registers the flags on cmd.
func (f *registryFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.plainHTTP, "plain-http", false, "talk HTTP, not HTTPS, to the registry (only to localhost, 127.0.0.1 or ::1)")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the system's")
	fl.StringVar(&f.config, "registry-config", "", "Docker config `file` with the registry's credentials (default: ~/.docker/config.json)")
	fl.StringVarP(&f.username, "username", "u", "", "registry user name (default $"+envRegistryUsername+"); the password comes from --password-stdin or $"+envRegistryPassword)
	fl.BoolVar(&f.passwordStdin, "password-stdin", false, "read the registry password from standard input")
	fl.BoolVar(&f.ecr, "ecr", false, "get credentials from Amazon ECR (automatic for *.dkr.ecr.*.amazonaws.com)")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3 endpoint `URL` (default: AWS, or $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL)")
	fl.StringVar(&f.s3Region, "s3-region", "", "S3 region (default: the AWS configuration's, else us-east-1)")
	fl.BoolVar(&f.s3PathStyle, "s3-path-style", false, "address S3 buckets by path (default: true when an S3 endpoint is given, for MinIO and other S3-compatible servers)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print progress on standard error")
}

// options turns the flags and the environment into location options.
func (f *registryFlags) options(stdin io.Reader) (location.Options, error) {
	var o location.Options
	o.OCI.PlainHTTP, o.OCI.CAFile, o.OCI.DockerConfig, o.OCI.ECR = f.plainHTTP, f.caFile, f.config, f.ecr
	o.OCI.UserAgent = "modelci/" + cliVersion()
	o.OCI.Token = os.Getenv(envRegistryToken)
	o.OCI.Username = f.username
	if o.OCI.Username == "" && !f.passwordStdin {
		o.OCI.Username = os.Getenv(envRegistryUsername)
	}
	switch {
	case f.passwordStdin && f.username == "":
		return o, errors.New("--password-stdin needs --username")
	case f.passwordStdin:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return o, fmt.Errorf("--password-stdin: %w", err)
		}
		o.OCI.Password = strings.TrimRight(line, "\r\n")
	case o.OCI.Username != "":
		o.OCI.Password = os.Getenv(envRegistryPassword)
		if o.OCI.Password == "" {
			return o, fmt.Errorf("a registry user name needs a password: --password-stdin or $%s", envRegistryPassword)
		}
	}
	o.S3.Endpoint, o.S3.Region, o.S3.PathStyle = f.s3Endpoint, f.s3Region, f.s3PathStyle
	if !f.s3PathStyleSet {
		// S3-compatible servers (MinIO) want buckets by path.
		o.S3.PathStyle = f.s3Endpoint != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	}
	return o, nil
}

// open opens the location ref names.
func (f *registryFlags) open(cmd *cobra.Command, ref string) (publish.Target, string, error) {
	f.s3PathStyleSet = cmd.Flags().Changed("s3-path-style")
	o, err := f.options(cmd.InOrStdin())
	if err != nil {
		return nil, "", err
	}
	return location.Open(cmd.Context(), ref, o)
}

// publishOptions are the publish package's options for the command.
func (f *registryFlags) publishOptions(cmd *cobra.Command) publish.Options {
	var o publish.Options
	if f.verbose {
		w := cmd.ErrOrStderr()
		o.Logf = func(format string, args ...any) { fmt.Fprintf(w, "modelci: "+format+"\n", args...) }
	}
	return o
}

// exactlyOneArg accepts one positional argument, what.
func exactlyOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%s takes one argument, %s (see %s --help)", cmd.CommandPath(), what, cmd.CommandPath())
		}
		return nil
	}
}
