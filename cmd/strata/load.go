package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/source"
)

// loadFlags are the flags every command that opens an image shares.
type loadFlags struct {
	source     string
	platform   string
	insecure   []string
	caFile     string
	verify     bool
	baseLayers int
	tempDir    string
	quiet      bool
	// config, when set, is applied to the analysis (see configOptions).
	config     *policy.Config
	dockerfile dockerfileFlags

	containerdAddress   string
	containerdNamespace string
}

func (f *loadFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.source, "source", "", "force the image source: docker, podman, containerd, docker-archive, oci, oci-archive or registry")
	fl.StringVar(&f.platform, "platform", "", "pick one image of a multi-platform index (os/arch[/variant]; default: this host's)")
	fl.StringSliceVar(&f.insecure, "insecure-registry", nil, "reach this registry host over plain HTTP or unverified TLS (repeatable; only the hosts named)")
	fl.StringVar(&f.caFile, "ca-file", "", "also trust the certificate authorities in this PEM file for registries")
	fl.BoolVar(&f.verify, "verify", false, "check every layer's content against its diffID (costs a SHA-256 pass)")
	fl.IntVar(&f.baseLayers, "base-layers", 1, "how many leading layers belong to the base image")
	fl.StringVar(&f.tempDir, "tmp-dir", "", "where the browser spools a daemon's image and podman keeps its temporary files (default: the system temp dir)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print no progress")
	completeValues(c, "platform", commonPlatforms)
	f.dockerfile.register(c)
	fl.StringVar(&f.containerdAddress, "containerd-address", "", "containerd's socket (default: $CONTAINERD_ADDRESS, else /run/containerd/containerd.sock, else the rootless one)")
	fl.StringVar(&f.containerdNamespace, "containerd-namespace", "", "containerd namespace to read images from (default: $CONTAINERD_NAMESPACE, else default; k8s.io on Kubernetes nodes, moby for Docker's containerd store)")
	c.RegisterFlagCompletionFunc("source", cobra.FixedCompletions(sourceList, cobra.ShellCompDirectiveNoFileComp))
	c.RegisterFlagCompletionFunc("containerd-namespace", cobra.FixedCompletions(
		[]string{"default", "k8s.io", "moby", "buildkit"}, cobra.ShellCompDirectiveNoFileComp))
}

// commonPlatforms are the platforms offered to complete --platform.
var commonPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6",
	"linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64", "windows/amd64", "windows/arm64"}

// sourceList is what --source accepts, for completion.
var sourceList = []string{"docker", "podman", "containerd", "docker-archive", "oci", "oci-archive", "registry"}

var (
	sourceNames = map[string]source.Kind{
		"docker": source.Docker, "docker-daemon": source.Docker, "podman": source.Podman, "containerd": source.Containerd,
		"docker-archive": source.DockerArchive, "docker-tar": source.DockerArchive,
		"oci": source.OCI, "oci-archive": source.OCIArchive, "registry": source.Registry,
	}
)

// options validates the flags and turns them into source options.
func (f *loadFlags) options(stderr io.Writer) (source.Options, error) {
	o := source.Options{Platform: f.platform, InsecureRegistries: f.insecure, CAFile: f.caFile, TempDir: f.tempDir,
		ContainerdAddress: f.containerdAddress, ContainerdNamespace: f.containerdNamespace}
	if f.source != "" {
		k, ok := sourceNames[f.source]
		if !ok {
			return o, usageError(fmt.Errorf("--source %q: unknown source (use docker, podman, containerd, docker-archive, oci, oci-archive or registry)", f.source))
		}
		o.Source = k
	}
	if f.platform != "" {
		p, err := source.ParsePlatform(f.platform)
		if err != nil {
			return o, usageError(fmt.Errorf("--platform: %w", err))
		}
		o.Platform = p
	}
	if f.baseLayers < 0 {
		return o, usageError(fmt.Errorf("--base-layers %d: must be 0 or more", f.baseLayers))
	}
	if !f.quiet {
		o.Notify = func(msg string) { fmt.Fprintf(stderr, "strata: %s\n", msg) }
	}
	return o, nil
}

// load opens and analyses an image with the options of the flags and extra,
// reporting progress on stderr. Any failure is an input error (exit code 2)
// whose message names the image.
func load(ctx context.Context, ref string, f *loadFlags, stderr io.Writer, extra ...analyzer.Option) (*analyzer.Analysis, error) {
	opts, err := f.options(stderr)
	if err != nil {
		return nil, err
	}
	if f.config != nil && f.dockerfile.config.Path == "" {
		f.dockerfile.config = f.config.Dockerfile
	}
	df, err := f.dockerfile.parse()
	if err != nil {
		return nil, err
	}
	var prog *progress
	aopts := append([]analyzer.Option{analyzer.WithBaseLayers(f.baseLayers), analyzer.WithVerify(f.verify), analyzer.WithDockerfile(df)}, extra...)
	if !f.quiet {
		prog = newProgress(stderr, ref)
		aopts = append(aopts, analyzer.WithProgress(prog.update))
	}
	aopts = append(aopts, configOptions(f.config)...)
	a, img, err := openAnalyze(ctx, ref, opts, false, aopts...)
	if prog != nil {
		prog.finish(a, err)
	}
	if err != nil {
		return nil, inputError(ref, err)
	}
	if err := img.Close(); err != nil {
		return nil, fmt.Errorf("%s: removing temporary files: %w", ref, err)
	}
	return a, nil
}

// errNotStreamed says that an image is not read from a daemon's stream.
var errNotStreamed = errors.New("not a daemon image")

// openAnalyze opens and analyses an image. A daemon's image is analysed as
// its save stream arrives, written nowhere (or, with spool, also to a
// temporary file so that its layers can be read again); any other image is
// opened and read in place. The image must be closed.
func openAnalyze(ctx context.Context, ref string, opts source.Options, spool bool, aopts ...analyzer.Option) (*analyzer.Analysis, *source.Image, error) {
	open := func(onLayer source.LayerFunc, progress func(read, total int64)) (*source.Image, error) {
		o := opts
		o.SaveProgress = progress
		img, ok, err := source.OpenStream(ctx, ref, o, spool, onLayer)
		if !ok {
			return nil, errNotStreamed
		}
		return img, err
	}
	a, img, err := analyzer.AnalyzeStream(ctx, open, aopts...)
	if !errors.Is(err, errNotStreamed) {
		return a, img, err
	}
	img, err = source.Open(ctx, ref, opts)
	if err != nil {
		return nil, nil, err
	}
	a, err = analyzer.Analyze(ctx, img, aopts...)
	if err != nil {
		img.Close()
		return nil, nil, err
	}
	return a, img, nil
}

// inputError makes a load failure an exit-code-2 error that names the input.
func inputError(ref string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if strings.Contains(err.Error(), ref) {
		return usageError(err)
	}
	return usageError(fmt.Errorf("%s: %w", ref, err))
}
