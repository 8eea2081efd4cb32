package source

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stratascan/strata/analyzer/inputfile"
)

// defaultDockerHost is the Engine's socket when nothing else is configured.
const defaultDockerHost = "unix:///var/run/docker.sock"

// endpoint is where an Engine API answers and how to reach it.
type endpoint struct {
	// Host is unix:///path, tcp://host:port, http:// or https:// URL.
	Host string
	// TLS, when set, secures a tcp connection.
	TLS *tls.Config
	// From says where the host came from (for messages).
	From string
}

// dockerConfigDir is $DOCKER_CONFIG, else ~/.docker.
func dockerConfigDir() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return filepath.Join(home, ".docker")
}

// dockerEndpoint resolves the Engine the way the docker CLI does: DOCKER_HOST
// (with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), else the context named by
// DOCKER_CONTEXT or by currentContext in config.json, else the default socket.
func dockerEndpoint() (endpoint, error) {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		ep := endpoint{Host: h, From: "DOCKER_HOST"}
		verify := os.Getenv("DOCKER_TLS_VERIFY") != ""
		certPath := os.Getenv("DOCKER_CERT_PATH")
		if verify || certPath != "" {
			if certPath == "" {
				certPath = dockerConfigDir()
			}
			cfg, err := loadTLS(certPath, !verify, true)
			if err != nil {
				return ep, fmt.Errorf("DOCKER_CERT_PATH: %w", err)
			}
			ep.TLS = cfg
		}
		return ep, nil
	}
	dir := dockerConfigDir()
	name := os.Getenv("DOCKER_CONTEXT")
	from := "DOCKER_CONTEXT"
	if name == "" {
		from = "current context"
		b, err := inputfile.ReadFile(filepath.Join(dir, "config.json"), inputfile.MaxConfig)
		if err == nil {
			var cfg struct {
				CurrentContext string `json:"currentContext"`
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				return endpoint{}, fmt.Errorf("parsing %s: %w", filepath.Join(dir, "config.json"), err)
			}
			name = cfg.CurrentContext
		}
	}
	if name == "" || name == "default" {
		return endpoint{Host: defaultDockerHost, From: "default"}, nil
	}
	return contextEndpoint(dir, name, from)
}

// contextEndpoint reads a docker context's meta.json and TLS material.
func contextEndpoint(dir, name, from string) (endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	b, err := inputfile.ReadFile(metaPath, inputfile.MaxConfig)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return endpoint{}, fmt.Errorf("docker context %q (from %s) not found: no %s", name, from, metaPath)
		}
		return endpoint{}, fmt.Errorf("reading docker context %q: %w", name, err)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host          string
			SkipTLSVerify bool
		}
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return endpoint{}, fmt.Errorf("parsing %s: %w", metaPath, err)
	}
	d, ok := meta.Endpoints["docker"]
	if !ok || d.Host == "" {
		return endpoint{}, fmt.Errorf("docker context %q has no docker endpoint", name)
	}
	ep := endpoint{Host: d.Host, From: fmt.Sprintf("docker context %q", name)}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	if exists(tlsDir) {
		cfg, err := loadTLS(tlsDir, d.SkipTLSVerify, false)
		if err != nil {
			return ep, fmt.Errorf("docker context %q TLS: %w", name, err)
		}
		ep.TLS = cfg
	} else if d.SkipTLSVerify {
		ep.TLS = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the context asks for it
	}
	return ep, nil
}

// loadTLS builds a client TLS config from ca.pem, cert.pem and key.pem in dir.
// With required, ca.pem (when verifying) and the key pair must exist.
func loadTLS(dir string, skipVerify, required bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skipVerify} //nolint:gosec // opt-in
	ca, err := inputfile.ReadFile(filepath.Join(dir, "ca.pem"), inputfile.MaxCA)
	switch {
	case err == nil:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%s holds no certificate", filepath.Join(dir, "ca.pem"))
		}
		cfg.RootCAs = pool
	case !errors.Is(err, os.ErrNotExist) || (required && !skipVerify):
		return nil, err
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if exists(certFile) || exists(keyFile) || required {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			if !required || !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		} else {
			cfg.Certificates = []tls.Certificate{pair}
		}
	}
	return cfg, nil
}
