package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer/report"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// versionInfo is what strata says of its build.
type versionInfo struct {
	version, commit, date string
}

// buildVersion returns the version set at link time, else what the Go
// toolchain recorded: the module version (go install …@v1.2.3) and the VCS
// revision and time of a build from a checkout.
func buildVersion() versionInfo {
	info, ok := debug.ReadBuildInfo()
	return versionFrom(versionInfo{version, commit, date}, info, ok)
}

func versionFrom(v versionInfo, info *debug.BuildInfo, ok bool) versionInfo {
	if !ok || info == nil {
		return v
	}
	if v.version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v.version = info.Main.Version
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if v.commit == "none" {
				v.commit = s.Value
			}
		case "vcs.time":
			if v.date == "unknown" {
				v.date = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && v.commit != "none" && v.commit == settingOf(info, "vcs.revision") {
		v.commit += " (modified)"
	}
	return v
}

func settingOf(info *debug.BuildInfo, key string) string {
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// short is the first line of strata version and all of strata --version.
func (v versionInfo) short() string { return "strata " + v.version }

func (v versionInfo) String() string {
	return fmt.Sprintf("%s\ncommit: %s\nbuilt:  %s\ngo:     %s %s/%s\n",
		v.short(), v.commit, v.date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := io.WriteString(stdout, buildVersion().String())
			return err
		},
	}
}

// tool names strata and its version in the reports.
func tool() report.Tool { return report.Tool{Name: "strata", Version: buildVersion().version} }
