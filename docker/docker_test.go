package docker

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// The checks below keep docker/Dockerfile and docker/README.md in step with
// go.mod and safe to run: the Go image matches go.mod's go directive, any
// GoMLX / GoNB / go-xla version the Dockerfile names is go.mod's, GoNB is
// built inside the module (so go.mod's version is used), the image runs as a
// non-root user, Jupyter keeps its token, and the documented `docker run`
// publishes on the loopback interface only and passes the GPU. No Docker is
// needed: they read the files. TestDockerChecksCatch shows that each check
// fails on a small bad example.

// goModInfo is what the checks need from go.mod.
type goModInfo struct {
	goVersion string            // the go directive, e.g. "1.26"
	requires  map[string]string // module path -> version, direct and indirect
}

// parseGoMod reads the go directive and the requirements of a go.mod file
// with golang.org/x/mod/modfile, the go command's own parser.
func parseGoMod(name, text string) (goModInfo, error) {
	info := goModInfo{requires: map[string]string{}}
	f, err := modfile.Parse(name, []byte(text), nil)
	if err != nil {
		return info, err
	}
	if f.Go == nil {
		return info, fmt.Errorf("%s: no go directive", name)
	}
	info.goVersion = f.Go.Version
	for _, r := range f.Require {
		info.requires[r.Mod.Path] = r.Mod.Version
	}
	return info, nil
}

// majorMinor returns "1.26" for "1.26", "1.26.3" or "1.26rc1".
func majorMinor(v string) string {
	m := regexp.MustCompile(`^(\d+)\.(\d+)`).FindStringSubmatch(v)
	if m == nil {
		return v
	}
	return m[1] + "." + m[2]
}

// dockerInstr is one Dockerfile instruction: continuation lines joined,
// heredoc bodies included, comments dropped.
type dockerInstr struct {
	line int    // 1-based line of the instruction's first line
	cmd  string // upper case, e.g. "RUN"
	args string
}

var heredocRe = regexp.MustCompile(`<<(-?)["']?([A-Za-z_][A-Za-z0-9_]*)["']?`)

func parseDockerfile(text string) []dockerInstr {
	var out []dockerInstr
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		start := i
		body := trimmed
		for strings.HasSuffix(body, `\`) && i+1 < len(lines) {
			body = strings.TrimSuffix(body, `\`)
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") { // comments inside a continued instruction are dropped
				body += `\`
				continue
			}
			body += " " + next
		}
		if m := heredocRe.FindStringSubmatch(body); m != nil {
			for i+1 < len(lines) {
				i++
				l := lines[i]
				if m[1] == "-" {
					l = strings.TrimLeft(l, "\t")
				}
				if l == m[2] {
					break
				}
				body += "\n" + lines[i]
			}
		}
		cmd, args, _ := strings.Cut(body, " ")
		out = append(out, dockerInstr{line: start + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
	}
	return out
}

// lastStage returns the instructions after the last FROM.
func lastStage(instrs []dockerInstr) []dockerInstr {
	for i := len(instrs) - 1; i >= 0; i-- {
		if instrs[i].cmd == "FROM" {
			return instrs[i+1:]
		}
	}
	return instrs
}

// argDefaults returns the ARG defaults, for ${NAME} in USER.
func argDefaults(instrs []dockerInstr) map[string]string {
	args := map[string]string{}
	for _, in := range instrs {
		if in.cmd != "ARG" {
			continue
		}
		for _, f := range strings.Fields(in.args) {
			if name, val, ok := strings.Cut(f, "="); ok {
				args[name] = strings.Trim(val, `"'`)
			}
		}
	}
	return args
}

// pinnedModules are the modules whose versions a Dockerfile may name, and how
// it may name them: "<path>@vX", "<Name> vX", "<NAME>_VERSION=vX".
var pinnedModules = []struct{ name, path, env string }{
	{"GoMLX", "github.com/gomlx/gomlx", "GOMLX_VERSION"},
	{"GoNB", "github.com/janpfeifer/gonb", "GONB_VERSION"},
	{"go-xla", "github.com/gomlx/go-xla", "GOXLA_VERSION"},
}

func moduleVersionRes(name, path, env string) []*regexp.Regexp {
	dir, base := filepath.Split(path)
	ver := `(v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]*[0-9A-Za-z])?|latest|master|main)`
	return []*regexp.Regexp{
		// github.com/gomlx/gomlx@v0.26.0, github.com/gomlx/gomlx v0.26.0, gomlx@v0.26.0
		regexp.MustCompile(`(?i)(?:^|[^-\w/.])(?:` + regexp.QuoteMeta(dir) + `)?` + regexp.QuoteMeta(base) + `(?:@|\s+)` + ver),
		// GoMLX v0.26.0 (prose, comments)
		regexp.MustCompile(`(?i)(?:^|[^-\w/.])` + regexp.QuoteMeta(name) + `\s+` + `(v\d+\.\d+\.\d+)`),
		// ARG GOMLX_VERSION=v0.26.0
		regexp.MustCompile(`(?i)\b` + env + `\s*=\s*["']?` + ver),
	}
}

// Jupyter settings that turn off its authentication.
var (
	emptyAuthRe = regexp.MustCompile(`(?i)--(?:NotebookApp|ServerApp|IdentityProvider|PasswordIdentityProvider)\.(token|password)(?:=|\s+)(\S*)`)
	emptyConfRe = regexp.MustCompile(`(?i)\b(token|password)\s*=\s*(''|"")`)
)

// checkDockerfile returns every problem of a Dockerfile; each message starts
// with the check's name ("go version", "version drift", "gonb", "user",
// "jupyter auth").
func checkDockerfile(dockerfile string, mod goModInfo) []error {
	var errs []error
	bad := func(check, format string, args ...any) {
		errs = append(errs, fmt.Errorf(check+": "+format, args...))
	}
	instrs := parseDockerfile(dockerfile)
	want := majorMinor(mod.goVersion)

	// Go toolchain: the golang:X.Y image (and any GO_VERSION ARG) is go.mod's go X.Y.
	goImageRe := regexp.MustCompile(`(?i)(?:^|\s)(?:docker\.io/)?(?:library/)?golang:(\S+)`)
	found := false
	for _, in := range instrs {
		if in.cmd == "FROM" || in.cmd == "COPY" {
			for _, m := range goImageRe.FindAllStringSubmatch(in.args, -1) {
				found = true
				if got := majorMinor(m[1]); got != want {
					bad("go version", "line %d uses golang:%s, go.mod says go %s", in.line, m[1], mod.goVersion)
				}
			}
		}
		if in.cmd == "ARG" || in.cmd == "ENV" {
			if m := regexp.MustCompile(`\bGO_VERSION\s*=\s*["']?(\d+\.\d+\S*)`).FindStringSubmatch(in.args); m != nil {
				if got := majorMinor(m[1]); got != want {
					bad("go version", "line %d sets GO_VERSION=%s, go.mod says go %s", in.line, m[1], mod.goVersion)
				}
			}
		}
	}
	if !found {
		bad("go version", "no golang:%s image: the Go toolchain must come from the official image whose tag matches go.mod", want)
	}

	// Versions of GoMLX, GoNB and go-xla named anywhere (comments too) are go.mod's.
	for _, pm := range pinnedModules {
		modVer, ok := mod.requires[pm.path]
		if !ok {
			continue
		}
		reported := map[string]bool{}
		for _, re := range moduleVersionRes(pm.name, pm.path, pm.env) {
			for _, m := range re.FindAllStringSubmatch(dockerfile, -1) {
				got := m[len(m)-1]
				if got[0] >= '0' && got[0] <= '9' {
					got = "v" + got
				}
				if got != modVer && !reported[got] {
					reported[got] = true
					bad("version drift", "%s %s named in the Dockerfile (%q), go.mod requires %s", pm.name, got, strings.TrimSpace(m[0]), modVer)
				}
			}
		}
	}

	// GoNB: built with `go install github.com/janpfeifer/gonb` (no @version)
	// inside the module, i.e. after go.mod is copied in.
	stage := lastStage(instrs)
	goModCopied, inModule := false, false
	gonbRe := regexp.MustCompile(`\bgo\s+(?:install|build)\b[^;&|]*?\bgithub\.com/janpfeifer/gonb(@\S+)?`)
	for _, in := range stage {
		if in.cmd == "COPY" || in.cmd == "ADD" {
			f := strings.Fields(in.args)
			srcs := slices.DeleteFunc(f[:max(len(f)-1, 0)], func(s string) bool { return strings.HasPrefix(s, "--") })
			if slices.Contains(srcs, "go.mod") || slices.Contains(srcs, ".") {
				goModCopied = true
			}
		}
		if in.cmd != "RUN" {
			continue
		}
		if regexp.MustCompile(`\bgo\s+install\s+tool\b`).MatchString(in.args) && goModCopied {
			inModule = true
		}
		for _, m := range gonbRe.FindAllStringSubmatch(in.args, -1) {
			switch {
			case m[1] != "":
				bad("gonb", "line %d installs github.com/janpfeifer/gonb%s, not the module's version (build it inside the module without @version)", in.line, m[1])
			case !goModCopied:
				bad("gonb", "line %d builds GoNB before go.mod is copied in: it must be built inside the module", in.line)
			default:
				inModule = true
			}
		}
	}
	if !inModule {
		bad("gonb", "GoNB is not built inside the module (want `go install github.com/janpfeifer/gonb` after copying go.mod)")
	}

	// The final stage runs as a non-root user.
	user := ""
	for _, in := range stage {
		if in.cmd == "USER" {
			user = in.args
		}
	}
	defaults := argDefaults(instrs)
	user = os.Expand(user, func(name string) string { return defaults[name] })
	name, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	switch name {
	case "":
		bad("user", "the final stage has no USER: the image would run as root")
	case "root", "0":
		bad("user", "the final stage runs as USER %s", user)
	}

	// Jupyter keeps its token (or a password) and XSRF protection.
	for _, in := range instrs {
		for _, m := range emptyAuthRe.FindAllStringSubmatch(in.args, -1) {
			val := strings.TrimRight(m[2], ",]")
			if strings.Trim(val, `"'`) == "" {
				bad("jupyter auth", "line %d disables Jupyter's %s: %q", in.line, strings.ToLower(m[1]), strings.TrimSpace(m[0]))
			}
		}
		if m := emptyConfRe.FindString(in.args); m != "" {
			bad("jupyter auth", "line %d sets an empty Jupyter token or password: %q", in.line, m)
		}
		if strings.Contains(strings.ToLower(in.args), "disable_check_xsrf") {
			bad("jupyter auth", "line %d disables Jupyter's XSRF check", in.line)
		}
		if in.cmd == "ENV" || in.cmd == "ARG" {
			if m := regexp.MustCompile(`\bJUPYTER_TOKEN\s*=\s*(\S+)`).FindStringSubmatch(in.args); m != nil && strings.Trim(m[1], `"'`) != "" {
				bad("jupyter auth", "line %d bakes a fixed JUPYTER_TOKEN into the image (pass it with docker run -e)", in.line)
			}
		}
	}
	return errs
}

// dockerRunCommands returns the `docker run` commands of a Markdown text,
// with backslash-continued lines joined.
func dockerRunCommands(markdown string) []string {
	var cmds []string
	lines := strings.Split(markdown, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		for strings.HasSuffix(strings.TrimSpace(l), `\`) && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(strings.TrimSpace(l), `\`) + " " + strings.TrimSpace(lines[i])
		}
		if idx := strings.Index(l, "docker run "); idx >= 0 {
			cmds = append(cmds, l[idx:])
		}
	}
	return cmds
}

var loopbackHosts = []string{"127.0.0.1", "localhost", "::1", "[::1]"}

// checkDockerRunDocs checks the `docker run` commands of docker/README.md:
// each publishes ports on the loopback interface only, and the first (the
// documented one) passes the GPUs. Messages start with "docker run".
func checkDockerRunDocs(readme string) []error {
	var errs []error
	cmds := dockerRunCommands(readme)
	if len(cmds) == 0 {
		return []error{fmt.Errorf("docker run: no `docker run` command documented")}
	}
	publishRe := regexp.MustCompile(`(?:^|\s)(?:-p|--publish)(?:=|\s+)?(\S+)`)
	for _, cmd := range cmds {
		if regexp.MustCompile(`(?:^|\s)(?:-P|--publish-all)(?:\s|$)`).MatchString(cmd) {
			errs = append(errs, fmt.Errorf("docker run: %q publishes every port on all interfaces", cmd))
		}
		for _, m := range publishRe.FindAllStringSubmatch(cmd, -1) {
			spec := strings.Trim(m[1], `"'`)
			host := ""
			if strings.HasPrefix(spec, "[") { // [::1]:8888:8888
				host, _, _ = strings.Cut(spec, "]")
				host += "]"
			} else if parts := strings.Split(spec, ":"); len(parts) == 3 {
				host = parts[0]
			}
			if !slices.Contains(loopbackHosts, host) {
				errs = append(errs, fmt.Errorf("docker run: %q publishes port %s on all interfaces (use 127.0.0.1:HOST:CONTAINER)", cmd, spec))
			}
		}
	}
	if !regexp.MustCompile(`(?:^|\s)--gpus(?:=|\s+)["']?all\b`).MatchString(cmds[0]) {
		errs = append(errs, fmt.Errorf("docker run: the documented command %q lacks --gpus all", cmds[0]))
	}
	return errs
}

func TestDockerfileMatchesGoMod(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mod, err := parseGoMod("../go.mod", read("../go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"github.com/gomlx/gomlx", "github.com/janpfeifer/gonb"} {
		if mod.requires[path] == "" {
			t.Errorf("go.mod: %s not found among the requirements", path)
		}
	}
	for _, err := range checkDockerfile(read("Dockerfile"), mod) {
		t.Error("docker/Dockerfile: ", err)
	}
	for _, err := range checkDockerRunDocs(read("README.md")) {
		t.Error("docker/README.md: ", err)
	}
}

func TestDockerChecksCatch(t *testing.T) {
	mod, err := parseGoMod("go.mod", `module example.com/m // comment

go 1.26

require github.com/gomlx/gomlx v0.26.0

require (
	github.com/janpfeifer/gonb v0.11.1
	github.com/gomlx/go-xla v0.1.4 // indirect
)

tool github.com/janpfeifer/gonb
`)
	if err != nil {
		t.Fatal(err)
	}
	if mod.goVersion != "1.26" || mod.requires["github.com/gomlx/go-xla"] != "v0.1.4" || len(mod.requires) != 3 {
		t.Fatalf("parseGoMod: %+v", mod)
	}
	for _, bad := range []string{"module example.com/m\n", "module example.com/m\ngo 1.26\nrequire github.com/gomlx/gomlx\n"} {
		if _, err := parseGoMod("go.mod", bad); err == nil {
			t.Errorf("parseGoMod(%q): no error", bad)
		}
	}

	const good = `# syntax=docker/dockerfile:1
# GoMLX v0.26.0 and GoNB v0.11.1; go-xla v0.1.4.
FROM golang:1.26-bookworm AS golang
FROM debian:bookworm
ARG NB_USER=jovyan
COPY --from=golang /usr/local/go /usr/local/go
WORKDIR /home/jovyan/repo
COPY go.mod go.sum ./
RUN go mod download \
 && go install \
      github.com/janpfeifer/gonb \
 && gonb --install
# never: --ServerApp.token='' (comments are not settings)
COPY <<EOF /etc/notes.txt
token is printed in the log
EOF
USER ${NB_USER}
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]
`
	const goodReadme = "Run:\n\n```sh\ndocker run --rm --gpus all -p 127.0.0.1:8888:8888 \\\n  -v \"$PWD/data:/home/jovyan/fashion-gomlx/data\" fashion-gomlx\n```\n\n" +
		"Without a GPU: `docker run --rm -p 127.0.0.1:8888:8888 fashion-gomlx`.\n"
	if errs := checkDockerfile(good, mod); len(errs) > 0 {
		t.Fatalf("good Dockerfile: %v", errs)
	}
	if errs := checkDockerRunDocs(goodReadme); len(errs) > 0 {
		t.Fatalf("good README: %v", errs)
	}

	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("test case: %q not in the good Dockerfile", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	dockerfiles := []struct {
		name, dockerfile, want string
	}{
		{"older Go image", replace("golang:1.26-bookworm", "golang:1.25-bookworm"), "go version"},
		{"newer Go image", replace("golang:1.26-bookworm", "golang:1.27.1"), "go version"},
		{"no Go image", replace("FROM golang:1.26-bookworm AS golang\n", ""), "go version"},
		{"GO_VERSION arg", replace("ARG NB_USER=jovyan", "ARG NB_USER=jovyan\nARG GO_VERSION=1.25.4"), "go version"},
		{"GoMLX in a comment", replace("GoMLX v0.26.0", "GoMLX v0.25.1"), "version drift: GoMLX v0.25.1"},
		{"GoMLX ARG", replace("ARG NB_USER=jovyan", "ARG NB_USER=jovyan\nARG GOMLX_VERSION=v0.27.0"), "version drift: GoMLX v0.27.0"},
		{"GoMLX module path", replace("RUN go mod download", "RUN go get github.com/gomlx/gomlx@v0.24.0 && go mod download"), "version drift: GoMLX v0.24.0"},
		{"GoNB in a comment", replace("GoNB v0.11.1", "GoNB v0.12.0"), "version drift: GoNB v0.12.0"},
		{"go-xla in a comment", replace("go-xla v0.1.4", "go-xla v0.1.3"), "version drift: go-xla v0.1.3"},
		{"GoNB @version", replace("github.com/janpfeifer/gonb \\", "github.com/janpfeifer/gonb@v0.10.3 \\"), "gonb: line"},
		{"GoNB @latest", replace("github.com/janpfeifer/gonb \\", "github.com/janpfeifer/gonb@latest \\"), "gonb: line"},
		{"GoNB before go.mod", replace("COPY go.mod go.sum ./\n", "") + "COPY go.mod go.sum ./\n", "gonb: line"},
		{"GoNB not built", replace("go install \\\n      github.com/janpfeifer/gonb \\\n", "true \\\n"), "gonb: GoNB is not built"},
		{"USER root", good + "USER root\n", "user"},
		{"USER 0:0", replace("USER ${NB_USER}", "USER 0:0"), "user"},
		{"ARG root", replace("ARG NB_USER=jovyan", "ARG NB_USER=root"), "user"},
		{"no USER", replace("USER ${NB_USER}\n", ""), "user"},
		{"USER in the builder only", "FROM golang:1.26-bookworm AS golang\nUSER nobody\nFROM debian:bookworm\nCOPY go.mod ./\nRUN go install github.com/janpfeifer/gonb\n", "user"},
		{"token ''", replace(`CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]`, `CMD jupyter lab --ip=0.0.0.0 --ServerApp.token=''`), "jupyter auth"},
		{`token ""`, replace(`CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]`, `CMD jupyter lab --NotebookApp.token=""`), "jupyter auth"},
		{"token= (exec form)", replace(`"--no-browser"]`, `"--no-browser", "--IdentityProvider.token="]`), "jupyter auth"},
		{"token with a space", replace(`CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]`, `CMD jupyter lab --ServerApp.token '' --no-browser`), "jupyter auth"},
		{"config file token", replace("RUN go mod download", `RUN echo "c.ServerApp.token = ''" >> /etc/jupyter/jupyter_server_config.py && go mod download`), "jupyter auth"},
		{"password ''", replace(`CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]`, `CMD jupyter lab --ServerApp.password=''`), "jupyter auth"},
		{"xsrf", replace(`"--no-browser"]`, `"--no-browser", "--ServerApp.disable_check_xsrf=True"]`), "jupyter auth"},
		{"fixed token", replace("ARG NB_USER=jovyan", "ARG NB_USER=jovyan\nENV JUPYTER_TOKEN=secret"), "jupyter auth"},
	}
	for _, tc := range dockerfiles {
		t.Run(tc.name, func(t *testing.T) {
			errs := checkDockerfile(tc.dockerfile, mod)
			t.Log(errs)
			if !slices.ContainsFunc(errs, func(err error) bool { return strings.Contains(err.Error(), tc.want) }) {
				t.Errorf("want an error containing %q, got %v", tc.want, errs)
			}
		})
	}

	for _, ok := range []string{
		"`docker run --gpus=all -p '127.0.0.1:8888:8888' img`",
		"docker run --gpus all --publish [::1]:8888:8888 img",
		"docker run --gpus all -p localhost:8888:8888 -e JUPYTER_TOKEN=x img",
	} {
		if errs := checkDockerRunDocs(ok); len(errs) > 0 {
			t.Errorf("%s: %v", ok, errs)
		}
	}
	readmes := []struct{ name, readme, want string }{
		{"all interfaces", "docker run --rm --gpus all -p 8888:8888 img", "on all interfaces"},
		{"0.0.0.0", "docker run --rm --gpus all -p 0.0.0.0:8888:8888 img", "on all interfaces"},
		{"--publish=", "docker run --rm --gpus all --publish=8888:8888 img", "on all interfaces"},
		{"container port only", "docker run --rm --gpus all -p 8888 img", "on all interfaces"},
		{"-P", "docker run --rm --gpus all -P img", "every port"},
		{"continued line", "docker run --rm --gpus all \\\n  -p 8888:8888 img", "on all interfaces"},
		{"second command", goodReadme + "\ndocker run -p 8888:8888 img\n", "on all interfaces"},
		{"no GPU", "docker run --rm -p 127.0.0.1:8888:8888 img", "lacks --gpus all"},
		{"one GPU", "docker run --rm --gpus 1 -p 127.0.0.1:8888:8888 img", "lacks --gpus all"},
		{"no command", "Build it with docker build.", "no `docker run`"},
	}
	for _, tc := range readmes {
		t.Run(tc.name, func(t *testing.T) {
			errs := checkDockerRunDocs(tc.readme)
			t.Log(errs)
			if !slices.ContainsFunc(errs, func(err error) bool { return strings.Contains(err.Error(), tc.want) }) {
				t.Errorf("want an error containing %q, got %v", tc.want, errs)
			}
		})
	}
}
