package source

import (
	"context"
	"os"
)

// openDocker reads an image from the Docker Engine: inspect, then stream
// `docker save` once into a temporary file and read that as a docker archive.
func openDocker(ctx context.Context, name string, opts Options) (*Image, error) {
	e, err := dockerEngine(ctx)
	if err != nil {
		return nil, err
	}
	img, err := openFromEngine(ctx, e, []string{name}, opts)
	if err != nil {
		return nil, err
	}
	img.Source = Docker
	return img, nil
}

// openFromEngine inspects the first of names the engine has, saves it and
// opens the saved archive. The temporary file is removed by Image.Close, or
// at once when opening fails.
func openFromEngine(ctx context.Context, e *engine, names []string, opts Options) (*Image, error) {
	info, name, err := e.find(ctx, names, opts)
	if err != nil {
		return nil, err
	}
	tmp, err := e.save(ctx, name, info.Size, opts)
	if err != nil {
		return nil, err
	}
	img, err := openArchive(ctx, tmp, archivePick{index: -1, id: info.ID, name: name}, DockerArchive, opts)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	img.closers = append([]func() error{func() error { return removeIfExists(tmp) }}, img.closers...)
	img.Name = name
	if info.ID != "" {
		img.Digest = info.ID
	}
	return img, nil
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// find inspects the first of names the engine has and checks its platform.
func (e *engine) find(ctx context.Context, names []string, opts Options) (*engineImage, string, error) {
	var (
		info *engineImage
		name string
		err  error
	)
	for _, name = range names {
		info, err = e.inspect(ctx, name)
		if err == nil {
			break
		}
		if !isNotFound(err) {
			return nil, "", err
		}
	}
	if err != nil {
		return nil, "", notFoundf("image %s not found in the %s", names[0], e.what)
	}
	if err := checkEnginePlatform(info, name, "the "+e.what, opts); err != nil {
		return nil, "", err
	}
	return info, name, nil
}

// checkEnginePlatform fails when opts asks for a platform the inspected image is
// not; where names the daemon in the message.
func checkEnginePlatform(info *engineImage, name, where string, opts Options) error {
	if opts.Platform == "" || info.Os == "" || info.Architecture == "" {
		return nil
	}
	want, err := parsePlatform(opts.Platform)
	if err != nil {
		return err
	}
	have := platform{OS: info.Os, Arch: info.Architecture, Variant: info.Variant}
	if !want.matches(have) {
		return platformf("image %s in %s is %s, not the requested platform %s", name, where, have, want)
	}
	return nil
}
