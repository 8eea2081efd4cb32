package analyzer_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/stratascan/strata/"

// deps lists the packages pkgs depend on, directly or not.
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	statSources(t)
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestDependencies keeps each room to its contract: the analyzer is a pure
// library (nothing from the terminal UI or CLI toolkits), the comparison
// computes and leaves every writer to report, the UI renders with the
// terminal-text helpers and never with a report writer, the package
// inventory stands on the tree alone, and termtext and bug are leaves.
func TestDependencies(t *testing.T) {
	for _, c := range []struct {
		pkgs    []string
		banned  []string
		allowed []string
	}{
		{
			pkgs:   []string{module + "analyzer/..."},
			banned: []string{"github.com/charmbracelet/", "github.com/spf13/cobra", "github.com/spf13/pflag", module + "ui", module + "cmd"},
		},
		{
			pkgs:    []string{module + "analyzer/compare"},
			banned:  []string{module + "analyzer/report", module + "analyzer/policy"},
			allowed: []string{module + "analyzer/report/termtext"},
		},
		{
			pkgs:    []string{module + "ui/..."},
			banned:  []string{module + "analyzer/report"},
			allowed: []string{module + "analyzer/report/termtext"},
		},
		{
			pkgs:    []string{module + "analyzer/installed"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/installed", module + "analyzer/tree", module + "analyzer/walk", module + "analyzer/bug"},
		},
		{
			pkgs:    []string{module + "analyzer/bug"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/bug"},
		},
		{
			pkgs:    []string{module + "analyzer/report/termtext"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/report/termtext"},
		},
	} {
		for _, dep := range deps(t, c.pkgs...) {
			for _, b := range c.banned {
				if (dep == strings.TrimSuffix(b, "/") || strings.HasPrefix(dep, b)) && !isAllowed(dep, c.allowed) {
					t.Errorf("%s depends on %s", strings.Join(c.pkgs, " "), dep)
				}
			}
		}
	}
}

func isAllowed(dep string, allowed []string) bool {
	for _, a := range allowed {
		if dep == a {
			return true
		}
	}
	return false
}

// statSources stats every Go file and go.mod of the module, so that the test
// cache, which does not see what `go list` reads, reruns the test when an
// import changes.
func statSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") || d.Name() == "go.mod" {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOnlyExtractionWritesFiles keeps the analyzer from writing: nothing it
// reads is modified, and the only files it creates are those the user asked
// to extract (analyzer/extraction*.go) and the spool files of the daemon
// sources, which their Image's Close removes.
func TestOnlyExtractionWritesFiles(t *testing.T) {
	writes := map[string]bool{
		"Create": true, "OpenFile": true, "WriteFile": true, "Mkdir": true, "MkdirAll": true,
		"Symlink": true, "Link": true, "Chmod": true, "Chown": true, "Lchown": true, "Chtimes": true,
		"Rename": true, "Truncate": true, "OpenRoot": true, "CopyFS": true,
	}
	spools := map[string]bool{"CreateTemp": true, "MkdirTemp": true}
	var found int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		// os.OpenFile with none of the flags that write opens for reading.
		readOnly := map[*ast.SelectorExpr]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && len(call.Args) >= 2 {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && !writingFlags(call.Args[1]) {
					readOnly[sel] = true
				}
			}
			return true
		})
		extraction := filepath.Dir(path) == "." && strings.HasPrefix(filepath.Base(path), "extraction")
		spool := filepath.Dir(path) == "source"
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "os" {
				return true
			}
			name := sel.Sel.Name
			if name == "OpenFile" && readOnly[sel] {
				return true
			}
			switch {
			case writes[name] && extraction, spools[name] && spool:
				found++
			case writes[name] || spools[name]:
				t.Errorf("%s calls os.%s: only the extraction code (analyzer/extraction*.go) writes files", path, name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Error("found no file write at all: the test no longer sees the extraction code")
	}
}

// writingFlags reports whether an os.OpenFile flag expression names a flag
// that writes (O_WRONLY, O_RDWR, O_CREATE, O_APPEND, O_TRUNC), or is not
// made of named flags at all.
func writingFlags(e ast.Expr) bool {
	writing := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			switch n.Sel.Name {
			case "O_WRONLY", "O_RDWR", "O_CREATE", "O_APPEND", "O_TRUNC":
				writing = true
			}
			return false
		case *ast.BinaryExpr, *ast.ParenExpr:
			return true
		case *ast.Ident:
			writing = true // a variable: cannot tell
		case *ast.BasicLit:
			writing = true
		}
		return true
	})
	return writing
}
