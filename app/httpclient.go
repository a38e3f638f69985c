package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// httpClient is the one HTTP client of the app. It trusts the system roots (so SSL_CERT_FILE and
// corporate roots work), and, when the settings point at a sandbox, that sandbox's CA too, but only
// for loopback hosts: the sandbox's certificate can never vouch for a real service.
func httpClient(cfg config.Config) (*http.Client, error) {
	system := http.DefaultTransport.(*http.Transport).Clone()
	system.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	var rt http.RoundTripper = system
	if cfg.Rescue.Instance == config.InstanceSandbox && cfg.Sandbox.CAFile != "" {
		pool, err := loadCA(cfg.Sandbox.CAFile)
		if err != nil {
			return nil, err
		}
		sandbox := system.Clone()
		sandbox.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		rt = loopbackSplit{loopback: sandbox, other: system}
	}
	return &http.Client{Transport: rt, Timeout: 60 * time.Second}, nil
}

func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sandbox.ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("sandbox.ca_file: %q holds no PEM certificate", path)
	}
	return pool, nil
}

// loopbackSplit sends loopback requests through one transport and the rest through another.
type loopbackSplit struct{ loopback, other http.RoundTripper }

func (s loopbackSplit) RoundTrip(r *http.Request) (*http.Response, error) {
	if isLoopback(r.URL.Hostname()) {
		return s.loopback.RoundTrip(r)
	}
	return s.other.RoundTrip(r)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
