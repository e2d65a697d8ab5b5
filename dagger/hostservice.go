package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/publish/oci"
)

// WithHostService makes a service on the caller's host reachable, at the
// address the caller knows it by, from the functions that talk to
// registries: publish, and with-baseline. Give a registry or an S3 server
// that listens on the caller's loopback as tcp://localhost:5000; then
// publish --registry localhost:5000/models/iris:1 reaches it. A small
// relay runs in the runtime image (--image), which needs python3.
// Registries and S3 endpoints on the network need nothing.
func (m *Modelci) WithHostService(
	// The service: tcp://HOST:PORT on the caller's host.
	service *dagger.Service,
) *Modelci {
	c := *m
	c.HostServices = append(append([]*dagger.Service(nil), m.HostServices...), service)
	return &c
}

// forwardPy relays TCP ports to the host "upstream" (see relay).
//
//go:embed forward.py
var forwardPy string

// reachHostServices makes each host service reachable from the function's
// own container on the service's own ports, so that 127.0.0.1:PORT (or
// localhost:PORT) leads to the caller's; it returns once every port
// answers. stop closes the tunnels.
//
// Dagger tunnels only to container services: a relay container bound to
// the host service (forward.py, in the runtime image) is the service the
// function tunnels to.
func (m *Modelci) reachHostServices(ctx context.Context) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	up := make(chan error, len(m.HostServices))
	var addrs []string
	for _, s := range m.HostServices {
		ports, err := servicePorts(ctx, s)
		if err != nil {
			cancel()
			return nil, err
		}
		relay := m.relay(s, ports)
		forwards := make([]dagger.PortForward, len(ports))
		for i, p := range ports {
			forwards[i] = dagger.PortForward{Frontend: p, Backend: p}
			addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		}
		go func() { up <- relay.Up(ctx, dagger.ServiceUpOpts{Ports: forwards}) }()
	}
	for _, a := range addrs {
		if err := waitListening(ctx, a, up); err != nil {
			cancel()
			return nil, err
		}
	}
	return cancel, nil
}

// servicePorts are s's port numbers.
func servicePorts(ctx context.Context, s *dagger.Service) ([]int, error) {
	ports, err := s.Ports(ctx)
	if err != nil {
		return nil, fmt.Errorf("the host service's ports: %w", err)
	}
	var ns []int
	for _, p := range ports {
		n, err := p.Port(ctx)
		if err != nil {
			return nil, fmt.Errorf("the host service's ports: %w", err)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// relay is a service in the runtime image that forwards ports to s.
func (m *Modelci) relay(s *dagger.Service, ports []int) *dagger.Service {
	ctr := dag.Pyml(dagger.PymlOpts{Base: m.Base, Image: m.Image}).Container().
		WithServiceBinding("upstream", s).
		WithNewFile("/modelci/forward.py", forwardPy)
	args := []string{"python3", "/modelci/forward.py"}
	for _, p := range ports {
		ctr = ctr.WithExposedPort(p)
		args = append(args, strconv.Itoa(p))
	}
	return ctr.AsService(dagger.ContainerAsServiceOpts{Args: args})
}

// waitListening waits until addr accepts a connection; it fails when a
// tunnel ends (up) or after tunnelTimeout.
func waitListening(ctx context.Context, addr string, up <-chan error) error {
	deadline := time.Now().Add(tunnelTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case uerr := <-up:
			return fmt.Errorf("the tunnel to the host service on %s ended: %v", addr, uerr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the tunnel to the host service on %s did not open within %s: %w", addr, tunnelTimeout, err)
		}
	}
}

// tunnelTimeout bounds the wait for a host service's tunnel.
const tunnelTimeout = time.Minute

// explainLoopback adds to err, a network error, when the function failed
// to reach an address on the loopback with no host service given, that
// the loopback is the function container's own. addrs are registry
// references (HOST[:PORT]/NAME…) and endpoint URLs; empty ones are
// skipped.
func (m *Modelci) explainLoopback(err error, addrs ...string) error {
	var netErr *net.OpError
	if !errors.As(err, &netErr) || len(m.HostServices) > 0 {
		return err
	}
	for _, a := range addrs {
		hostPort := a
		if u, perr := url.Parse(a); perr == nil && u.Host != "" {
			hostPort = u.Host
		} else if i := strings.IndexByte(a, '/'); i >= 0 {
			hostPort = a[:i]
		}
		if hostPort != "" && oci.Loopback(hostPort) {
			return fmt.Errorf("%w\n%s is on the loopback, and a function's loopback is its own container's: "+
				"to reach the caller's, give with-host-service --service tcp://%s", err, hostPort, hostPort)
		}
	}
	return err
}
