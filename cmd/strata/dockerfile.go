package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/inputfile"
	"github.com/stratascan/strata/analyzer/policy"
)

// dockerfileFlags name the Dockerfile that built the image.
type dockerfileFlags struct {
	path      string
	target    string
	buildArgs []string
	// config is the configuration file's dockerfile, used when the flag
	// is not given.
	config policy.DockerfileConfig
}

func (f *dockerfileFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.path, "dockerfile", "", "the Dockerfile that built the image: findings point at its lines")
	fl.StringVar(&f.target, "target", "", "the Dockerfile stage that produced the image (default: the last)")
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "a NAME=value the image was built with (repeatable)")
}

// parse reads the Dockerfile, or returns nil when none was named.
func (f *dockerfileFlags) parse() (*dockerfile.File, error) {
	path, target, args := f.path, f.target, map[string]string{}
	if path == "" && f.config.Path != "" {
		path = f.config.Path
		if target == "" {
			target = f.config.Target
		}
		for k, v := range f.config.BuildArgs {
			args[k] = v
		}
	}
	if path == "" {
		if f.target != "" || len(f.buildArgs) > 0 {
			return nil, usageError(errors.New("--target and --build-arg describe a Dockerfile: give it with --dockerfile"))
		}
		return nil, nil
	}
	for _, a := range f.buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usageError(fmt.Errorf("--build-arg %q: expected NAME=value", a))
		}
		args[k] = v
	}
	src, err := readDockerfile(path)
	if err != nil {
		return nil, usageError(err)
	}
	df, err := dockerfile.Parse(path, src, dockerfile.Options{Target: target, BuildArgs: args})
	if err != nil {
		return nil, usageError(fmt.Errorf("--dockerfile: %w", err))
	}
	return df, nil
}

// readDockerfile reads a Dockerfile, refusing what is not a regular file
// or is larger than a Dockerfile can be.
func readDockerfile(path string) ([]byte, error) {
	src, err := inputfile.ReadFile(path, dockerfile.MaxSize)
	var tl *inputfile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, fmt.Errorf("--dockerfile %s: larger than %d bytes: not a Dockerfile", path, dockerfile.MaxSize)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("--dockerfile %s: no such file", path)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--dockerfile %s: %w", path, err)
	}
	return src, nil
}
