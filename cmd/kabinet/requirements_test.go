package main

// The tests in this file keep docs/requirements.md true to the code (the repository's root has no
// Go package, so they live here): every rule id a Go file cites is defined there, every file it
// names exists, and no id it calls not yet built is cited by the code.

import (
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// requirementsDoc is the file, relative to the repository's root, that defines every rule id.
const requirementsDoc = "docs/requirements.md"

// requirementIDPattern is a rule id of the specification, a lettered sub-point included.
const requirementIDPattern = `(?:REG|TIN|BO|IDP|LK|KG|TAX)-[0-9]+[a-z]?`

var (
	requirementID = regexp.MustCompile(`\b` + requirementIDPattern)
	// A heading that starts with an id defines it, and so does a table row whose first cell is one.
	requirementHeading = regexp.MustCompile(`^#{1,6}[ \t]+(` + requirementIDPattern + `)(?:[^0-9a-z]|$)`)
	requirementRow     = regexp.MustCompile("^\\|[ \\t]*(?:\\*\\*|`)?(" + requirementIDPattern + ")(?:\\*\\*|`)?[ \\t]*\\|")
	markdownHeading    = regexp.MustCompile(`^#{1,6}[ \t]`)
	markdownCodeSpan   = regexp.MustCompile("`([^`\n]+)`")
	markdownLinkTarget = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// A code span names a file of the repository when it looks like a relative path and either
	// ends with a slash (a folder) or has one of these extensions.
	pathLike       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)
	fileExtensions = []string{".go", ".md", ".json", ".sql", ".html", ".css", ".js", ".csv", ".txt",
		".mod", ".sum", ".yaml", ".yml", ".toml", ".sh"}
)

func TestRequirements(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(requirementsDoc)))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := checkRequirements(root, doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestRequirementsCheck shows that the check fails when it should, on a repository of its own.
// Its ids are written with "~" for "-" (see cite), so that this file does not cite them itself.
func TestRequirementsCheck(t *testing.T) {
	cite := strings.NewReplacer("~", "-").Replace
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		text = cite(text)
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/a.go", "// Package a does REG~1 and IDP~4a.\npackage a\n\nconst why = \"TIN~2\" // and KG~1\n")
	write("a/b_test.go", "package a\n\n/* LK~2 */\nvar _ = `IDP~4b`\n")
	write("a/testdata/c.go", "// TAX~1 is cited by test data only.\npackage c\n")
	write("e2e/node_modules/d.go", "// TAX~2 is cited by a dependency only.\npackage d\n")
	write("a/notes.txt", "TAX~3 in a file that is not Go.\n")
	write("docs/import.md", "# import\n")
	doc := strings.Join([]string{
		"# Requirements",
		"Prose that mentions TIN~2 and IDP~4b does not define them.",
		"## 1. Numbers",
		"### REG~1 — a rule",
		"- **Implemented in:** `a/a.go`, `a/`; see [import](import.md).",
		"### KG~1",
		"- **Implemented in:** not yet built.",
		"### LK~2 — built, though nothing names a file",
		"- **Implemented in:** `gone/file.go`; tests in `a/b_test.go` and [here](../missing.md).",
		"| Sub-point | How |",
		"|---|---|",
		"| IDP~4a | in person |",
		"| **TAX~1** | shown, not cited |",
		"- `// REG~1`, `application/json`, `.go` and `00000000000` name no file.",
	}, "\n")
	got, err := checkRequirements(root, []byte(cite(doc)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a/a.go cites TIN~2, which docs/requirements.md does not define: add it as a heading (### TIN~2 — …) or as a row of its rule's table",
		"a/b_test.go cites IDP~4b, which docs/requirements.md does not define: add it as a heading (### IDP~4b — …) or as a row of its rule's table",
		"docs/requirements.md says KG~1 is not yet built, but a/a.go cites it: say where it is implemented",
		"docs/requirements.md:9 names ../missing.md, which does not exist",
		"docs/requirements.md:9 names gone/file.go, which does not exist",
	}
	for i := range want {
		want[i] = cite(want[i])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// checkRequirements compares the requirements document doc with the Go files under root and
// returns what is wrong, sorted.
func checkRequirements(root string, doc []byte) ([]string, error) {
	cited, err := citedRequirements(root)
	if err != nil {
		return nil, err
	}
	defined, notBuilt, paths := readRequirements(string(doc))
	var problems []string
	for id, files := range cited {
		switch {
		case !defined[id]:
			problems = append(problems, fmt.Sprintf("%s %s %s, which %s does not define: add it as a heading (### %s — …) or as a row of its rule's table",
				strings.Join(files, ", "), verb(files, "cites", "cite"), id, requirementsDoc, id))
		case notBuilt[id]:
			problems = append(problems, fmt.Sprintf("%s says %s is not yet built, but %s %s it: say where it is implemented",
				requirementsDoc, id, strings.Join(files, ", "), verb(files, "cites", "cite")))
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p.resolved))); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d names %s, which does not exist", requirementsDoc, p.line, p.named))
		}
	}
	slices.Sort(problems)
	return problems, nil
}

func verb(files []string, one, many string) string {
	if len(files) == 1 {
		return one
	}
	return many
}

// citedRequirements returns, for each rule id cited in a comment or a string literal of a Go
// file under root, the files (relative to root, with slashes) that cite it. It skips test data,
// node_modules and hidden folders.
func citedRequirements(root string) (map[string][]string, error) {
	cited := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // removed by someone while we walk
				return nil
			}
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		for _, id := range requirementIDsInGo(src) {
			cited[id] = append(cited[id], filepath.ToSlash(rel))
		}
		return nil
	})
	return cited, err
}

// requirementIDsInGo returns the ids cited in the comments and literals of a Go source file, each
// once, in order of appearance.
func requirementIDsInGo(src []byte) []string {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments) // a file that does not compile is still read
	var ids []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return ids
		}
		if tok != token.COMMENT && tok != token.STRING && tok != token.CHAR {
			continue
		}
		for _, id := range requirementID.FindAllString(lit, -1) {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
}

// namedPath is a file or folder the requirements document names: as written, and resolved
// relative to the repository's root.
type namedPath struct {
	line            int
	named, resolved string
}

// readRequirements reads the requirements document: the ids it defines (by a heading or the
// first cell of a table row), those among them whose entry says "not yet built" and names no
// file, and every file it names (in a code span, from the repository's root, or as the target of
// a relative link, from the document's folder).
func readRequirements(doc string) (defined, notBuilt map[string]bool, paths []namedPath) {
	defined, notBuilt = map[string]bool{}, map[string]bool{}
	lines := strings.Split(doc, "\n")
	pathsOn := make([][]namedPath, len(lines))
	for i, line := range lines {
		for _, m := range markdownCodeSpan.FindAllStringSubmatch(line, -1) {
			if p := m[1]; pathLike.MatchString(p) && (strings.HasSuffix(p, "/") || slices.Contains(fileExtensions, path.Ext(p))) {
				pathsOn[i] = append(pathsOn[i], namedPath{i + 1, p, path.Clean(p)})
			}
		}
		for _, m := range markdownLinkTarget.FindAllStringSubmatch(line, -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			pathsOn[i] = append(pathsOn[i], namedPath{i + 1, target, path.Join(path.Dir(requirementsDoc), target)})
		}
		paths = append(paths, pathsOn[i]...)
	}
	// An id's entry is its table row, or its heading and the lines up to the next heading or
	// the next row that defines an id.
	for i, line := range lines {
		var id string
		end := i + 1
		if m := requirementRow.FindStringSubmatch(line); m != nil {
			id = m[1]
		} else if m := requirementHeading.FindStringSubmatch(line); m != nil {
			id = m[1]
			for end < len(lines) && !markdownHeading.MatchString(lines[end]) && !requirementRow.MatchString(lines[end]) {
				end++
			}
		} else {
			continue
		}
		defined[id] = true
		names := false
		for j := i; j < end; j++ {
			names = names || len(pathsOn[j]) > 0
		}
		if !names && strings.Contains(strings.ToLower(strings.Join(lines[i:end], "\n")), "not yet built") {
			notBuilt[id] = true
		}
	}
	return defined, notBuilt, paths
}
