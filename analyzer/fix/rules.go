package fix

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/shell"
)

// cleanup is a rule's same-RUN fix: a flag on the command that fills the
// cache, else a command at the end of the RUN.
type cleanup struct {
	// programs and subcommands name the commands that fill the cache.
	programs, subcommands []string
	// flag is added after the subcommand ("" for none); skip lists the
	// arguments that already do what it does.
	flag string
	skip []string
	// command runs at the end of the RUN ("" for none).
	command string
}

// cleanups are the mechanical fixes of the cache rules.
var cleanups = map[string]cleanup{
	"apt-lists":    {programs: []string{"apt-get", "apt"}, subcommands: []string{"install", "update", "upgrade", "dist-upgrade"}, command: "rm -rf /var/lib/apt/lists/*"},
	"apt-cache":    {programs: []string{"apt-get", "apt"}, subcommands: []string{"install", "upgrade", "dist-upgrade"}, command: "apt-get clean"},
	"apk-cache":    {programs: []string{"apk"}, subcommands: []string{"add", "upgrade"}, flag: "--no-cache", skip: []string{"--no-cache"}},
	"yum-cache":    {programs: []string{"yum"}, subcommands: []string{"install", "update", "upgrade", "groupinstall"}, command: "yum clean all && rm -rf /var/cache/yum"},
	"dnf-cache":    {programs: []string{"dnf", "microdnf"}, subcommands: []string{"install", "update", "upgrade"}, command: "dnf clean all"},
	"zypper-cache": {programs: []string{"zypper"}, subcommands: []string{"install", "in", "update", "up"}, command: "zypper clean -a"},
	"pacman-cache": {programs: []string{"pacman"}, subcommands: []string{"-S", "-Syu", "-Sy"}, command: "pacman -Scc --noconfirm"},
	"pip-cache":    {programs: []string{"pip", "pip3"}, subcommands: []string{"install"}, flag: "--no-cache-dir", skip: []string{"--no-cache-dir"}},
	"uv-cache":     {programs: []string{"uv"}, subcommands: []string{"pip", "sync", "add"}, flag: "--no-cache", skip: []string{"--no-cache", "-n"}},
	"poetry-cache": {programs: []string{"poetry", "pipenv"}, subcommands: []string{"install", "sync"}, command: "rm -rf /root/.cache/pypoetry /root/.cache/pipenv"},
	"npm-cache":    {programs: []string{"npm"}, subcommands: []string{"ci", "install", "i"}, command: "npm cache clean --force"},
	"yarn-cache":   {programs: []string{"yarn"}, subcommands: []string{"install", ""}, command: "yarn cache clean"},
	"pnpm-store":   {programs: []string{"pnpm"}, subcommands: []string{"install", "i"}, command: "pnpm store prune"},
	"composer-cache": {programs: []string{"composer"}, subcommands: []string{"install", "require", "update"}, flag: "--no-cache",
		skip: []string{"--no-cache"}},
	"conda-pkgs": {programs: []string{"conda", "mamba", "micromamba"}, subcommands: []string{"install", "create", "update"}, command: "conda clean --all -y"},
	"gem-cache":  {programs: []string{"gem"}, subcommands: []string{"install"}, flag: "--no-document", skip: []string{"--no-document", "-N"}},
}

// fix applies the fix of one finding, or lists its advice.
func (fx *fixer) fix(f findings.Finding) {
	if fx.done[ref(f)] {
		return
	}
	if f.Dockerfile == nil {
		fx.advise(f, "no line of the Dockerfile made it")
		return
	}
	switch f.Rule {
	case "update-alone":
		fx.updateAlone(f)
		return
	case "deleted-later":
		fx.deletedLater(f)
		return
	case "metadata-only-readd":
		fx.copyChown(f)
		return
	case "shell-form-cmd":
		fx.execForm(f)
		return
	case "root-user":
		if fx.opts.Security {
			fx.user(f)
		} else {
			fx.advise(f, "adding a USER can change what the image may do: run `strata fix --fix security` to patch it")
		}
		return
	}
	if c, ok := cleanups[f.Rule]; ok && !fx.deletedByLaterRm(f) {
		fx.cleanup(f, c)
		return
	}
	if byteRule(f) && fx.deletedByLaterRm(f) {
		// Files a later RUN deletes: delete them where they are made.
		fx.deletedLater(f)
		return
	}
	fx.advise(f, adviceWhy(f.Rule))
}

// byteRule reports whether a finding is about stored bytes.
func byteRule(f findings.Finding) bool {
	switch f.Category {
	case findings.Waste, findings.Cache, findings.Leftover:
		return true
	}
	return false
}

// deletedByLaterRm reports whether the finding's files are deleted by a
// plain rm in a later RUN, so that the fix is to move that rm.
func (fx *fixer) deletedByLaterRm(f findings.Finding) bool {
	if f.Layer < 0 {
		return false
	}
	by := fx.deletingLayer(f)
	if by < 0 {
		return false
	}
	later, _ := fx.instructionOf(by)
	if later == nil {
		return false
	}
	s := fx.script(later)
	if s == nil {
		return false
	}
	for _, c := range s.calls() {
		if c.Program() == "rm" && c.Depth == 0 && deletesAny(c, f.Paths, fx.workdir(later)) {
			return true
		}
	}
	return false
}

// adviceWhy says why a rule's findings are not patched.
func adviceWhy(rule string) string {
	switch rule {
	case "consecutive-runs":
		return "merging RUNs is a choice about the layer cache, not a mechanical fix"
	case "no-healthcheck":
		return "the check depends on what the application answers"
	case "build-toolchain", "go-build-cache", "go-mod-cache", "cargo-registry", "maven-repo", "gradle-cache", "nuget-cache", "full-base-image":
		return "it needs a multi-stage build (build in one stage, COPY only the result)"
	case "tmp-files", "user-cache", "logs":
		return "deleting them at the end of the RUN is safe only if no later step reads them"
	case "latest-tag", "too-many-layers":
		return "it is about how the image is named or built, not a line"
	}
	if strings.Contains(rule, "secret") || strings.Contains(rule, "key") || strings.Contains(rule, "token") || strings.Contains(rule, "password") || strings.Contains(rule, "credential") {
		return "a secret must move to a build secret (RUN --mount=type=secret) and be rotated"
	}
	return "it needs a decision a patch cannot make"
}

// instructionOf returns the exactly mapped instruction that made a layer.
func (fx *fixer) instructionOf(layer int) (*dockerfile.Instruction, string) {
	s := fx.in.Mapping.Layer(layer)
	switch {
	case s == nil || s.Instruction == nil:
		return nil, "the layer maps to no instruction"
	case s.Confidence == dockerfile.Base:
		return nil, "it is in the base image: choose a smaller base, or rebuild it"
	case s.Confidence != dockerfile.Exact:
		return nil, "the layer's instruction is not certain (" + s.Reason + ")"
	}
	return s.Instruction, ""
}

// cleanup fixes a cache finding in the RUN that made it: a flag where the
// cache is filled, else a cleanup at the end of the RUN.
func (fx *fixer) cleanup(f findings.Finding, c cleanup) {
	in, why := fx.instructionOf(f.Layer)
	if in == nil {
		fx.advise(f, why)
		return
	}
	s := fx.script(in)
	if s == nil {
		fx.advise(f, "the instruction is not a RUN in shell form")
		return
	}
	var es []edit
	var what []string
	var appended string
	filled := false
	for _, call := range s.calls() {
		if !matches(call, c) {
			continue
		}
		filled = true
		if c.flag != "" && !call.Has(c.skip...) {
			at := fx.flagAt(s, call, c)
			if at < 0 {
				continue
			}
			es = append(es, edit{start: at, end: at, text: " " + c.flag})
			what = append(what, fmt.Sprintf("add %s to `%s`", c.flag, clip(strings.Join(call.Args, " "), 40)))
		}
		if f.Rule == "apt-lists" || f.Rule == "apt-cache" {
			if e, ok := fx.noRecommends(s, call); ok {
				es = append(es, e)
				what = append(what, "add --no-install-recommends to `apt-get install`")
			}
		}
	}
	if !filled {
		fx.advise(f, "the RUN that made it has no command that fills this cache")
		return
	}
	if c.command != "" && !hasCommand(s, c.command) && !fx.appended[s][c.command] {
		e, ok := s.appendCommand(c.command)
		if !ok {
			fx.advise(f, "the RUN's script ends in a way that cannot be extended safely")
			return
		}
		es = append(es, e)
		what = append(what, "end the RUN with `"+c.command+"`")
		appended = c.command
	}
	// A later `rm` of the same cache is moved here: drop it.
	fs := []findings.Finding{f}
	if len(es) == 0 {
		if fx.appended[s][c.command] {
			// Another fix already ends this RUN with the cleanup.
			fx.attach(s, f)
			return
		}
		fx.advise(f, "the RUN already has the fix; the cache comes from elsewhere")
		return
	}
	if !fx.add(es...) {
		fx.advise(f, "another fix changes the same command")
		return
	}
	fx.removeLaterCleanup(f, in, c)
	fx.record(es[0].start, strings.Join(what, "; "), fs...)
	if appended != "" {
		fx.markAppended(s, appended)
	}
}

// matches reports whether a call fills the cache.
func matches(call shell.Call, c cleanup) bool {
	p, sub := call.Program(), call.Subcommand()
	if p == "python" || p == "python3" {
		// python -m pip install …
		if len(call.Args) > 3 && call.Args[1] == "-m" && (call.Args[2] == "pip" || call.Args[2] == "pip3") {
			p, sub = "pip", subAfter(call.Args, 3)
		}
	}
	for _, want := range c.programs {
		if p != want {
			continue
		}
		for _, s := range c.subcommands {
			if sub == s || s != "" && strings.HasPrefix(s, "-") && call.Has(s) {
				return true
			}
		}
	}
	return false
}

// subAfter returns the first non-option argument from index i.
func subAfter(args []string, i int) string {
	for _, a := range args[min(i, len(args)):] {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// flagAt returns the file offset after the call's subcommand, where a flag
// goes, or -1.
func (fx *fixer) flagAt(s *runScript, call shell.Call, c cleanup) int {
	if call.Nested || len(call.ArgSpans) != len(call.Args) {
		return -1
	}
	for i, a := range call.Args {
		if i == 0 {
			continue
		}
		for _, sub := range c.subcommands {
			if a == sub && sub != "" {
				return s.file(call.ArgSpans[i].End)
			}
		}
	}
	return -1
}

// noRecommends adds --no-install-recommends to an apt-get install.
func (fx *fixer) noRecommends(s *runScript, call shell.Call) (edit, bool) {
	if call.Subcommand() != "install" || call.Has("--no-install-recommends") || call.Nested {
		return edit{}, false
	}
	for _, a := range call.Args {
		if strings.Contains(a, "Install-Recommends") {
			return edit{}, false
		}
	}
	at := fx.flagAt(s, call, cleanup{subcommands: []string{"install"}})
	if at < 0 {
		return edit{}, false
	}
	return edit{start: at, end: at, text: " --no-install-recommends"}, true
}

// hasCommand reports whether the script already runs a command.
func hasCommand(s *runScript, cmd string) bool {
	want := strings.Fields(cmd)
	for _, c := range s.script.Calls {
		if strings.Join(c.Args, " ") == strings.Join(want, " ") {
			return true
		}
	}
	return false
}

// removeLaterCleanup drops, from the RUNs after in, an `rm` that only
// deletes what the moved cleanup now deletes.
func (fx *fixer) removeLaterCleanup(f findings.Finding, in *dockerfile.Instruction, c cleanup) {
	if !strings.HasPrefix(c.command, "rm ") {
		return
	}
	roots := strings.Fields(c.command)[2:]
	st := fx.in.File.Stages[in.Stage]
	after := false
	for _, later := range st.Instructions {
		if later == in {
			after = true
			continue
		}
		if !after || later.Keyword != "RUN" {
			continue
		}
		s := fx.script(later)
		if s == nil {
			continue
		}
		for _, call := range s.calls() {
			if call.Program() != "rm" || !within(call.Args[1:], roots) {
				continue
			}
			fx.removeCallEdits(s, call)
		}
	}
}

// within reports whether every path argument is one of roots.
func within(args, roots []string) bool {
	n := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		n++
		ok := false
		for _, r := range roots {
			if a == r || strings.TrimSuffix(a, "/") == strings.TrimSuffix(r, "/*") || strings.TrimSuffix(a, "/*") == strings.TrimSuffix(r, "/*") {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return n > 0
}

// removeCallEdits removes a call (or its whole RUN) and reports success.
func (fx *fixer) removeCallEdits(s *runScript, call shell.Call) bool {
	es, whole, ok := s.removeCall(call)
	if !ok {
		return false
	}
	if whole {
		es = []edit{fx.removeInstruction(s.in)}
	}
	return fx.add(es...)
}

// removeInstruction returns the edit that deletes an instruction's lines.
func (fx *fixer) removeInstruction(in *dockerfile.Instruction) edit {
	return edit{start: lineStart(fx.src, in.Line), end: lineEnd(fx.src, in.EndLine)}
}

// updateAlone merges a RUN that only updates the package index into the
// RUN that installs next, which then also cleans the lists.
func (fx *fixer) updateAlone(f findings.Finding) {
	in, why := fx.instructionOf(f.Layer)
	if in == nil {
		fx.advise(f, why)
		return
	}
	s := fx.script(in)
	if s == nil {
		fx.advise(f, "the instruction is not a RUN in shell form")
		return
	}
	var update *shell.Call
	for _, c := range s.calls() {
		if (c.Program() == "apt-get" || c.Program() == "apt" || c.Program() == "apk") && c.Subcommand() == "update" && c.Depth == 0 {
			c := c
			update = &c
		}
	}
	if update == nil {
		fx.advise(f, "the update is inside a compound command")
		return
	}
	// The next RUN of the stage that installs.
	var next *dockerfile.Instruction
	var ns *runScript
	st := fx.in.File.Stages[in.Stage]
	for i, x := range st.Instructions {
		if x != in {
			continue
		}
		for _, y := range st.Instructions[i+1:] {
			if y.Keyword != "RUN" {
				continue
			}
			if ys := fx.script(y); ys != nil && installs(ys, update.Program()) {
				next, ns = y, ys
			}
			break
		}
	}
	if next == nil {
		fx.advise(f, "no RUN right after it installs packages: add the install to this RUN, or drop the update")
		return
	}
	text := s.script.Source[update.Start:update.End]
	es, whole, ok := s.removeCall(*update)
	if !ok {
		fx.advise(f, "the update cannot be taken out of its RUN safely")
		return
	}
	if whole {
		es = []edit{fx.removeInstruction(in)}
	}
	p, ok := ns.prepend(text)
	if !ok {
		fx.advise(f, "the installing RUN cannot be extended safely")
		return
	}
	es = append(es, p)
	for _, c := range ns.calls() {
		if c.Program() == "apt-get" || c.Program() == "apt" {
			if e, ok := fx.noRecommends(ns, c); ok {
				es = append(es, e)
			}
		}
	}
	if !fx.add(es...) {
		fx.advise(f, "another fix changes the same lines")
		return
	}
	fs := []findings.Finding{f}
	// The lists the update stored are gone once the install RUN cleans.
	for _, g := range fx.in.Findings {
		if g.Layer == f.Layer && (g.Rule == "apt-lists" || g.Rule == "apk-cache") {
			fs = append(fs, g)
			fx.done[ref(g)] = true
			fx.appendOnce(ns, cleanups[g.Rule].command)
		}
	}
	fx.record(p.start, fmt.Sprintf("run `%s` in the RUN at line %d that installs, and drop it from line %d", text, next.Line, in.Line), fs...)
}

// installs reports whether a script installs packages with the manager.
func installs(s *runScript, manager string) bool {
	for _, c := range s.calls() {
		p := c.Program()
		if (p == manager || manager != "apk" && (p == "apt-get" || p == "apt")) && (c.Subcommand() == "install" || c.Subcommand() == "add" || c.Subcommand() == "upgrade") {
			return true
		}
	}
	return false
}

// deletedLater moves the deletion of files into the RUN that created them.
func (fx *fixer) deletedLater(f findings.Finding) {
	in, why := fx.instructionOf(f.Layer)
	if in == nil {
		fx.advise(f, why)
		return
	}
	by := fx.deletingLayer(f)
	if by < 0 {
		fx.advise(f, "the layer that deletes the files is not known")
		return
	}
	later, why := fx.instructionOf(by)
	if later == nil {
		fx.advise(f, "the deleting layer: "+why)
		return
	}
	ls := fx.script(later)
	if ls == nil {
		fx.advise(f, "the files are deleted by an instruction that is not a RUN in shell form")
		return
	}
	// The rm calls of the later RUN that delete the finding's paths.
	var rms []shell.Call
	for _, c := range ls.calls() {
		if c.Program() == "rm" && c.Depth == 0 && deletesAny(c, f.Paths, fx.workdir(later)) {
			rms = append(rms, c)
		}
	}
	if len(rms) == 0 {
		fx.advise(f, fmt.Sprintf("the RUN at line %d deletes them without a plain `rm`", later.Line))
		return
	}
	if in.Keyword != "RUN" {
		fx.advise(f, fmt.Sprintf("they are added by %s at line %d and deleted at line %d: do not add them (or use RUN --mount=type=bind to read them without storing them)",
			in.Keyword, in.Line, later.Line))
		return
	}
	s := fx.script(in)
	if s == nil || fx.workdir(in) != fx.workdir(later) {
		fx.advise(f, "the creating RUN is not a shell script in the same directory")
		return
	}
	var es []edit
	for _, rm := range rms {
		text := ls.script.Source[rm.Start:rm.End]
		e, ok := s.appendCommand(text)
		if !ok {
			fx.advise(f, "the creating RUN cannot be extended safely")
			return
		}
		es = append(es, e)
		rem, whole, ok := ls.removeCall(rm)
		if !ok {
			fx.advise(f, "the `rm` cannot be taken out of its RUN safely")
			return
		}
		if whole {
			rem = []edit{fx.removeInstruction(later)}
		}
		es = append(es, rem...)
	}
	if !fx.add(es...) {
		fx.advise(f, "another fix changes the same lines")
		return
	}
	fx.record(es[0].start, fmt.Sprintf("delete the files in the RUN at line %d that creates them, not at line %d", in.Line, later.Line), f)
}

// deletingLayer returns the layer that deleted the largest of a finding's
// paths, or -1.
func (fx *fixer) deletingLayer(f findings.Finding) int {
	t := fx.in.Tree
	if t == nil {
		return -1
	}
	for _, p := range f.Paths {
		n, ok := t.Lookup(p)
		if !ok {
			continue
		}
		for _, e := range t.History(n) {
			if int(e.Layer) == f.Layer && e.HiddenBy >= 0 {
				return int(e.HiddenBy)
			}
		}
	}
	return -1
}

// workdir returns the WORKDIR in force at an instruction.
func (fx *fixer) workdir(in *dockerfile.Instruction) string {
	wd := "/"
	for _, x := range fx.in.File.Stages[in.Stage].Instructions {
		if x == in {
			break
		}
		if x.Keyword == "WORKDIR" && len(x.Expanded) > 0 {
			wd = path.Join(wd, x.Expanded[0])
		}
	}
	return wd
}

// deletesAny reports whether an rm call names one of the paths (or a
// directory above one), relative paths read from wd.
func deletesAny(c shell.Call, paths []string, wd string) bool {
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "-") || strings.ContainsAny(a, "$`") {
			continue
		}
		if !path.IsAbs(a) {
			a = path.Join(wd, a)
		}
		a = strings.TrimSuffix(a, "/*")
		for _, p := range paths {
			if ok, _ := path.Match(a, p); ok || p == a || strings.HasPrefix(p, strings.TrimSuffix(a, "/")+"/") {
				return true
			}
		}
	}
	return false
}

// copyChown replaces a RUN chown -R / chmod -R of a tree just copied with
// COPY --chown / --chmod.
func (fx *fixer) copyChown(f findings.Finding) {
	in, why := fx.instructionOf(f.Layer)
	if in == nil {
		fx.advise(f, why)
		return
	}
	s := fx.script(in)
	if s == nil {
		fx.advise(f, "the instruction is not a RUN in shell form")
		return
	}
	st := fx.in.File.Stages[in.Stage]
	for _, c := range s.calls() {
		p := c.Program()
		if (p != "chown" && p != "chmod") || c.Depth != 0 || len(c.Args) != 4 || !recursive(c.Args[1]) {
			continue
		}
		owner, target := c.Args[2], c.Args[3]
		if strings.ContainsAny(owner+target, "$`*") {
			continue
		}
		cp := fx.copyTo(st, in, target)
		if cp == nil {
			continue
		}
		flag := "--chown=" + owner
		if p == "chmod" {
			flag = "--chmod=" + owner
		}
		for _, fl := range cp.Flags {
			if strings.HasPrefix(fl, flag[:8]) {
				flag = ""
			}
		}
		if flag == "" {
			continue
		}
		at := lineStart(fx.src, cp.Line) + strings.Index(strings.ToUpper(string(fx.src[lineStart(fx.src, cp.Line):lineEnd(fx.src, cp.Line)])), cp.Keyword) + len(cp.Keyword)
		es := []edit{{start: at, end: at, text: " " + flag}}
		_, whole, ok := s.removeCall(c)
		if !ok {
			continue
		}
		if !whole {
			fx.advise(f, fmt.Sprintf("the RUN at line %d does more than `%s`: move the %s to the COPY by hand", in.Line, strings.Join(c.Args, " "), p))
			return
		}
		es = append(es, fx.removeInstruction(in))
		if !fx.add(es...) {
			fx.advise(f, "another fix changes the same lines")
			return
		}
		note := ""
		if p == "chmod" {
			note = " (COPY --chmod needs BuildKit)"
		}
		fx.recordLayer(at, fmt.Sprintf("%s on the %s at line %d instead of `%s` at line %d%s", flag, cp.Keyword, cp.Line, strings.Join(c.Args, " "), in.Line, note), f.Layer, f)
		return
	}
	fx.advise(f, "no `chown -R`/`chmod -R` of a tree the stage just copied")
}

// recursive reports whether an option word holds -R.
func recursive(opt string) bool {
	return opt == "--recursive" || strings.HasPrefix(opt, "-") && !strings.HasPrefix(opt, "--") && strings.Contains(opt, "R")
}

// copyTo returns the last COPY or ADD before in whose destination is the
// target (relative paths read from the WORKDIR).
func (fx *fixer) copyTo(st *dockerfile.Stage, in *dockerfile.Instruction, target string) *dockerfile.Instruction {
	var found *dockerfile.Instruction
	abs := func(x *dockerfile.Instruction, p string) string {
		if !path.IsAbs(p) {
			p = path.Join(fx.workdir(x), p)
		}
		return path.Clean(p)
	}
	want := abs(in, target)
	for _, x := range st.Instructions {
		if x == in {
			break
		}
		if (x.Keyword == "COPY" || x.Keyword == "ADD") && len(x.Expanded) > 1 && abs(x, x.Expanded[len(x.Expanded)-1]) == want {
			found = x
		}
	}
	return found
}

// execForm rewrites a shell-form CMD or ENTRYPOINT as exec form when it is
// one plain command.
func (fx *fixer) execForm(f findings.Finding) {
	var in *dockerfile.Instruction
	for _, x := range fx.in.File.Final().Instructions {
		if x.Line == f.Dockerfile.Line && (x.Keyword == "CMD" || x.Keyword == "ENTRYPOINT") {
			in = x
		}
	}
	if in == nil || in.JSON || len(in.Args) != 1 {
		fx.advise(f, "the CMD or ENTRYPOINT is not a shell-form instruction of the final stage")
		return
	}
	sc, err := shell.Parse(in.Args[0])
	if err != nil || len(sc.File.Stmts) != 1 || len(sc.Calls) != 1 {
		fx.advise(f, "the command uses the shell (several commands, pipes or redirections): write it as exec form by hand, or start it with `exec`")
		return
	}
	if !plainCall(sc) {
		fx.advise(f, "the command expands variables or uses the shell: write it as exec form by hand, or start it with `exec`")
		return
	}
	b, _ := json.Marshal(sc.Calls[0].Args)
	form := strings.ReplaceAll(string(b), `","`, `", "`)
	start := lineStart(fx.src, in.Line)
	line := string(fx.src[start:lineEnd(fx.src, in.EndLine)])
	k := strings.Index(strings.ToUpper(line), in.Keyword) + len(in.Keyword)
	end := start + len(strings.TrimRight(line, "\r\n"))
	at := start + k
	if !fx.add(edit{start: at, end: end, text: " " + form}) {
		fx.advise(f, "another fix changes the same lines")
		return
	}
	fx.record(at, fmt.Sprintf("%s in exec form, so that the program gets the signals", in.Keyword), f)
}

// user sets an unprivileged USER for the final stage.
func (fx *fixer) user(f findings.Finding) {
	final := fx.in.File.Final()
	var last *dockerfile.Instruction
	for _, x := range final.Instructions {
		if x.Keyword == "USER" {
			last = x
		}
	}
	const user = "USER 10001:10001"
	if last != nil {
		start := lineStart(fx.src, last.Line)
		end := start + len(strings.TrimRight(string(fx.src[start:lineEnd(fx.src, last.EndLine)]), "\r\n"))
		if fx.add(edit{start: start, end: end, text: user}) {
			fx.record(start, "run as an unprivileged user (UID 10001) instead of root", f)
		}
		return
	}
	// After the last instruction that builds the filesystem.
	after := final.From
	for _, x := range final.Instructions {
		switch x.Keyword {
		case "RUN", "COPY", "ADD", "WORKDIR":
			after = x
		}
	}
	at := lineEnd(fx.src, after.EndLine)
	text := user + "\n"
	if at == len(fx.src) && !strings.HasSuffix(string(fx.src), "\n") {
		text = "\n" + user
	}
	if fx.add(edit{start: at, end: at, text: text}) {
		fx.record(at, "run as an unprivileged user (UID 10001) instead of root", f)
	}
}

// plainCall reports whether a one-command script has only literal words
// and no redirections or assignments.
func plainCall(sc *shell.Script) bool {
	st := sc.File.Stmts[0]
	if len(st.Redirs) > 0 || st.Negated || st.Background {
		return false
	}
	for _, a := range sc.Calls[0].Args {
		if strings.ContainsAny(a, "$`*?[~{") {
			return false
		}
	}
	return callIsLiteral(st)
}

// callIsLiteral reports whether a statement is a call of literal words.
func callIsLiteral(st *syntax.Stmt) bool {
	ce, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(ce.Assigns) > 0 {
		return false
	}
	for _, w := range ce.Args {
		for _, p := range w.Parts {
			switch x := p.(type) {
			case *syntax.Lit, *syntax.SglQuoted:
			case *syntax.DblQuoted:
				for _, q := range x.Parts {
					if _, ok := q.(*syntax.Lit); !ok {
						return false
					}
				}
			default:
				return false
			}
		}
	}
	return true
}

// clip shortens s to n bytes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
